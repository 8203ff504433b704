"""The platform-neutral message: highlights first, counts, links, Markdown notes."""

from __future__ import annotations

import pytest
from fixtures.notify.factory import HERE, document, entry, realistic

from sovereign import release
from sovereign.notify.message import BREAKING, SECURITY, default_title, from_changelog, from_markdown

ENV = {"GITHUB_SERVER_URL": "https://ghe.example.com", "GITHUB_REPOSITORY": "octo/widget", "GITHUB_RUN_ID": "77"}


def test_the_fixture_is_a_valid_changelog_document():
    data = release.load(HERE / "changelog-v1.4.0.json")
    assert data == realistic()


def test_highlights_first_breaking_then_security_each_entry_once():
    both = entry(1, "rewrite auth", breaking=True, security=True)
    data = document([("Features", [both, entry(2, "plain")]), ("Fixes", [entry(3, "cve", security=True)])])
    message = from_changelog(data, status="success", environ=ENV)
    assert [g.title for g in message.highlights] == [BREAKING, SECURITY]
    assert [i.text for i in message.highlights[0].items] == ["rewrite auth"]
    assert [i.text for i in message.highlights[1].items] == ["cve"]
    assert [i.text for _, i in message.shown_order()] == ["rewrite auth", "cve", "plain"]
    assert message.total == 3
    assert message.counts == [("Features", 2), ("Fixes", 1)], "counts keep every entry of the section"


def test_links_and_run_url_from_the_runner():
    message = from_changelog(realistic(), status="success", snapshot_url="https://grafana.example/s/abc", environ=ENV)
    assert [(link.label, link.url) for link in message.links] == [
        ("Release", "https://github.com/octo/widget/releases/tag/v1.4.0"),
        ("Compare", "https://github.com/octo/widget/compare/v1.3.2...v1.4.0"),
        ("Snapshot", "https://grafana.example/s/abc"),
        ("Run", "https://ghe.example.com/octo/widget/actions/runs/77"),
    ]
    assert message.notes_url == "https://github.com/octo/widget/releases/tag/v1.4.0"


def test_release_url_input_wins_and_bad_links_are_dropped():
    message = from_changelog(
        realistic(), status="success", release_url="https://x.example/r", snapshot_url="javascript:x"
    )
    assert [link.label for link in message.links] == ["Release", "Compare"]
    assert message.notes_url == "https://x.example/r"


def test_entry_reference_is_pr_else_short_commit():
    data = document([("Fixes", [{**entry(1, "a"), "pr": None}, entry(2, "b", pr=42)])])
    items = [i for _, i in from_changelog(data, status="success").shown_order()]
    assert items[0].ref == "0000000" and items[1].ref == "#42"


@pytest.mark.parametrize(
    ("status", "title"),
    [
        ("success", "octo/widget v1.4.0 released"),
        ("failure", "octo/widget v1.4.0 release failed"),
        ("cancelled", "octo/widget v1.4.0 release cancelled"),
    ],
)
def test_default_titles(status, title):
    assert default_title("octo/widget", "v1.4.0", status) == title
    assert from_changelog(realistic(), status=status).title == title


def test_title_input_wins():
    assert from_changelog(realistic(), status="success", title="Ship it").title == "Ship it"


def test_markdown_notes_become_sections():
    notes = "Intro line\n\n## Features\n- one\n* two\n\n### Fixes ###\n1. three\n"
    message = from_markdown(notes, status="success", repository="o/r", tag="v1.0.0", environ=ENV)
    assert [(g.title, [i.text for i in g.items]) for g in message.groups] == [
        ("Changes", ["Intro line"]),
        ("Features", ["one", "two"]),
        ("Fixes", ["three"]),
    ]
    assert message.notes_url == "https://ghe.example.com/octo/widget/actions/runs/77"


def test_empty_notes_give_a_status_only_message():
    message = from_markdown("", status="failure", repository="o/r", tag="v1.0.0")
    assert message.total == 0 and message.groups == () and message.title == "o/r v1.0.0 release failed"


def test_malformed_entries_are_skipped_not_a_crash():
    data = realistic()
    data["sections"].append("not a section")
    data["sections"][0]["entries"].append(["not", "an", "entry"])
    data["breaking"].append(None)
    data["security"] = "nope"
    message = from_changelog(data, status="success")
    assert message.total == 7
    assert [g.title for g in message.highlights] == [BREAKING]
