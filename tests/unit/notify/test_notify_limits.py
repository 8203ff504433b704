"""Every payload fits every platform limit, however big or hostile the changelog.

The checker is limits.py (the one the renderers and the stage use); the first
tests prove it catches each limit, the rest run every payload through it.
"""

from __future__ import annotations

import copy
import json
import re

import pytest
from fixtures.notify.factory import EVIL, adversarial, document, entry, huge, realistic

from sovereign.errors import SovereignError
from sovereign.notify import discord, limits, slack, teams
from sovereign.notify.clip import graphemes, measure
from sovereign.notify.message import Message, from_changelog, from_markdown

ENV = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "octo/widget", "GITHUB_RUN_ID": "4242"}
RENDER = {"slack": slack.render, "discord": discord.render, "teams": teams.render}


def payloads(message: Message) -> dict[str, dict]:
    out = {platform: render(message) for platform, render in RENDER.items()}
    for platform, payload in out.items():
        assert limits.violations(platform, payload) == [], platform
    return out


def good() -> dict[str, dict]:
    return {p: r(from_changelog(realistic(), status="success", environ=ENV)) for p, r in RENDER.items()}


# -- the checker catches each limit -------------------------------------------------
def _slack_section(p: dict) -> dict:
    return next(b for b in p["blocks"] if b["type"] == "section" and "text" in b)


BREAK = {
    "slack": [
        ("text", lambda p: p.update(text="x" * 40_001)),
        ("text", lambda p: p.update(text="")),
        ("blocks", lambda p: p["blocks"].extend([{"type": "divider"}] * 50)),
        ("header", lambda p: p["blocks"][0]["text"].update(text="h" * 151)),
        ("section text", lambda p: _slack_section(p)["text"].update(text="s" * 3_001)),
        ("fields", lambda p: p["blocks"][2].update(fields=[p["blocks"][2]["fields"][0]] * 11)),
        ("field length", lambda p: p["blocks"][2]["fields"][0].update(text="f" * 2_001)),
        ("verbatim", lambda p: _slack_section(p)["text"].pop("verbatim")),
        ("button text", lambda p: p["blocks"][-1]["elements"][0]["text"].update(text="b" * 76)),
        ("action ids", lambda p: p["blocks"][-1]["elements"][1].update(action_id="sovereign-release")),
        ("block type", lambda p: p["blocks"].append({"type": "image"})),
        ("astral counted as two", lambda p: p["blocks"][0]["text"].update(text="😀" * 76)),
    ],
    "discord": [
        ("mentions", lambda p: p.pop("allowed_mentions")),
        ("mentions parse", lambda p: p.update(allowed_mentions={"parse": ["everyone"]})),
        ("content", lambda p: p.update(content="c" * 2_001)),
        ("embeds", lambda p: p.update(embeds=p["embeds"] * 11)),
        ("title", lambda p: p["embeds"][0].update(title="t" * 257)),
        ("description", lambda p: p["embeds"][0].update(description="d" * 4_097)),
        ("fields", lambda p: p["embeds"][0].update(fields=[{"name": "n", "value": "v"}] * 26)),
        ("field name", lambda p: p["embeds"][0]["fields"][0].update(name="n" * 257)),
        ("field value", lambda p: p["embeds"][0]["fields"][0].update(value="v" * 1_025)),
        ("empty field", lambda p: p["embeds"][0]["fields"][0].update(value="")),
        ("footer", lambda p: p["embeds"][0].update(footer={"text": "f" * 2_049})),
        ("author", lambda p: p["embeds"][0].update(author={"name": "a" * 257})),
        (
            "total",
            lambda p: p["embeds"][0].update(description="d" * 4_000, title="t" * 250, footer={"text": "f" * 2_000}),
        ),
        ("empty", lambda p: p.update(embeds=[])),
    ],
    "teams": [
        ("size", lambda p: p["attachments"][0]["content"]["body"].append({"type": "TextBlock", "text": "x" * 28_700})),
        (
            "size in bytes",
            lambda p: p["attachments"][0]["content"]["body"].append({"type": "TextBlock", "text": "é" * 14_200}),
        ),
        ("envelope", lambda p: p.update(type="MessageCard")),
        (
            "card",
            lambda p: p["attachments"][0].update(contentType="application/vnd.microsoft.teams.card.o365connector"),
        ),
        ("mentions", lambda p: p["attachments"][0]["content"]["msteams"].update(entities=[{"type": "mention"}])),
    ],
}


@pytest.mark.parametrize(
    ("platform", "name", "breaker"),
    [(platform, name, breaker) for platform, cases in BREAK.items() for name, breaker in cases],
    ids=[f"{platform}-{name}" for platform, cases in BREAK.items() for name, _ in cases],
)
def test_checker_catches(platform, name, breaker):
    payload = copy.deepcopy(good()[platform])
    assert limits.violations(platform, payload) == []
    breaker(payload)
    assert limits.violations(platform, payload), f"{platform}: {name} not caught"


def test_fit_refuses_what_cannot_fit():
    with pytest.raises(SovereignError, match="breaks the platform's limits"):
        limits.fit("discord", lambda n: {"embeds": []}, 4)


# -- every payload fits -------------------------------------------------------------
@pytest.mark.parametrize("status", ["success", "failure", "cancelled"])
def test_five_thousand_entries(status):
    data = huge(5_000)
    out = payloads(from_changelog(data, status=status, environ=ENV))
    more = re.compile(r"…and (\d+) more")
    for platform, payload in out.items():
        text = json.dumps(payload, ensure_ascii=False)
        hidden = int(more.search(text).group(1))
        shown = text.count("/octo/widget/pull/")
        assert hidden + shown == 5_000, platform
        assert "full release notes" in text and "/releases/tag/v1.4.0" in text
    assert "Breaking changes" in json.dumps(out["slack"])


def test_huge_titles_names_sections_and_contributors():
    items = [entry(i, "😀&<>" * 5_000, author="é" * 10_000, breaking=i % 2 == 0) for i in range(300)]
    sections = [(f"Section {'&' * 500} {i}", items[i::60]) for i in range(60)]
    data = document(sections, contributors=[f"name{i}" * 50 for i in range(5_000)])
    message = from_changelog(data, status="success", title="T&<>" * 10_000, environ=ENV)
    out = payloads(message)
    assert len(out["slack"]["blocks"]) <= 50
    assert len(out["slack"]["blocks"][2]["fields"]) == 10
    assert out["slack"]["blocks"][2]["fields"][-1]["text"].startswith("*Other sections*")


def test_escaping_growth_is_measured():
    """5 characters per '&' in Slack, 2 per '*' in Discord: still within limits."""
    data = huge(600, title_length=2_000)
    for section in data["sections"]:
        for item in section["entries"]:
            item["title"] = "&*<" * 700
    payloads(from_changelog(data, status="success", environ=ENV))


def test_long_plain_notes():
    notes = "\n".join(f"- line {i} " + "[x](https://evil.example) " * 50 for i in range(5_000))
    payloads(from_markdown(notes, status="success", repository="o/r", tag="v1", environ=ENV))


def test_long_link_urls_are_never_cut():
    long = "https://github.com/octo/widget/pull/1?" + "q=1&" * 450
    items = [{**entry(i, f"change {i}"), "url": long} for i in range(200)]
    out = payloads(from_changelog(document([("Features", items)]), status="success", environ=ENV))
    slack_text = json.dumps(out["slack"], ensure_ascii=False)
    assert slack_text.count("<" + long + "|#") == slack_text.count("<https://github.com/octo/widget/pull/1?")
    discord_text = out["discord"]["embeds"][0]["description"]
    assert discord_text.count("](" + long + ")") == discord_text.count("](https://github.com/octo/widget/pull/1?")


def test_truncated_text_ends_on_a_whole_grapheme():
    family = "👨\u200d👩\u200d👧\u200d👦"
    data = document([("Features", [entry(1, family * 400, author="🇫🇷" * 100)])])
    out = payloads(from_changelog(data, status="success", environ=ENV))
    description = out["discord"]["embeds"][0]["description"]
    line = next(line for line in description.splitlines() if line.startswith("• "))
    shown = line.split(") ", 1)[1].split(" — ")[0].removesuffix("…")
    assert graphemes(shown) == [family] * len(graphemes(shown))
    assert measure(line) <= 300 + 150


# -- hostile text -------------------------------------------------------------------
def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value] if isinstance(value, str) else []


def test_adversarial_changelog_cannot_ping_or_spoof():
    out = payloads(from_changelog(adversarial(), status="success", environ=ENV))
    for platform, payload in out.items():
        for text in _texts(payload):
            assert not re.search(r"@(everyone|here|channel)", text, re.I), (platform, text)
            assert not any(ch in text for ch in "\u200b\u2060\u202e\u2066\ufeff"), (platform, text)
            if platform != "teams":  # Teams shows TextRuns literally; the others would parse these
                assert "<https://evil.example|" not in text, (platform, text)
            if platform == "discord":
                assert "[x](https://evil" not in text, text
    for block in out["slack"]["blocks"]:
        for text in _texts(block):
            for link in re.findall(r"<([^>]*)>", text):
                assert re.fullmatch(
                    r"https://(github\.com/octo/widget/\S+|evil\.example/a%7Cb%3Ec%29d%5De)\|#\d+", link
                ), link
    description = out["discord"]["embeds"][0]["description"]
    for label, url in re.findall(r"(?<!\\)\[([^\]]*)\]\(([^)]*)\)", description):
        assert re.fullmatch(r"\\#\d+", label), label
        assert url.startswith("https://github.com/octo/widget/pull/") or url == "https://evil.example/a%7Cb%3Ec%29d%5De"
    card = json.dumps(out["teams"], ensure_ascii=False)
    assert '"TextBlock"' not in card, "untrusted text only ever goes into TextRun (no Markdown)"
    assert "javascript:" not in json.dumps(out, ensure_ascii=False)


@pytest.mark.parametrize("text", EVIL)
def test_each_attack_as_title_and_tag(text):
    message = from_markdown(f"- {text}", status="success", title=text, repository="o/r", tag=text, environ=ENV)
    for platform, payload in payloads(message).items():
        for value in _texts(payload):
            assert not re.search(r"@(everyone|here|channel)", value, re.I), platform
