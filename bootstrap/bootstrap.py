"""Create or reuse Sovereign's private venv; print or output its Python.

The venv lives under $RUNNER_TEMP (the system temp dir elsewhere), keyed by the
hash of requirements/runtime.txt and the interpreter, so a second stage in the
same job reuses it at near-zero cost and a changed lock gets a fresh one.
Installs with --require-hashes --no-deps --only-binary=:all: from the lock.

Speed: the venv is built without pip (ensurepip is most of a plain venv's
cost) and the lock is installed by this interpreter's own pip, in one process,
with ``--target <the venv's site-packages>`` (``pip --python <venv>`` starts pip
twice); ensurepip only when this Python has no pip at all. ``--no-compile``, then
one import of what the stages use: that proves the venv works before it is
marked ready, and compiles those modules only, not the hundreds never imported
(also under PYTHONDONTWRITEBYTECODE, so no stage recompiles them). bench/startup.py
measures all of it.

Standard library only: it runs before anything is installed. ``ensure`` is also
what ``<stage>/main.py`` calls, with the user's cache directory as ``base``.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "runtime.txt"
READY = ".sovereign-ready"
SMOKE = "import actions_toolkit.core, requests"  # what the stages import from the lock
PIP_INSTALL = [
    "install", "--quiet", "--no-input", "--disable-pip-version-check", "--no-compile",
    "--require-hashes", "--no-deps", "--only-binary=:all:", "-r",
]  # fmt: skip
# The lock goes into the venv whatever the caller set up for their own installs
# (their index, proxy and certificates settings still apply).
PIP_OVERRIDES = {"PIP_USER": "0", "PIP_REQUIRE_VIRTUALENV": "0"}
PIP_DROPPED = ("PIP_TARGET", "PIP_PREFIX", "PIP_ROOT", "PIP_PYTHON")


class BootstrapError(Exception):
    """The environment could not be built; the message says what and how to fix it."""


def venv_python(path: Path) -> Path:
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_dir(base: Path) -> Path:
    key = hashlib.sha256()
    key.update(LOCK.read_bytes())
    key.update(f"{sys.implementation.name}-{sys.version}-{sys.platform}".encode())
    return base / f"venv-{key.hexdigest()[:16]}"


def runner_base() -> Path:
    """Where the actions keep the venv: the job's RUNNER_TEMP."""
    if os.environ.get("RUNNER_TEMP"):
        return Path(os.environ["RUNNER_TEMP"]) / "sovereign"
    import tempfile  # noqa: PLC0415 - a warm start on a runner does without it

    return Path(tempfile.gettempdir()) / "sovereign"


def has_pip() -> bool:
    """Whether ``sys.executable -m pip`` works; asked of a fresh process, as this one
    may run without site-packages (``-S``)."""
    import subprocess  # noqa: PLC0415 - only when building

    ask = [sys.executable, "-c", "import importlib.util as u, sys; sys.exit(u.find_spec('pip') is None)"]
    return subprocess.run(ask, capture_output=True, check=False).returncode == 0


def site_packages(venv_root: Path) -> str:
    import subprocess  # noqa: PLC0415 - only when building

    ask = [str(venv_python(venv_root)), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
    return subprocess.run(ask, capture_output=True, text=True, check=True).stdout.strip()


def install_command(venv_root: Path, outer_pip: bool) -> list[str]:
    """The pip command that installs the lock into the venv: this interpreter's pip when it has one."""
    args = [*PIP_INSTALL, str(LOCK)]
    if not outer_pip:  # the venv was built with ensurepip
        return [str(venv_python(venv_root)), "-m", "pip", *args]
    return [sys.executable, "-m", "pip", *args, "--target", site_packages(venv_root)]


def install(command: list[str]) -> None:
    import subprocess  # noqa: PLC0415 - only when building

    env = {k: v for k, v in os.environ.items() if k not in PIP_DROPPED} | PIP_OVERRIDES
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise BootstrapError(
            f"installing Sovereign's dependencies failed: {last} — "
            "check that this machine can reach your package index (PIP_INDEX_URL)"
        )


def smoke_test(venv_root: Path) -> None:
    import subprocess  # noqa: PLC0415 - only when building

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [str(venv_python(venv_root)), "-c", SMOKE]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise BootstrapError(f"the new environment cannot import its packages: {last} — report this as a bug")


def build(target: Path, outer_pip: bool) -> None:
    """Build in a scratch folder, then rename: a half-built venv is never reused."""
    import shutil  # noqa: PLC0415 - only when building
    import tempfile  # noqa: PLC0415
    import venv  # noqa: PLC0415

    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="build-", dir=target.parent))
    try:
        try:
            venv.EnvBuilder(with_pip=not outer_pip, clear=True).create(scratch)
        except Exception as err:  # noqa: BLE001 - e.g. Debian's python3 without python3-venv
            raise BootstrapError(
                f"creating a venv failed: {err} — install pip for this Python "
                "(Debian/Ubuntu: python3-pip python3-venv) or use actions/setup-python"
            ) from None
        install(install_command(scratch, outer_pip))
        smoke_test(scratch)
        (scratch / READY).write_text(LOCK.read_text(encoding="utf-8"), encoding="utf-8")
        try:
            scratch.rename(target)
        except OSError:
            if not (target / READY).exists():  # lost a race to a broken venv: replace it
                shutil.rmtree(target, ignore_errors=True)
                scratch.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def ensure(base: Path) -> tuple[Path, bool]:
    """The venv's Python under ``base``, built first when missing; and whether it was built."""
    target = venv_dir(base)
    if (target / READY).is_file() and venv_python(target).is_file():
        return venv_python(target), False
    build(target, has_pip())
    return venv_python(target), True


def fail(message: str) -> None:
    print(f"::error title=bootstrap::{message}", flush=True)
    sys.exit(1)


def main() -> None:
    if sys.version_info < (3, 10):  # noqa: UP036 - this file may be run by any python
        fail(f"Sovereign needs Python 3.10 or newer, found {sys.version.split()[0]} — use actions/setup-python")
    start = time.monotonic()
    try:
        python, created = ensure(runner_base())
    except BootstrapError as err:
        fail(str(err))
        return
    note = "created" if created else "reused"
    print(
        f"Sovereign: {note} its Python environment in {time.monotonic() - start:.1f} s ({python.parents[1]})",
        flush=True,
    )
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as fh:
            fh.write(f"python={python}\n")
    else:
        print(f"python={python}")


if __name__ == "__main__":
    main()
