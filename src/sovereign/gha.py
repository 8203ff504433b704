"""The runner interface every stage speaks through, over actions-toolkit.

Inputs come from three places, later wins: the stage's default, the environment
(``SOVEREIGN_<NAME>``, which each action.yml maps its inputs to, plus a few
well-known names such as ``GITHUB_TOKEN``), then ``--<name>`` flags. Everything
printed goes through :class:`Step`, which masks secrets before anything else,
redacts them from every line, keeps untrusted text from being read as workflow
commands, and writes ``GITHUB_OUTPUT``/``GITHUB_STEP_SUMMARY`` through one writer.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from actions_toolkit.command import escape_data
from actions_toolkit.file_command import prepare_key_value_message

from sovereign import console
from sovereign.errors import Failed, SovereignError, UsageError

TRUE = frozenset({"true", "True", "TRUE"})
FALSE = frozenset({"false", "False", "FALSE"})
_TEXT_LIMIT = 120  # how much of a bad value an error message quotes
MAX_TAG_LENGTH = 200  # "<kind>-<tag>.json" must fit a file name (255 bytes)
PROGRESS_EVERY = 10.0  # seconds between plain progress lines when the log is not a terminal
_SURROGATE = re.compile("[\ud800-\udfff]")  # what undecodable bytes in argv/env become (surrogateescape)


@dataclass(frozen=True)
class Input:
    """One input of a stage: the same name in action.yml, env and CLI."""

    name: str
    help: str
    default: str = ""
    secret: bool = False
    boolean: bool = False
    required: bool = False
    env_fallbacks: tuple[str, ...] = ()  # well-known names read before SOVEREIGN_*
    aliases: tuple[str, ...] = ()  # extra CLI flags, e.g. --repo

    @property
    def env(self) -> str:
        return "SOVEREIGN_" + self.name.upper().replace("-", "_")


COMMON_INPUTS: tuple[Input, ...] = (
    Input("dry-run", "read what is needed, send and change nothing", "false", boolean=True),
    Input("verbose", "debug logging (also on when RUNNER_DEBUG=1)", "false", boolean=True),
    Input(
        "artifacts-dir",
        "where files are written, relative to GITHUB_WORKSPACE",
        "sovereign-artifacts",
    ),
)

TAG_INPUT = Input("tag", "the release tag (default: GITHUB_REF_NAME on a tag push)")
REPOSITORY_INPUT = Input(
    "repository",
    "owner/name of the repository (default: GITHUB_REPOSITORY, else the checkout's origin remote)",
    env_fallbacks=("GITHUB_REPOSITORY",),
    aliases=("--repo",),
)
GITHUB_TOKEN_INPUT = Input(
    "github-token",
    "token for the GitHub API",
    secret=True,
    env_fallbacks=("GITHUB_TOKEN", "GH_TOKEN"),
    aliases=("--token",),
)


@dataclass(frozen=True)
class Stage:
    """A stage: its name, its inputs (common ones added) and its entry point."""

    name: str
    description: str
    own_inputs: tuple[Input, ...]
    main: Callable[[Step, Inputs], None]

    @property
    def inputs(self) -> tuple[Input, ...]:
        return self.own_inputs + COMMON_INPUTS


class Secret:
    """A secret value that never shows itself in a repr, str or f-string."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def quote(value: str, limit: int = _TEXT_LIMIT) -> str:
    """A bad value made safe to show: control and invisible characters escaped."""
    shown = value if len(value) <= limit else value[:limit] + "…"
    out = []
    for ch in shown:
        if ch.isprintable() and ch not in "\\'":
            out.append(ch)
        elif ch in "\\'":
            out.append("\\" + ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "'" + "".join(out) + "'"


class Inputs:
    """Resolved input values, read as text and turned into types on demand."""

    def __init__(self, spec: Sequence[Input], values: Mapping[str, str], sources: Mapping[str, str]):
        self._spec = {i.name: i for i in spec}
        self._values = dict(values)
        self.sources = dict(sources)

    def raw(self, name: str) -> str:
        if name not in self._spec:
            raise KeyError(f"no input named {name}")
        return self._values.get(name, "")

    def text(self, name: str) -> str:
        value = self.raw(name).strip()
        if not value and self._spec[name].required:
            raise SovereignError(
                f"input '{name}' is required but empty",
                f"set it with `{name}:` in the workflow, {self._spec[name].env} or --{name}",
            )
        return value

    def flag(self, name: str) -> bool:
        value = self.raw(name).strip()
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise UsageError(
            f"input '{name}' must be a boolean, got {quote(value)}",
            "use true or false (True/TRUE/False/FALSE also accepted)",
        )

    def integer(self, name: str, minimum: int = 0) -> int:
        value = self.text(name)
        if not (value.isascii() and value.isdigit()) or int(value) < minimum:
            raise SovereignError(
                f"input '{name}' must be a whole number ≥ {minimum}, got {quote(value)}",
                f"give it as plain digits, e.g. {name}: {max(minimum, 60)}",
            )
        return int(value)

    def items(self, name: str) -> list[str]:
        """A list input: one item per line or comma; blanks dropped."""
        parts = self.raw(name).replace(",", "\n").splitlines()
        return [p.strip() for p in parts if p.strip()]

    def secret(self, name: str) -> Secret:
        return Secret(self.raw(name).strip())


def resolve(spec: Sequence[Input], environ: Mapping[str, str], cli: Mapping[str, str | None]) -> Inputs:
    """Default, then the environment, then the command line: later wins."""
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for item in spec:
        values[item.name], sources[item.name] = item.default, "default"
        for env in (*item.env_fallbacks, item.env):
            if environ.get(env, "").strip():
                values[item.name], sources[item.name] = environ[env], f"env {env}"
        given = cli.get(item.name)
        if given is not None:
            values[item.name], sources[item.name] = given, f"--{item.name}"
    return Inputs(spec, values, sources)


def release_tag(tag: str, environ: Mapping[str, str]) -> str:
    """The raw ``tag`` input, defaulting to the pushed tag (GITHUB_REF refs/tags/...).
    Not stripped: "v1.2.3\\n" is a bad tag, not a good one."""
    if len(tag) > MAX_TAG_LENGTH:  # it names files, and int() refuses numbers of thousands of digits
        raise SovereignError(
            f"input 'tag' {quote(tag, 40)} is {len(tag)} characters long (at most {MAX_TAG_LENGTH})",
            "give the release tag itself, such as v1.2.3",
        )
    if tag:
        return tag
    ref = environ.get("GITHUB_REF", "")
    if ref.startswith("refs/tags/"):
        return environ.get("GITHUB_REF_NAME") or ref.removeprefix("refs/tags/")
    where = f"GITHUB_REF is {quote(ref)}" if ref else "GITHUB_REF is not set"
    raise SovereignError(
        f"input 'tag' is required: {where}, not a tag ref",
        "pass --tag vX.Y.Z (or `tag:` in the workflow), or run on a tag push",
    )


_LABEL_STYLES = {"error": ("red", "bold"), "warning": ("yellow", "bold"), "notice": ("cyan",)}


@dataclass
class Progress:
    """Where a progress display stands: a line left open on a terminal; for plain lines,
    which wait was shown last (its first word: "commits", "waiting", "panel") and when."""

    open: bool = False
    wait: str = ""
    last: float = 0.0
    every: float = PROGRESS_EVERY

    def due(self, text: str, final: bool) -> bool:
        """Whether a plain (not redrawn) progress line should be printed now: a new wait
        at once, the same one at most every ``every`` seconds, and its last line."""
        now, wait = time.monotonic(), text.split(" ", 1)[0]
        if final or wait != self.wait or now - self.last >= self.every:
            self.wait, self.last = ("" if final else wait), now
            return True
        return False


def _needs_fence(text: str) -> bool:
    # The runner reads "::cmd::" and the legacy "##[cmd]" at the start of a line.
    return "::" in text or "##[" in text


def _scrub_controls(text: str) -> str:
    return "".join(ch if ch in "\n\t" or ch >= " " or ch == "\r" else "?" for ch in text).replace("\r", "")


def print_line(line: str) -> None:
    """The log's writer. When the log's reader goes away (``| head``), the rest of the log is
    discarded but the stage finishes its work: a release cut in half because nobody read its log
    (a Slack post without the Discord one) is worse than a log nobody reads."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        console.discard_stdout()


@dataclass
class Step:
    """Everything a stage prints or records goes through here.

    ``mode`` says who reads the log (:func:`sovereign.console.detect` decides when
    it is not given): the runner gets workflow commands, a person gets words."""

    stage: str
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    verbose: bool = False
    out: Callable[[str], None] = field(default=print_line)
    outputs: dict[str, str] = field(default_factory=dict)
    _secrets: list[str] = field(default_factory=list)
    mode: console.Mode | None = None
    write: Callable[[str], None] = console.write_raw  # a progress line, redrawn in place on a terminal
    _progress: Progress = field(default_factory=Progress)

    def __post_init__(self) -> None:
        if self.mode is None:
            self.mode = console.detect(self.environ)

    @property
    def style(self) -> console.Mode:
        return self.mode or console.ACTIONS  # always set by __post_init__

    @property
    def in_actions(self) -> bool:
        return self.style.actions

    # -- secrets -------------------------------------------------------------
    def mask(self, value: str | Secret) -> None:
        """Register a secret: the runner masks it, and we redact it ourselves."""
        text = value.reveal() if isinstance(value, Secret) else value
        for raw in text.splitlines():  # the runner masks line by line
            part = raw.strip()
            if len(part) < 4 or part in self._secrets:
                continue  # masking "a" or "" would blank the whole log
            self._secrets.append(part)
            self._secrets.sort(key=len, reverse=True)
            if self.in_actions:  # on a laptop this line would print the secret itself
                self.out(f"::add-mask::{escape_data(part)}")

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def child(self, stage: str) -> Step:
        """A Step for a stage run inside the ritual: same log, same secrets;
        outputs kept in memory (the ritual writes them, prefixed where they clash)."""
        environ = {k: v for k, v in self.environ.items() if k != "GITHUB_OUTPUT"}
        return Step(stage, environ, self.verbose, self.out, {}, self._secrets, self.mode, self.write, self._progress)

    # -- log -------------------------------------------------------------------
    def _line(self, text: str) -> None:
        """One line for a person; a progress line being redrawn is cleared first."""
        if self._progress.open:  # a line being redrawn on a terminal: erased, then redrawn by the next call
            self.write(console.CLEAR_LINE)
            self._progress.open = False
        self.out(text)

    def _emit(self, text: str) -> None:
        text = _scrub_controls(self.redact(text))
        if not self.in_actions:
            self._line(text)
        elif _needs_fence(text):
            token = secrets.token_hex(16)
            self.out(f"::stop-commands::{token}")
            self.out(text)
            self.out(f"::{token}::")
        else:
            self.out(text)

    def info(self, text: str) -> None:
        self._emit(text)

    def debug(self, text: str) -> None:
        if self.verbose:
            if self.in_actions:
                self._emit(f"debug: {text}")
            else:
                self._line(self.style.paint(f"debug: {_scrub_controls(self.redact(text))}", "dim"))

    def _annotate(self, kind: str, text: str, fix: str) -> None:
        if self.in_actions:
            line = f"{text} — {fix}" if fix else text
            self.out(f"::{kind} title={self.stage}::{escape_data(_scrub_controls(self.redact(line)))}")
            return
        text, fix = (_scrub_controls(self.redact(part)) for part in (text, fix))
        label = self.style.paint(f"{kind}:", *_LABEL_STYLES[kind])  # after the scrub: it keeps only our escapes
        self._line(f"{label} {text}" + (f" — {self.style.paint('fix:', 'bold')} {fix}" if fix else ""))

    def notice(self, text: str, fix: str = "") -> None:
        self._annotate("notice", text, fix)

    def warning(self, text: str, fix: str = "") -> None:
        self._annotate("warning", text, fix)

    def error(self, text: str, fix: str = "") -> None:
        """What went wrong and, when given, how to fix it (one line in Actions: ``what — fix``)."""
        self._annotate("error", text, fix)

    @contextlib.contextmanager
    def group(self, title: str) -> Iterator[None]:
        if not self.in_actions:  # a heading: a person scrolls, nothing folds
            self._line("")
            self._line(self.style.paint(f"── {_scrub_controls(self.redact(title))}", "bold"))
            yield
            return
        self.out(f"::group::{escape_data(self.redact(title))}")
        try:
            yield
        finally:
            self.out("::endgroup::")

    def progress(self, text: str, *, final: bool = False, log: str = "", debug: bool = False) -> None:
        """A long wait, shown to a person: one line redrawn on a terminal, an occasional
        plain line otherwise. The runner's log keeps what it always had at this moment:
        ``log`` as a line, or ``text`` as a debug line when ``debug``, else nothing."""
        if self.in_actions:
            if debug:
                self.debug(text)
            elif log:
                self.info(log)
            return
        text = _scrub_controls(self.redact(text))
        if self.style.terminal:
            self.write(console.CLEAR_LINE + text + ("\n" if final else ""))
            self._progress.open = not final
        elif self._progress.due(text, final):
            self.out(text)

    def payload(self, label: str, data: Any, saved: os.PathLike[str] | str, *, actions: Sequence[str]) -> None:
        """A request that would be (or was) sent. The runner's log keeps ``actions``, the lines it
        always had; a person gets one summary line and the file it was saved to, the whole body
        only with --verbose."""
        if self.in_actions:
            for line in actions:
                self.info(line)
            return
        self.info(f"{label}: {console.describe(data)} — saved to {console.relative(saved)}")
        if self.verbose:
            self.info(data if isinstance(data, str) else json.dumps(data, indent=2, ensure_ascii=False))

    # -- files the runner reads -----------------------------------------------
    def _append(self, env: str, text: str) -> bool:
        path = self.environ.get(env, "")
        if not path:
            return False
        with open(path, "a", encoding="utf-8", errors="backslashreplace", newline="") as fh:
            fh.write(self.redact(text) + "\n")
        return True

    def set_output(self, name: str, value: str) -> None:
        value = self.redact(value)
        self.outputs[name] = value
        if not self._append("GITHUB_OUTPUT", prepare_key_value_message(name, value)):
            self.debug(f"output {name}={value}")

    def summary(self, markdown: str) -> None:
        self._append("GITHUB_STEP_SUMMARY", markdown)


def execute(
    stage: Stage, cli: Mapping[str, str | None], environ: Mapping[str, str] | None = None, step: Step | None = None
) -> int:
    """Run a stage with every expected failure turned into ::error lines."""
    env = dict(os.environ) if environ is None else dict(environ)
    step = step or Step(stage.name, env)
    inputs = resolve(stage.inputs, env, cli)
    undecodable = [item.name for item in stage.inputs if _SURROGATE.search(inputs.raw(item.name))]
    if undecodable:  # bytes that are not UTF-8 reach Python as lone surrogates: refuse them by name only
        step.error(
            f"input '{undecodable[0]}' is not valid UTF-8",
            "pass it as UTF-8 text (check the secret or variable it comes from)",
        )
        return 1
    for item in stage.inputs:  # masks go out before anything else is printed
        if item.secret and inputs.raw(item.name).strip():
            step.mask(inputs.raw(item.name))
    try:
        step.verbose = inputs.flag("verbose") or env.get("RUNNER_DEBUG") == "1"
        for item in stage.inputs:
            step.debug(f"input {item.name} from {inputs.sources[item.name]}")
        stage.main(step, inputs)
    except Failed as failed:
        for problem in failed.problems:
            step.error(problem.what, problem.fix)
        return 1
    except SovereignError as err:
        step.error(err.what, err.fix)
        return err.exit_code
    except KeyboardInterrupt:
        step.error("interrupted")
        return 130
    except Exception as err:  # noqa: BLE001 - the last line of defence: no raw traceback
        step.error(
            f"internal error: {type(err).__name__}: {err}",
            "re-run with --verbose for details and report it as a Sovereign bug",
        )
        if step.verbose:
            step.info("".join(traceback.format_exception(err)))
        return 1
    return 0
