"""How output looks: workflow commands for the GitHub runner, plain words for a person.

:func:`detect` is the one place that decides: ``GITHUB_ACTIONS=true`` means the
runner reads the log, so ``::error::``, ``::group::`` and ``::add-mask::`` stay
exactly as they are. Anywhere else a person reads it: ``error: … — fix: …``,
headings for groups, colour only on a terminal and never with ``NO_COLOR``.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from sovereign.markdown import plural

_CODES = {"red": "31", "yellow": "33", "cyan": "36", "bold": "1", "dim": "2", "green": "32"}
CLEAR_LINE = "\r\x1b[K"  # back to the start of the line and erase it


@dataclass(frozen=True)
class Mode:
    """Who reads the log: the runner (``actions``) or a person, on a terminal or not."""

    actions: bool
    terminal: bool = False  # progress redraws one line with a carriage return
    colour: bool = False

    def paint(self, text: str, *styles: str) -> str:
        if not self.colour or not styles:
            return text
        return f"\x1b[{';'.join(_CODES[s] for s in styles)}m{text}\x1b[0m"


ACTIONS = Mode(actions=True)
PLAIN = Mode(actions=False)  # a person reading a file or a pipe


def detect(environ: Mapping[str, str], stream: TextIO | None = None) -> Mode:
    """The mode for a log written to ``stream`` (stdout) under ``environ``."""
    if environ.get("GITHUB_ACTIONS") == "true":
        return ACTIONS
    stream = stream or sys.stdout
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stdout
        terminal = False
    colour = terminal and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"
    return Mode(actions=False, terminal=terminal, colour=colour)


def discard_stdout() -> None:
    """Point stdout at /dev/null: its reader is gone, and nothing more (not even the flush at exit) may fail on it."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def write_raw(text: str) -> None:
    """Text without a line break (a progress line being redrawn); a reader that went away
    (``| head``) ends the log, not the stage (see gha.print_line)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        discard_stdout()


# -- figures a person reads ------------------------------------------------------


def count(done: int, total: int | None = None) -> str:
    """``400/5,000`` (or ``400`` when the total is unknown)."""
    return f"{done:,}" if total is None else f"{done:,}/{total:,}"


def duration(seconds: float) -> str:
    """``2m10s``, ``45s``, ``10m``: how a wait is read at a glance."""
    whole = int(seconds)
    minutes, secs = divmod(whole, 60)
    if not minutes:
        return f"{secs}s"
    return f"{minutes}m{secs:02d}s" if secs else f"{minutes}m"


def _kinds(items: list[Any], noun: str) -> str:
    """``9 blocks: header, 5 sections, divider, context`` for a list of typed objects."""
    types = Counter(str(i.get("type") or "?") for i in items if isinstance(i, dict))
    parts = [name if n == 1 else f"{n} {name}s" for name, n in types.items()]
    return plural(len(items), noun) + (": " + ", ".join(parts) if parts else "")


def _embeds(embeds: list[Any]) -> str:
    fields = sum(len(e.get("fields") or []) for e in embeds if isinstance(e, dict))
    return plural(len(embeds), "embed") + (f" with {plural(fields, 'field')}" if fields else "")


def _shape(payload: Any) -> str:
    """The structure of a payload in a few words: what a reader checks first."""
    if isinstance(payload, str):
        return plural(len(payload.splitlines()), "line")
    if isinstance(payload, list):
        return plural(len(payload), "item")
    if not isinstance(payload, dict):
        return type(payload).__name__
    if isinstance(payload.get("blocks"), list):  # Slack Block Kit
        return _kinds(payload["blocks"], "block")
    if isinstance(payload.get("embeds"), list):  # Discord
        return _embeds(payload["embeds"])
    cards = [a.get("content") for a in payload.get("attachments") or [] if isinstance(a, dict)]
    if cards and isinstance(cards[0], dict) and isinstance(cards[0].get("body"), list):  # Teams Adaptive Card
        return "Adaptive Card, " + _kinds(cards[0]["body"], "element")
    dashboard = payload.get("dashboard")
    if isinstance(dashboard, dict) and isinstance(dashboard.get("panels"), list):  # a Grafana snapshot
        return f"dashboard {str(dashboard.get('title') or '')!r} with {plural(len(dashboard['panels']), 'panel')}"
    keys = list(payload)
    shown = ", ".join(keys[:6]) + (", …" if len(keys) > 6 else "")
    return f"{plural(len(keys), 'field')}: {shown}"


def describe(payload: Any) -> str:
    """``2,065 bytes, 9 blocks: header, 5 sections, …``: a payload summarised on one line."""
    if isinstance(payload, str):
        size = len(payload.encode("utf-8"))
    else:
        size = len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return f"{size:,} bytes, {_shape(payload)}"


def relative(path: os.PathLike[str] | str) -> str:
    """A path as a person would type it: relative to the current directory when inside it."""
    text = os.fspath(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:  # another drive on Windows
        return text
    return text if rel.startswith("..") else rel
