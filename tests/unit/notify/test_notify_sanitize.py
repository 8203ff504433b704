"""Untrusted text cannot ping, spoof a link, hide or reorder itself on any platform."""

from __future__ import annotations

import re
import unicodedata

import pytest
from fixtures.notify.factory import EVIL

from sovereign.notify.clip import clip, graphemes, measure
from sovereign.notify.sanitize import discord, discord_escape, plain, safe_url, slack, slack_escape

BROADCAST = re.compile(r"@(everyone|here|channel)", re.IGNORECASE)


def invisible(text: str) -> list[str]:
    """Format characters left, except a joiner between two emoji."""
    return [
        ch
        for i, ch in enumerate(text)
        if unicodedata.category(ch) == "Cf"
        and not (ch == "\u200d" and not text[i - 1].isascii() and not text[i + 1].isascii())
    ]


@pytest.mark.parametrize("text", EVIL)
def test_plain_leaves_no_broadcast_invisible_or_control(text):
    out = plain(text)
    assert not BROADCAST.search(out)
    assert invisible(out) == []
    assert all(ch.isprintable() or ch == "\u200d" for ch in out)
    assert "\n" not in out


@pytest.mark.parametrize(
    "text",
    [
        "@\u200beveryone",
        "@\u2060here",
        "@\u200dchannel",
        "@\ufeffeveryone",
        "@\u00adhere",
        "@EVERYONE",
        "@\u034feveryone",
    ],
)
def test_hidden_broadcasts_are_caught_after_the_invisible_is_removed(text):
    assert plain(text).startswith("＠")


def test_emoji_sequences_survive():
    assert plain("ship 👩\u200d💻 🇫🇷 👍🏽") == "ship 👩\u200d💻 🇫🇷 👍🏽"


def test_bidi_override_is_removed():
    assert plain("invoice\u202egpj.exe") == "invoicegpj.exe"


@pytest.mark.parametrize("text", EVIL)
def test_slack_text_has_no_control_sequence(text):
    out = slack(text)
    assert "<" not in out and ">" not in out
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", out), "every & is an entity"


@pytest.mark.parametrize("text", EVIL)
def test_discord_text_cannot_form_a_link_or_mention(text):
    out = discord(text)
    assert not re.search(r"(?<!\\)\[", out) and not re.search(r"(?<!\\)<", out)
    assert not re.search(r"(?<!\\)\]\(", out)


def test_discord_escape_marks_heading_and_list_only_at_the_start():
    assert discord_escape("# big - [x](y)") == r"\# big - \[x\]\(y\)"
    assert discord_escape("- item") == r"\- item"


def test_slack_escape_is_entity_escaping():
    assert slack_escape("a & <b> ") == "a &amp; &lt;b&gt; "


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.com/x",
        "https://user:pw@example.com/",
        "https://exa mple.com/\n",
        "//example.com/x",
        "",
        "https://" + "a" * 3000,
    ],
)
def test_unsafe_urls_are_dropped(url):
    assert safe_url(url) == ""


def test_link_breaking_characters_are_percent_encoded():
    url = safe_url("https://example.com/a|b>c)d]e<f g")
    assert url == "https://example.com/a%7Cb%3Ec%29d%5De%3Cf%20g"


def test_non_ascii_url_is_encoded():
    assert safe_url("https://example.com/ünï") == "https://example.com/%C3%BCn%C3%AF"


@pytest.mark.parametrize(
    ("text", "clusters"),
    [
        ("abc", ["a", "b", "c"]),
        ("e\u0301x", ["e\u0301", "x"]),
        ("👩\u200d👩\u200d👧!", ["👩\u200d👩\u200d👧", "!"]),
        ("🇫🇷🇩🇪", ["🇫🇷", "🇩🇪"]),
        ("👍🏽a", ["👍🏽", "a"]),
        ("❤\ufe0f.", ["❤\ufe0f", "."]),
        ("a\r\nb", ["a", "\r\n", "b"]),
    ],
)
def test_graphemes(text, clusters):
    assert graphemes(text) == clusters


@pytest.mark.parametrize("limit", range(1, 30))
def test_clip_never_splits_a_grapheme_and_fits(limit):
    text = "👩\u200d💻🇫🇷e\u0301👍🏽" * 5
    out = clip(text, limit)
    assert measure(out) <= limit
    kept = out.removesuffix("…")
    assert text.startswith(kept)
    assert graphemes(kept) == graphemes(text)[: len(graphemes(kept))]


def test_clip_measures_after_escaping():
    out = clip("&" * 100, 21, slack_escape)
    assert out == "&amp;" * 4 + "…"
    assert measure(out) <= 21


def test_measure_counts_utf16_units_for_astral_characters():
    assert measure("😀") == 2 and measure("é") == 1 and measure("abc") == 3


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 8, 13, 21, 34, 55])
def test_clip_cuts_only_between_clusters_of_a_mixed_text(limit):
    text = "a🇫🇷🇩🇪🇮x" + "e\u0301\u0302" + "👨\u200d👩\u200d👧" + "👍🏽" + "❤\ufe0f" + "b" * 30 + "中文"
    bounds = {0}
    for cluster in graphemes(text):
        bounds.add(max(bounds) + len(cluster))
    for escape in (str, slack_escape, discord_escape):
        out = clip(text, limit, escape)
        assert measure(out) <= limit
        if out.endswith("…"):
            shown = out.removesuffix("…")
            raw = next(text[:k] for k in sorted(bounds, reverse=True) if escape(text[:k].rstrip()) == shown)
            assert len(raw) in bounds
