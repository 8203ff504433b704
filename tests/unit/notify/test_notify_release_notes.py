"""A broadcast given no changelog announces the GitHub Release's notes, or warns that it has none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import responses
from fixtures.notify.factory import realistic, settings

from sovereign.gha import Secret, Step
from sovereign.notify.broadcast import build_message
from sovereign.notify.release_notes import NOTES_FIX, with_release_notes
from sovereign.notify.settings import Settings

TOKEN = "ghs_releaseNotesToken0123456789"
API = "https://ghe.example.com/api/v3"
ENV = {"GITHUB_API_URL": API, "GITHUB_ACTIONS": "true"}
RELEASE = f"{API}/repos/octo/widget/releases/tags/v1.4.0"
PAGE = "https://ghe.example.com/octo/widget/releases/tag/v1.4.0"


def make(tmp_path: Path, **changes: object) -> Settings:
    return settings(tmp_path, **{"repository": "octo/widget", "github_token": Secret(TOKEN), **changes})


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def run(settings: Settings) -> tuple[Settings, list[str]]:
    lines: list[str] = []
    return with_release_notes(Step("notify", ENV, out=lines.append), settings), lines


def warnings(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("::warning")]


def test_the_release_body_becomes_the_notes_and_its_page_the_release_link(tmp_path, api):
    api.get(RELEASE, json={"body": "## Fixes\n- one fix\n- another", "html_url": PAGE})
    settings, lines = run(make(tmp_path))
    assert (settings.notes, settings.release_url) == ("## Fixes\n- one fix\n- another", PAGE)
    assert api.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert warnings(lines) == [] and TOKEN not in "\n".join(lines)
    message = build_message(settings, ENV)
    assert [(g.title, [i.text for i in g.items]) for g in message.groups] == [("Fixes", ["one fix", "another"])]
    assert message.notes_url == PAGE


def test_a_given_release_url_wins_over_the_releases_page(tmp_path, api):
    api.get(RELEASE, json={"body": "- x", "html_url": PAGE})
    settings, _ = run(make(tmp_path, release_url="https://example.com/r"))
    assert settings.release_url == "https://example.com/r"


@pytest.mark.parametrize(
    "changes",
    [
        {"changelog": realistic()},
        {"notes": "- given by hand"},
        {"status": "failure"},
        {"status": "cancelled"},
    ],
    ids=["changelog-json", "changelog", "failure", "cancelled"],
)
def test_nothing_is_read_or_warned_when_notes_are_given_or_not_needed(tmp_path, api, changes):
    given = make(tmp_path, **changes)
    settings, lines = run(given)
    assert settings is given
    assert len(api.calls) == 0 and warnings(lines) == []


@pytest.mark.parametrize("changes", [{"github_token": Secret("")}, {"repository": ""}], ids=["no token", "no repo"])
def test_without_a_token_it_warns_how_to_pass_notes_and_reads_nothing(tmp_path, api, changes):
    settings, lines = run(make(tmp_path, **changes))
    assert settings.notes == "" and len(api.calls) == 0
    assert warnings(lines) == [
        f"::warning title=notify::the message for v1.4.0 has no release notes (no changelog given) — {NOTES_FIX}"
    ]


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        (404, {"message": "Not Found"}, "GitHub found nothing for the release v1.4.0 (Not Found)"),
        (401, {"message": "Bad credentials"}, "GitHub rejected the token for the release v1.4.0 (Bad credentials)"),
        (200, ["not", "a", "release"], "GitHub answered the release v1.4.0 with something that is not a release"),
    ],
)
def test_an_unreadable_release_is_a_warning_never_a_failed_broadcast(tmp_path, api, status, body, said):
    api.get(RELEASE, status=status, json=body)
    settings, lines = run(make(tmp_path))
    assert settings.notes == ""
    (warning,) = warnings(lines)
    assert said in warning and NOTES_FIX in warning and TOKEN not in warning


@pytest.mark.parametrize("body", [None, "", "  \n"])
def test_a_release_without_notes_is_said_so(tmp_path, api, body):
    api.get(RELEASE, json={"body": body, "html_url": PAGE})
    settings, lines = run(make(tmp_path))
    assert settings.notes == ""
    assert warnings(lines) == [
        f"::warning title=notify::the GitHub Release for v1.4.0 has no notes, so neither has the message — {NOTES_FIX}"
    ]
