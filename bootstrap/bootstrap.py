"""Create or reuse Sovereign's private venv; print or output its Python.

The venv lives under $RUNNER_TEMP (the system temp dir elsewhere), keyed by the
hash of requirements/runtime.txt and the interpreter, so a second stage in the
same job reuses it at near-zero cost and a changed lock gets a fresh one.
Installs with --require-hashes --no-deps --only-binary=:all: from the lock.
Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "runtime.txt"
READY = ".sovereign-ready"


def venv_python(path: Path) -> Path:
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_dir() -> Path:
    key = hashlib.sha256()
    key.update(LOCK.read_bytes())
    key.update(f"{sys.implementation.name}-{sys.version}-{sys.platform}".encode())
    base = os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()
    return Path(base) / "sovereign" / f"venv-{key.hexdigest()[:16]}"


def fail(message: str) -> None:
    print(f"::error title=bootstrap::{message}", flush=True)
    sys.exit(1)


def build(target: Path) -> None:
    """Build in a scratch folder, then rename: a half-built venv is never reused."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="build-", dir=target.parent))
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(scratch)
        command = [
            str(venv_python(scratch)), "-m", "pip", "install", "--quiet", "--no-input",
            "--disable-pip-version-check", "--require-hashes", "--no-deps",
            "--only-binary=:all:", "-r", str(LOCK),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
            fail(
                f"installing Sovereign's dependencies failed: {last} — check that the runner can reach your package index (PIP_INDEX_URL)"
            )
        (scratch / READY).write_text(LOCK.read_text(encoding="utf-8"), encoding="utf-8")
        try:
            scratch.rename(target)
        except OSError:
            if not (target / READY).exists():  # lost a race to a broken venv: replace it
                shutil.rmtree(target, ignore_errors=True)
                scratch.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    if sys.version_info < (3, 10):  # noqa: UP036 - this file may be run by any python
        fail(f"Sovereign needs Python 3.10 or newer, found {sys.version.split()[0]} — use actions/setup-python")
    start = time.monotonic()
    target = venv_dir()
    if (target / READY).is_file() and venv_python(target).is_file():
        note = "reused"
    else:
        build(target)
        note = "created"
    python = venv_python(target)
    print(f"Sovereign: {note} its Python environment in {time.monotonic() - start:.1f} s ({target})", flush=True)
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as fh:
            fh.write(f"python={python}\n")
    else:
        print(f"python={python}")


if __name__ == "__main__":
    main()
