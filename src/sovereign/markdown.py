"""Markdown for step summaries and release notes, with untrusted text escaped."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")
# Prose: a code span (matched backtick runs) is kept whole; elsewhere only what
# GitHub would act on is escaped: an HTML tag or autolink (`<` before a letter,
# `/`, `!` or `?`), a link or image (`](`, `][`), a link definition (`]:`),
# emphasis (`*`, `~` and `_` not between letters, when there are two: one
# alone opens nothing), an entity, and a heading, quote, list or task-box start.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_EMPHASIS = r"\*|~|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])"
_ACTIVE = re.compile(rf"(?P<always>[\\`]|<(?=[A-Za-z/!?])|\](?=[(\[:])|&(?=#?\w+;))|(?P<mark>{_EMPHASIS})")
_LINE_START = re.compile(r"^(?:#{1,6}(?=\s|$)|>|\[[ xX]\](?=\s|$)|[+-](?=\s|$)|\d+(?=[.)](?:\s|$)))")
# A mention GitHub would notify: @user or @org/team, not an e-mail address.
_MENTION = re.compile(r"(?<![\w`@])@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9][\w.-]*)?")


def escape(text: str) -> str:
    """Untrusted text shown literally: no links, images, HTML or table breaks."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def prose(text: str) -> str:
    """Untrusted text inside a line of Markdown: reads as written raw and rendered.

    Code spans stay intact; links, images, HTML, emphasis and a list or heading
    start are escaped; ``@user`` and ``@org/team`` become code, so nobody is
    notified. ``(``, ``)``, ``#12``, ``[tag]`` and ``snake_case`` are left alone.
    """
    text = " ".join(text.split())
    spans = list(_CODE_SPAN.finditer(text))
    outside = "".join(_CODE_SPAN.split(text)[::3])
    marks = Counter(m.group(0) for m in re.finditer(_EMPHASIS, outside))
    paired = {mark for mark, count in marks.items() if count > 1}
    parts: list[str] = []
    last = 0
    for span in spans:
        parts += [_plain(text[last : span.start()], paired), span.group(0)]
        last = span.end()
    parts.append(_plain(text[last:], paired))
    joined = "".join(parts)
    start = _LINE_START.match(joined)
    if start is None:
        return joined
    if start.group(0).isdigit():  # 1. -> 1\. (a digit cannot be escaped)
        return joined[: start.end()] + "\\" + joined[start.end() :]
    return "\\" + joined


def _plain(text: str, paired: set[str]) -> str:
    """``paired``: the emphasis marks that occur more than once, so could open and close."""
    text = _ACTIVE.sub(lambda m: "\\" + m.group(0) if m.group("always") or m.group(0) in paired else m.group(0), text)
    return _MENTION.sub(lambda m: f"`{m.group(0)}`", text)


def plural(count: int, word: str, many: str = "") -> str:
    """``1 commit``, ``2 commits``; ``many`` for irregular plurals."""
    return f"{count} {word if count == 1 else many or word + 's'}"


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
