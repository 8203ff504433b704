"""notify's inputs resolved once: typed, frozen, and every bad value refused
before any HTTP call or file write, with the same error as ever."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import responses
from fixtures.notify.factory import realistic, write

from sovereign.errors import Failed, SovereignError
from sovereign.gha import Secret, Step, execute, resolve
from sovereign.notify.settings import Settings
from sovereign.notify.stage import STAGE, settings

SLACK = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"
DISCORD = "https://discord.com/api/webhooks/123/tok-en_SECRET"


def environ(tmp_path: Path, **more: str) -> dict[str, str]:
    return {"GITHUB_WORKSPACE": str(tmp_path), "GITHUB_REPOSITORY": "octo/widget", **more}


def resolved(tmp_path: Path, env: dict[str, str] | None = None, **flags: str) -> Settings:
    env = env or environ(tmp_path)
    cli = {name.replace("_", "-"): value for name, value in flags.items()}
    return settings(resolve(STAGE.inputs, env, cli), env)


def test_every_input_is_parsed_into_one_frozen_typed_settings(tmp_path):
    write(realistic(), tmp_path / "cl.json")
    env = environ(tmp_path, GITHUB_REF="refs/tags/v1.4.0", GITHUB_REF_NAME="v1.4.0", SLACK_WEBHOOK_URL=SLACK)
    got = resolved(
        tmp_path,
        env,
        discord_webhook_url=DISCORD,
        status="failure",
        changelog_json="cl.json",
        changelog="- ignored",
        title="Ship it",
        release_url="https://x.example/r",
        snapshot_url="https://grafana.example/s/abc",
        fail_on_error="false",
        artifacts_dir="out/notify",
        resend="true",
    )
    assert list(got.webhooks) == ["slack", "discord"], "always in render order, whatever the input order"
    assert all(isinstance(url, Secret) for url in got.webhooks.values())
    assert [url.reveal() for url in got.webhooks.values()] == [SLACK, DISCORD]
    assert "SECRET" not in repr(got) and "XXXXXXXX" not in repr(got)
    assert (got.dry_run, got.fail_on_error, got.status, got.resend) == (False, False, "failure", True)
    assert (got.repository, got.tag, got.title) == ("octo/widget", "v1.4.0", "Ship it")
    assert (got.release_url, got.snapshot_url) == ("https://x.example/r", "https://grafana.example/s/abc")
    assert got.changelog == realistic()
    assert (got.notes, got.notes_ignored) == ("", True)
    assert got.artifacts_dir == tmp_path / "out" / "notify"
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.tag = "v9"


def test_defaults_in_dry_run_without_webhooks(tmp_path):
    got = resolved(tmp_path, tag="v1.0.0", dry_run="true")
    assert dict(got.webhooks) == {} and got.dry_run and got.fail_on_error
    assert (got.status, got.changelog, got.notes, got.notes_ignored) == ("success", None, "", False)
    assert got.artifacts_dir == tmp_path / "sovereign-artifacts"
    assert got.resend is False


def test_tag_input_wins_then_the_pushed_tag_then_the_changelog_json_tag(tmp_path):
    write(realistic(), tmp_path / "cl.json")
    assert resolved(tmp_path, tag="v2.0.0", dry_run="true").tag == "v2.0.0"
    pushed = environ(tmp_path, GITHUB_REF="refs/tags/v3.0.0")
    assert resolved(tmp_path, pushed, tag="v2.0.0", dry_run="true").tag == "v2.0.0"
    assert resolved(tmp_path, pushed, dry_run="true").tag == "v3.0.0"
    assert resolved(tmp_path, changelog_json="cl.json", dry_run="true").tag == "v1.4.0"
    too_long = "v" + "1" * 300  # a bad tag input also falls back to the document's, as it always did
    assert resolved(tmp_path, tag=too_long, changelog_json="cl.json", dry_run="true").tag == "v1.4.0"


@pytest.mark.parametrize("source", ["input", "pushed"])
def test_a_tag_other_than_the_changelog_json_tag_is_refused_naming_both(tmp_path, source):
    write(realistic(), tmp_path / "cl.json")  # the changelog of v1.4.0
    env = environ(tmp_path, GITHUB_REF="refs/tags/v9.9.9") if source == "pushed" else environ(tmp_path)
    flags = {"tag": "v9.9.9"} if source == "input" else {}
    with pytest.raises(SovereignError) as refused:
        resolved(tmp_path, env, changelog_json="cl.json", dry_run="true", **flags)
    assert refused.value.what == "input 'changelog-json' describes 'v1.4.0', not the release tag 'v9.9.9'"
    assert refused.value.fix == "pass the changelog-<tag>.json written for this release"
    assert resolved(tmp_path, env, changelog_json="cl.json", dry_run="true", tag="v1.4.0").tag == "v1.4.0"


def test_markdown_notes_are_read_from_their_file_or_taken_as_written(tmp_path):
    (tmp_path / "NOTES.md").write_text("## Fixes\n- from the file\n", encoding="utf-8")
    assert resolved(tmp_path, tag="v1", changelog="NOTES.md", dry_run="true").notes == "## Fixes\n- from the file\n"
    assert resolved(tmp_path, tag="v1", changelog="ABSENT.md", dry_run="true").notes == "ABSENT.md"
    assert resolved(tmp_path, tag="v1", changelog="- inline", dry_run="true").notes == "- inline"


def test_with_a_changelog_json_the_notes_input_is_not_read_as_a_path(tmp_path):
    write(realistic(), tmp_path / "cl.json")
    got = resolved(tmp_path, changelog_json="cl.json", changelog="../../etc/x.md", dry_run="true")
    assert got.changelog == realistic() and got.notes_ignored


def test_every_bad_webhook_is_one_problem_of_one_failure(tmp_path):
    with pytest.raises(Failed) as failed:
        resolved(tmp_path, tag="v1", slack_webhook_url="ftp://x/secret-one", teams_webhook_url="https://u:p@x/y")
    assert [p.what for p in failed.value.problems] == [
        "input 'slack-webhook-url' is not an http(s) URL",
        "input 'teams-webhook-url' carries credentials in the URL",
    ]
    assert "secret-one" not in " ".join(p.line() for p in failed.value.problems)


def test_the_settings_builder_raises_the_input_error_itself(tmp_path):
    with pytest.raises(SovereignError, match="input 'status' must be success, failure or cancelled, got 'maybe'"):
        resolved(tmp_path, tag="v1", status="maybe", dry_run="true")


BAD = [
    ({"dry_run": "maybe"}, 2, "input 'dry-run' must be a boolean, got 'maybe'"),
    ({"fail_on_error": "nah"}, 2, "input 'fail-on-error' must be a boolean, got 'nah'"),
    ({"resend": "yes"}, 2, "input 'resend' must be a boolean, got 'yes'"),
    ({"teams_webhook_url": "ftp://x/y"}, 1, "input 'teams-webhook-url' is not an http(s) URL"),
    ({"status": "maybe"}, 1, "input 'status' must be success, failure or cancelled, got 'maybe'"),
    ({"repository": "not a repo"}, 1, "input 'repository' must be owner/name, got 'not a repo'"),
    ({"changelog_json": "../x.json"}, 1, "input 'changelog-json' '../x.json' points outside the workspace"),
    ({"changelog_json": "absent.json"}, 1, "input 'changelog-json': file {ws}/absent.json does not exist"),
    ({"changelog_json": "bad.json"}, 1, "input 'changelog-json': {ws}/bad.json is not valid JSON"),
    ({"changelog": "../notes.md"}, 1, "input 'changelog' '../notes.md' points outside the workspace"),
    ({"tag": ""}, 1, "input 'tag' is required: GITHUB_REF is not set, not a tag ref"),
    ({"tag": "v" + "1" * 300}, 1, "characters long (at most"),
    ({"artifacts_dir": "../out"}, 1, "input 'artifacts-dir' '../out' points outside the workspace"),
]


@pytest.mark.parametrize(
    ("flags", "code", "error"), BAD, ids=[next(iter(f)) + str(i) for i, (f, _, _) in enumerate(BAD)]
)
@responses.activate
def test_bad_input_fails_with_its_error_before_any_http_call_or_file(tmp_path, flags, code, error):
    responses.post(SLACK, body="ok")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    lines: list[str] = []
    env = environ(tmp_path, GITHUB_ACTIONS="true")  # the log as the runner reads it
    step = Step("notify", env, out=lines.append)
    cli = {"slack-webhook-url": SLACK, "tag": "v1.0.0", **{k.replace("_", "-"): v for k, v in flags.items()}}
    assert execute(STAGE, cli, env, step) == code, lines
    errors = [line for line in lines if line.startswith("::error")]
    assert len(errors) == 1 and error.format(ws=tmp_path) in errors[0], lines
    assert len(responses.calls) == 0, "nothing was posted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"], "nothing was written"
    assert step.outputs == {}
