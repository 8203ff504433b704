"""What ``<stage>/main.py`` calls. Standard library only, so a missing
dependency becomes one clear error line instead of a traceback."""

from __future__ import annotations

import sys


def main(stage: str) -> int:
    try:
        from sovereign.cli import run_stage
    except ModuleNotFoundError as err:
        print(
            f"::error title={stage}::Python package {err.name!r} is missing — "
            "run through the action (it installs what it needs), or "
            "`pip install -r requirements/runtime.txt` / `pip install .` first",
            flush=True,
        )
        return 1
    return run_stage(stage, sys.argv[1:], prog="main.py" if stage == "ritual" else f"{stage}/main.py")
