"""``sovereign <stage> [--flags]`` and the flag parsing every entrypoint shares."""

from __future__ import annotations

import argparse
import difflib
import importlib
import importlib.util
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from sovereign import __version__
from sovereign.console import discard_stdout
from sovereign.errors import UsageError
from sovereign.gha import Stage, Step, execute

# Exit status when stdout's reader went away while help or usage was printed: what a shell
# reports for a command killed by SIGPIPE (128 + 13), as `git log | head -1` does.
SIGPIPE_EXIT = 141

# Stage name -> module holding STAGE; imported only when that stage runs, so a
# stage pays the start-up cost of its own dependencies and no one else's.
STAGES: dict[str, str] = {
    "sentinel": "sovereign.sentinel.stage",
    "changelog": "sovereign.changelog.stage",
    "grafana-push": "sovereign.grafana_push.stage",
    "grafana-snapshot": "sovereign.grafana_snapshot.stage",
    "notify": "sovereign.notify.stage",
    "ritual": "sovereign.ritual",
}


def available() -> list[str]:
    """The stages whose module exists in this build."""
    found = []
    for name, module in STAGES.items():
        try:
            if importlib.util.find_spec(module) is not None:
                found.append(name)
        except ModuleNotFoundError:  # a parent package is missing
            continue
    return found


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one ::error line and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}", f"run `{self.prog} --help` to see the flags")


def build_parser(stage: Stage, prog: str) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description=stage.description,
        allow_abbrev=False,
        epilog="Every flag can also be given as the environment variable shown, "
        "or as the action input of the same name. Later wins: default, env, flag.",
    )
    for item in stage.inputs:
        default = "(secret)" if item.secret and item.default else repr(item.default)
        extra = f"; env {', '.join((*item.env_fallbacks, item.env))}"
        flags = [f"--{item.name}", *item.aliases]
        if item.boolean:
            parser.add_argument(
                *flags,
                dest=item.name,
                nargs="?",
                const="true",
                default=None,
                metavar="BOOL",
                help=f"{item.help} (default {default}{extra})",
            )
        else:
            parser.add_argument(
                *flags,
                dest=item.name,
                default=None,
                metavar="VALUE",
                help=f"{item.help} (default {default}{extra})",
            )
    parser.add_argument("--version", action="version", version=f"sovereign {__version__}")
    return parser


def did_you_mean(given: Sequence[str], known: Sequence[str]) -> str:
    """ "did you mean --tag? " for the closest known word to each given one, or ""."""
    pairs = [(word, difflib.get_close_matches(word, known, n=1, cutoff=0.6)) for word in given]
    found = [(word, close[0]) for word, close in pairs if close]
    if len(found) == 1:
        return f"did you mean {found[0][1]}? "
    if found:
        return "did you mean " + ", ".join(f"{close} for {word}" for word, close in found) + "? "
    return ""


def parse_flags(stage: Stage, argv: Sequence[str], prog: str) -> dict[str, str | None]:
    parser = build_parser(stage, prog)
    known, unknown = parser.parse_known_args(list(argv))
    if unknown:
        # Name the flags only: the value of a mistyped --tokn=... or --tokn ... may be a secret.
        flags = sorted({arg.split("=", 1)[0] for arg in unknown if arg.startswith("-")})
        stray = len([arg for arg in unknown if not arg.startswith("-")])
        named = ", ".join(flags) + (" and " if flags and stray else "") + (f"{stray} stray value(s)" if stray else "")
        every = [flag for item in stage.inputs for flag in (f"--{item.name}", *item.aliases)]
        hint = did_you_mean(flags, [*every, "--help", "--version"])
        raise UsageError(f"unknown flag or argument: {named}", f"{hint}run `{prog} --help` to see the flags")
    return {item.name: getattr(known, item.name) for item in stage.inputs}


def load(name: str) -> Stage:
    stage: Stage = importlib.import_module(STAGES[name]).STAGE
    return stage


def quiet_on_closed_stdout(run: Callable[[], int]) -> int:
    """``run()``, exiting quietly when stdout's reader went away (``| head``) while help or usage was
    printed. A stage's own log never gets here: Step discards it and the stage finishes its work."""
    try:
        try:
            return run()
        finally:
            sys.stdout.flush()  # argparse's --help exits with its text still buffered
    except BrokenPipeError:
        discard_stdout()
        return SIGPIPE_EXIT


def run_stage(name: str, argv: Sequence[str], prog: str | None = None) -> int:
    """Entry point of ``<stage>/main.py`` and ``sovereign <stage>``."""
    return quiet_on_closed_stdout(lambda: _run_stage(name, argv, prog))


def _run_stage(name: str, argv: Sequence[str], prog: str | None) -> int:
    stage = load(name)
    try:
        flags = parse_flags(stage, argv, prog or f"sovereign {name}")
    except UsageError as err:
        Step(name).error(err.what, err.fix)
        return err.exit_code
    return execute(stage, flags)


def overview(stages: Sequence[str]) -> str:
    """``sovereign --help``: one line per stage."""
    width = max(len(name) for name in stages) + 2
    lines = ["usage: sovereign <stage> [--help] [flags]", "", "stages:"]
    lines += [f"  {name:<{width}}{load(name).description}" for name in stages]
    lines += ["", "Run `sovereign <stage> --help` for a stage's flags."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    return quiet_on_closed_stdout(lambda: _main(args))


def _main(args: list[str]) -> int:
    stages = available()
    if args and args[0] in stages:
        return _run_stage(args[0], args[1:], None)
    if args and args[0] in ("--version", "-V"):
        print(f"sovereign {__version__}")
        return 0
    if not args or args[0] in ("-h", "--help"):
        print(overview(stages))
        return 0 if args else 2
    hint = did_you_mean(args[:1], stages)
    Step("sovereign").error(f"unknown stage {args[0]!r}", f"{hint}use one of: {', '.join(stages)}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
