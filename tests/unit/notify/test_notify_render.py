"""Golden payloads per platform for a realistic changelog (UPDATE_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest
from fixtures.notify.factory import HERE, document, entry

from sovereign import release
from sovereign.notify import discord, limits, slack, teams
from sovereign.notify.message import from_changelog, from_markdown

ENV = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "octo/widget", "GITHUB_RUN_ID": "4242"}
RENDER = {"slack": slack.render, "discord": discord.render, "teams": teams.render}


def golden(name: str, payload: dict) -> None:
    path = HERE / name
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == payload, f"{name} changed: review, then UPDATE_GOLDEN=1"


@pytest.mark.parametrize("platform", RENDER)
def test_golden_release(platform):
    message = from_changelog(release.load(HERE / "changelog-v1.4.0.json"), status="success", environ=ENV)
    payload = RENDER[platform](message)
    assert limits.violations(platform, payload) == []
    golden(f"{platform}-v1.4.0.json", payload)


@pytest.mark.parametrize("platform", RENDER)
def test_golden_failure_without_notes(platform):
    message = from_markdown("", status="failure", repository="octo/widget", tag="v1.4.0", environ=ENV)
    payload = RENDER[platform](message)
    assert limits.violations(platform, payload) == []
    golden(f"{platform}-failure.json", payload)


def test_status_colours():
    for status, colour in (("success", 0x2EB67D), ("failure", 0xE01E5A), ("cancelled", 0x95A5A6)):
        message = from_markdown("- x", status=status, repository="o/r", tag="v1")
        assert discord.render(message)["embeds"][0]["color"] == colour
        card = teams.render(message)["attachments"][0]["content"]
        assert card["body"][0]["style"] == {"success": "good", "failure": "attention", "cancelled": "emphasis"}[status]


def test_slack_entry_links_are_ours_and_whole():
    message = from_changelog(release.load(HERE / "changelog-v1.4.0.json"), status="success", environ=ENV)
    text = "\n".join(
        b["text"]["text"] for b in slack.render(message)["blocks"] if b["type"] == "section" and "text" in b
    )
    assert "<https://github.com/octo/widget/pull/106|#106> Handle &amp; &lt; &gt; in branch names — erin" in text


def test_discord_wait_payload_never_pings():
    message = from_markdown("- @everyone <@123>", status="success", repository="o/r", tag="v1")
    payload = discord.render(message)
    assert payload["allowed_mentions"] == {"parse": []}
    assert "＠everyone \\<@123\\>" in payload["embeds"][0]["description"]


def test_teams_is_a_workflows_adaptive_card():
    payload = teams.render(from_markdown("- a", status="success", repository="o/r", tag="v1"))
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["content"]["type"] == "AdaptiveCard" and attachment["content"]["version"] == "1.4"
    assert "@type" not in json.dumps(payload), "not the retired O365 MessageCard"


BLANK_FIRST = ("\u200b", "bob", "carol", "dave", "erin")  # a name that is empty once cleaned, then four


def _contributor_text(platform: str, payload: dict) -> str:
    if platform == "slack":
        (context,) = [b for b in payload["blocks"] if b["type"] == "context"]
        return context["elements"][0]["text"]
    if platform == "discord":
        return next(f["value"] for f in payload["embeds"][0]["fields"] if f["name"] == "Contributors")
    runs = [i["text"] for b in payload["attachments"][0]["content"]["body"] for i in b.get("inlines", [])]
    return next(text for text in runs if text.startswith("👥"))


@pytest.mark.parametrize("platform", RENDER)
def test_a_blank_contributor_is_skipped_not_the_end_of_the_list(platform):
    """Rendered from a hand-built message too, so each renderer copes on its own."""
    plain_message = from_markdown("- a change", status="success", repository="o/r", tag="v1")
    for message in (
        dataclasses.replace(plain_message, contributors=BLANK_FIRST),
        from_changelog(document([("Fixes", [entry(1, "fix")])], contributors=list(BLANK_FIRST)), status="success"),
    ):
        text = _contributor_text(platform, RENDER[platform](message))
        assert text.removeprefix("👥 ") == "bob, carol, dave, erin", text


def test_the_message_leaves_out_contributors_blank_once_cleaned():
    doc = document([("Fixes", [entry(1, "fix")])], contributors=["\u200b", " ", "\u202e", "ann", "\u200bbob"])
    assert from_changelog(doc, status="success").contributors == ("ann", "\u200bbob")


@pytest.mark.parametrize("platform", RENDER)
def test_only_blank_contributors_show_no_contributor_line(platform):
    doc = document([("Fixes", [entry(1, "fix")])], contributors=["\u200b", "\u2060"])
    payload = RENDER[platform](from_changelog(doc, status="success"))
    assert "👥" not in json.dumps(payload, ensure_ascii=False)
