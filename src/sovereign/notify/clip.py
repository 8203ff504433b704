"""Shortening text to a platform limit without splitting a character a reader sees.

A user-perceived character (a grapheme cluster: ``é`` as e + accent, ``👩‍💻``,
``🇫🇷``, ``👍🏽``) is never cut in two, and the limit is checked on the text as it
will be sent, i.e. after the platform's escaping.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from sovereign.notify.sanitize import plain

ELLIPSIS = "…"


def _extends(prev: str, ch: str, regional_run: int) -> bool:
    """Whether ``ch`` continues the cluster that ``prev`` is the last character of."""
    code = ord(ch)
    if prev == "\r" and ch == "\n":
        return True
    if prev == "\u200d" or ch == "\u200d":
        return True
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:  # variation selectors
        return True
    if 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:  # skin tones, emoji tags
        return True
    if 0x1F1E6 <= code <= 0x1F1FF:  # a regional indicator pairs with the one before
        return regional_run % 2 == 1
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def graphemes(text: str) -> list[str]:
    """``text`` split into (approximate, extended) grapheme clusters."""
    if text.isascii() and "\r" not in text:
        return list(text)
    clusters: list[str] = []
    regional_run = 0
    for ch in text:
        if clusters and _extends(clusters[-1][-1], ch, regional_run):
            clusters[-1] += ch
        else:
            clusters.append(ch)
        regional_run = regional_run + 1 if 0x1F1E6 <= ord(ch) <= 0x1F1FF else 0
    return clusters


def measure(text: str) -> int:
    """Length as the strictest platform counts it: code points or UTF-16 units."""
    if text.isascii():
        return len(text)
    return max(len(text), len(text.encode("utf-16-le")) // 2)


def is_boundary(text: str, k: int) -> bool:
    """Whether a cut before ``text[k]`` falls between two grapheme clusters."""
    if k <= 0 or k >= len(text):
        return True
    run, j = 0, k - 1
    while j >= 0 and 0x1F1E6 <= ord(text[j]) <= 0x1F1FF:
        run, j = run + 1, j - 1
    return not _extends(text[k - 1], text[k], run)


def clip(text: str, limit: int, escape: Callable[[str], str] = str, suffix: str = ELLIPSIS) -> str:
    """``escape(text)`` if it fits in ``limit``; else the longest prefix ending on a
    cluster boundary that fits with ``suffix`` after it ("" when not even that fits)."""
    whole = escape(text)
    if measure(whole) <= limit:
        return whole
    # The result has at most ``limit`` code points: search the cut among those,
    # then step back to the start of the cluster it would split.
    low, high = 0, min(len(text), limit) + 1  # invariant: a cut at low fits, at high not
    while high - low > 1:
        mid = (low + high) // 2
        if measure(escape(text[:mid].rstrip()) + suffix) <= limit:
            low = mid
        else:
            high = mid
    while not is_boundary(text, low):
        low -= 1
    shown = escape(text[:low].rstrip()) + suffix
    return shown if measure(shown) <= limit else ""


def clip_untrusted(text: str, limit: int, escape: Callable[[str], str] = str) -> str:
    """:func:`clip` of :func:`~sovereign.notify.sanitize.plain` text, without
    sanitising a megabyte to show 300 characters of it."""
    window = 4 * limit + 64
    if len(text) > window:
        head = plain(text[:window])
        if measure(escape(head)) > limit:  # the cut is far past what is shown
            return clip(head, limit, escape)
    return clip(plain(text), limit, escape)
