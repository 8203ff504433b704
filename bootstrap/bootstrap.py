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

No index pages: unless the caller points pip at their own index (PIP_INDEX_URL,
or ``index-url``/``no-index`` in a pip config file: their mirror is policy), pip
gets requirements/runtime-urls.txt, the same hashed wheels by their immutable
files.pythonhosted.org URLs, with ``--no-index``. That spares one index page per
package (pip revalidates each one, and some weigh a megabyte) and any extra
indexes or find-links the caller configured. It is used only when it lists
exactly what the lock lists (same names, versions, markers and hashes); when it
fails (e.g. that host is unreachable), the lock is installed through the index,
as before, after one line saying so. scripts/lock_urls.py writes it.

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
URLS = ROOT / "requirements" / "runtime-urls.txt"  # the lock's wheels by URL: scripts/lock_urls.py
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
# The direct-URL attempt fails fast: the index-based install behind it is the slow, patient path.
DIRECT = ["--no-index", "--retries", "0", "--timeout", "10"]
MIRROR_KEYS = ("index-url", "index_url", "no-index", "no_index")


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


def pins(text: str) -> list[tuple[str, str, str, str]]:
    """(name, version, marker, sha256) of each requirement of a hashed requirements file, written
    either ``name==version`` (the lock) or ``name @ <url of name-version-….whl>`` (the URL file)."""
    import re  # noqa: PLC0415 - only when building

    found = []
    for line in re.sub(r"\\\n", " ", re.sub(r"#.*", "", text)).splitlines():
        match = re.fullmatch(
            r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==\s*(\S+)|@\s*(\S+/[^/\s]+\.whl))"
            r"\s*(?:;(.*?))?\s*--hash=sha256:([0-9a-f]{64})\s*",
            line,
        )
        if match is None:
            if line.strip():
                found.append((line.strip(), "?", "?", "?"))  # never equal to a pin: the files differ
            continue
        name, version, url, marker, digest = match.groups()
        if url is not None:  # the wheel's file name carries the version: name-version-tags.whl
            version = url.rsplit("/", 1)[1].split("-")[1]
        canonical = re.sub(r"[-_.]+", "-", name).lower()
        found.append((canonical, version, " ".join((marker or "").split()), digest))
    return sorted(found)


def urls_match_lock() -> bool:
    """Whether runtime-urls.txt lists exactly the lock's wheels (a hand-edited lock outruns it)."""
    try:
        return pins(URLS.read_text(encoding="utf-8")) == pins(LOCK.read_text(encoding="utf-8"))
    except OSError:
        return False


def mirror_configured() -> bool:
    """Whether the caller sends pip to their own index (or to none): then pip must use it."""
    if any(os.environ.get(f"PIP_{key}") for key in ("INDEX_URL", "NO_INDEX")):
        return True
    import configparser  # noqa: PLC0415 - only when building

    home = Path.home()
    files = [Path("/etc/xdg/pip/pip.conf"), Path("/etc/pip.conf"), home / ".pip/pip.conf"]
    files += [home / ".config/pip/pip.conf", Path(sys.prefix) / "pip.conf"]
    if os.name == "nt":
        files += [Path(os.environ.get("APPDATA", home)) / "pip/pip.ini", Path(sys.prefix) / "pip.ini"]
    if os.environ.get("PIP_CONFIG_FILE"):
        files.append(Path(os.environ["PIP_CONFIG_FILE"]))
    for file in files:
        config = configparser.RawConfigParser()
        try:
            config.read(file, encoding="utf-8")
        except (OSError, configparser.Error, UnicodeDecodeError):
            return True  # unreadable: assume it names their index
        if any(key in config[section] for section in config.sections() for key in MIRROR_KEYS):
            return True
    return False


def install_commands(venv_root: Path, outer_pip: bool) -> tuple[list[str] | None, list[str]]:
    """The pip commands that install the lock: by URL when allowed (else None), and through the
    index. This interpreter's pip when it has one, else the venv's own (built with ensurepip)."""
    if outer_pip:
        pip, where = [sys.executable, "-m", "pip"], ["--target", site_packages(venv_root)]
    else:
        pip, where = [str(venv_python(venv_root)), "-m", "pip"], []
    through_index = [*pip, *PIP_INSTALL, str(LOCK), *where]
    if mirror_configured() or not urls_match_lock():
        return None, through_index
    return [*pip, *PIP_INSTALL, str(URLS), *DIRECT, *where], through_index


def install(command: list[str]) -> str:
    """Run one pip command; the last line of its error output when it failed, else ''."""
    import subprocess  # noqa: PLC0415 - only when building

    env = {k: v for k, v in os.environ.items() if k not in PIP_DROPPED} | PIP_OVERRIDES
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode == 0:
        return ""
    return (result.stderr.strip().splitlines() or ["(no output)"])[-1]


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

    def create_venv(path: Path) -> None:
        try:
            venv.EnvBuilder(with_pip=not outer_pip, clear=True).create(path)
        except Exception as err:  # noqa: BLE001 - e.g. Debian's python3 without python3-venv
            raise BootstrapError(
                f"creating a venv failed: {err} — install pip for this Python "
                "(Debian/Ubuntu: python3-pip python3-venv) or use actions/setup-python"
            ) from None

    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="build-", dir=target.parent))
    try:
        create_venv(scratch)
        by_url, through_index = install_commands(scratch, outer_pip)
        if by_url and (failed := install(by_url)):
            print(f"Sovereign: installing by wheel URL failed ({failed}); installing through the index", flush=True)
            create_venv(scratch)  # clear=True: nothing of the failed attempt is kept
            by_url = None
        if not by_url and (failed := install(through_index)):
            raise BootstrapError(
                f"installing Sovereign's dependencies failed: {failed} — "
                "check that this machine can reach your package index (PIP_INDEX_URL)"
            )
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
