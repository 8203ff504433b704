#!/usr/bin/env python3
"""Write requirements/runtime-urls.txt: the lock's wheels by their files.pythonhosted.org URL.

    python3 scripts/lock_urls.py           # after changing requirements/runtime.txt (asks PyPI)
    python3 scripts/lock_urls.py --check   # offline: does the URL file list exactly the lock?

The bootstrap installs from that file (no index pages to fetch) when it lists exactly
what the lock lists; tests/static/test_lock_urls.py runs ``--check``. Each URL is the
file PyPI's simple API (PEP 691) lists under the pinned name with the lock's sha256.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import urllib.request
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
INDEX = "https://pypi.org/simple"
HEADER = (
    "# Generated from runtime.txt by `python3 scripts/lock_urls.py`: do not edit.\n"
    "# The same hashed wheels by URL, so that the bootstrap fetches no index page.\n"
)


def bootstrap() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sovereign_bootstrap", ROOT / "bootstrap" / "bootstrap.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wheel_url(name: str, digest: str) -> str:
    accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
    request = urllib.request.Request(f"{INDEX}/{name}/", headers=accept)  # noqa: S310 - a fixed https URL
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        files = json.load(response)["files"]
    for file in files:
        if file["hashes"].get("sha256") == digest and file["filename"].endswith(".whl"):
            return str(file["url"])
    sys.exit(f"lock_urls: no wheel of {name} on PyPI has sha256 {digest}: check requirements/runtime.txt")


def render(pins: list[tuple[str, str, str, str]]) -> str:
    lines = [HEADER]
    for name, _, marker, digest in pins:
        when = f" ; {marker}" if marker else ""
        lines.append(f"{name} @ {wheel_url(name, digest)}{when} \\\n    --hash=sha256:{digest}\n")
    return "".join(lines)


def problems(boot: ModuleType) -> list[str]:
    """Why the URL file cannot stand for the lock; empty when it can."""
    try:
        text = boot.URLS.read_text(encoding="utf-8")
    except OSError as err:
        return [f"cannot read {boot.URLS}: {err}"]
    found = []
    if boot.pins(text) != boot.pins(boot.LOCK.read_text(encoding="utf-8")):
        found.append("it does not list exactly the lock's names, versions, markers and hashes")
    for url in re.findall(r"@\s*(\S+)", text):
        if not url.startswith("https://files.pythonhosted.org/packages/"):
            found.append(f"{url} is not a files.pythonhosted.org wheel")
    return found


def main() -> int:
    boot = bootstrap()
    if sys.argv[1:] == ["--check"]:
        found = problems(boot)
        for problem in found:
            print(f"lock_urls: requirements/runtime-urls.txt: {problem} — run python3 scripts/lock_urls.py")
        return 1 if found else 0
    boot.URLS.write_text(render(boot.pins(boot.LOCK.read_text(encoding="utf-8"))), encoding="utf-8")
    if found := problems(boot):
        print(f"lock_urls: {found[0]}")
        return 1
    print(f"lock_urls: wrote {boot.URLS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
