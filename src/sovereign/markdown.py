"""Markdown for step summaries and release notes, with untrusted text escaped."""

from __future__ import annotations

import re
from collections.abc import Sequence

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def escape(text: str) -> str:
    """Untrusted text shown literally: no links, images, HTML or table breaks."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table; cells are taken as already-safe Markdown."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell.replace("\n", " ") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def code(text: str) -> str:
    """Untrusted text as inline code: backslash escapes do not work inside
    backticks, so only what would end the span or the table cell is replaced."""
    return "`" + " ".join(text.split()).replace("`", "'").replace("|", "\\|") + "`"


def heading(stage: str, tag: str, dry_run: bool = False) -> str:
    """A stage's step-summary heading: the tag as code, so no escape shows."""
    return f"## Sovereign {stage} — {code(tag)}{' (dry-run)' if dry_run else ''}\n\n"
