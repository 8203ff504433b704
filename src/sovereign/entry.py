"""What ``<stage>/main.py`` and ``main.py`` call. Standard library only: on a
fresh clone the runtime packages are not installed yet.

* The packages are importable (the action's venv, ``pip install .``): run the stage.
* They are missing and the command only asks for ``--help`` or ``--version``:
  answer at once. Help reads nothing but the stage's declarations, so they are
  imported with the missing packages deferred: importing one succeeds, using
  anything from it raises (and then the next bullet takes over).
* They are missing otherwise: build or reuse the actions' own private
  environment (bootstrap/bootstrap.py: same hashed lock, same atomic build)
  under the user's cache directory, and re-run this very command in it.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
import time
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = ROOT / "bootstrap" / "bootstrap.py"
LOCK = ROOT / "requirements" / "runtime.txt"
RERUN = "_SOVEREIGN_RERUN"  # set in the re-run's environment: never bootstrap twice
HELP_FLAGS = frozenset({"-h", "--help", "--version"})


def main(stage: str) -> int:
    argv = sys.argv[1:]
    prog = "main.py" if stage == "ritual" else f"{stage}/main.py"
    try:
        from sovereign.cli import run_stage
    except ModuleNotFoundError as err:
        if (err.name or "").partition(".")[0] == "sovereign":
            raise  # our own module is missing: a broken checkout, not a missing package
        if asks_for_help(argv):
            code = help_without_packages(stage, argv, prog)
            if code is not None:
                return code
        return rerun_in_private_environment(stage, err.name or "?")
    return run_stage(stage, argv, prog=prog)


def asks_for_help(argv: Sequence[str]) -> bool:
    flags = argv[: argv.index("--")] if "--" in argv else argv
    return any(arg in HELP_FLAGS for arg in flags)


def help_without_packages(stage: str, argv: Sequence[str], prog: str) -> int | None:
    """argparse's own help (or version) from the real declarations; None when that was not possible."""
    deferred = _DeferredPackages(lock_packages())
    before = set(sys.modules)
    sys.meta_path.insert(0, deferred)  # all of them, even one that is installed: no half-real mix
    try:
        from sovereign import cli

        cli.build_parser(cli.load(stage), prog).parse_known_args(list(argv))
    except SystemExit as done:  # argparse printed the help or the version
        return done.code if isinstance(done.code, int) else 0
    except Exception:  # noqa: BLE001 - anything else is for the real environment to report
        return None
    finally:
        sys.meta_path.remove(deferred)
        for name in set(sys.modules) - before:
            del sys.modules[name]
    return None


def lock_packages() -> frozenset[str]:
    """The import names of the packages in requirements/runtime.txt."""
    names = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", LOCK.read_text(encoding="utf-8"), re.M)
    # The top-level import name: ruamel.yaml is imported as ruamel, actions-toolkit as actions_toolkit.
    return frozenset(name.lower().replace("-", "_").split(".")[0] for name in names)


class _Deferred(type):
    """What a deferred package hands out for any name: a class that can be
    subclassed and looked into (as module-level code does), and fails when used."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Deferred(name, (), {"__module__": cls.__module__})

    def __call__(cls, *args: Any, **kwargs: Any) -> NoReturn:
        raise ModuleNotFoundError(f"{cls.__module__} is not installed", name=cls.__module__)


class _DeferredModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name != "__version__":  # the rest are the import system's probes
            raise AttributeError(name)
        return _Deferred(name, (), {"__module__": self.__name__})


class _DeferredPackages(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, packages: frozenset[str]) -> None:
        self.packages = packages

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] not in self.packages:
            return None
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _DeferredModule(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__path__ = []


def cache_dir() -> Path:
    """The user's cache directory for Sovereign, as each platform names it."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "sovereign" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "sovereign"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sovereign"


def rerun_in_private_environment(stage: str, missing: str) -> int:
    """Build or reuse the private environment, then run this command again in it."""
    if os.environ.get(RERUN) or not BOOTSTRAP.is_file():
        return report(
            stage,
            f"Python package {missing!r} is missing",
            "run through the action (it installs what it needs), "
            "or `pip install -r requirements/runtime.txt` / `pip install .` first",
        )
    spec = importlib.util.spec_from_file_location("sovereign_bootstrap", BOOTSTRAP)
    assert spec is not None and spec.loader is not None
    bootstrap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bootstrap)
    start = time.monotonic()
    try:
        python, created = bootstrap.ensure(cache_dir())
    except bootstrap.BootstrapError as err:
        what, _, fix = str(err).partition(" — ")
        return report(stage, what, fix)
    built = f", built in {time.monotonic() - start:.1f} s" if created else ""
    print(
        f"sovereign: {missing!r} is not installed for this Python; running in Sovereign's own environment "
        f"({python.parents[1]}{built})",
        file=sys.stderr,
        flush=True,
    )
    command = [str(python), sys.argv[0], *sys.argv[1:]]
    env = {**os.environ, RERUN: "1"}
    sys.stdout.flush()
    if os.name == "nt":  # Windows has no real exec: wait for the child and pass its status on
        import subprocess

        return subprocess.run(command, env=env, check=False).returncode
    os.execve(python, command, env)  # noqa: S606 - the same command, in the environment that has its packages


def report(stage: str, what: str, fix: str) -> int:
    """One error line: a workflow command inside Actions, plain text for a person."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        print(f"::error title={stage}::{what} — {fix}", flush=True)
    else:
        print(f"{stage}: error: {what} — fix: {fix}", file=sys.stderr, flush=True)
    return 1
