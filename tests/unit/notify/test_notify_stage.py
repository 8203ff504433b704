"""The notify stage in-process: inputs to message, files, outputs (dry-run, no network)."""

from __future__ import annotations

import json
from pathlib import Path

from fixtures.notify.factory import realistic, write

from sovereign.gha import Step, execute
from sovereign.notify import limits
from sovereign.notify.stage import STAGE


def run(tmp_path: Path, **flags: str) -> tuple[int, Step, list[str]]:
    lines: list[str] = []
    environ = {
        "GITHUB_ACTIONS": "true",  # the log as the runner reads it
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_REPOSITORY": "octo/widget",
        "GITHUB_RUN_ID": "5",
    }
    step = Step("notify", environ, out=lines.append)
    cli = {name.replace("_", "-"): value for name, value in flags.items()}
    code = execute(STAGE, cli, environ, step)
    return code, step, [line for line in lines if not line.startswith("::add-mask::")]  # the runner consumes these


def saved(tmp_path: Path, tag: str) -> dict:
    return json.loads((tmp_path / "sovereign-artifacts" / f"notify-{tag}.json").read_text(encoding="utf-8"))


def test_tag_comes_from_the_changelog_json_when_not_given(tmp_path):
    write(realistic(), tmp_path / "cl.json")
    code, step, lines = run(tmp_path, changelog_json="cl.json", dry_run="true")
    assert code == 0, lines
    record = saved(tmp_path, "v1.4.0")
    assert [c["channel"] for c in record["channels"]] == ["slack", "discord", "teams"]
    assert step.outputs["notify-file"].endswith("notify-v1.4.0.json")
    for line in lines[1:4]:
        channel, _, body = line.partition(": dry-run, would send ")
        payload = json.loads(body.split(" bytes: ", 1)[1])
        assert limits.violations(channel, payload) == []
        assert next(c["payload"] for c in record["channels"] if c["channel"] == channel) == payload


def test_markdown_file_notes_and_a_notice_when_both_are_given(tmp_path):
    (tmp_path / "NOTES.md").write_text("## Fixes\n- from the file\n", encoding="utf-8")
    code, _, lines = run(tmp_path, tag="v2.0.0", changelog="NOTES.md", dry_run="true")
    assert code == 0, lines
    assert "from the file" in json.dumps(saved(tmp_path, "v2.0.0"))
    write(realistic(), tmp_path / "cl.json")
    code, _, lines = run(tmp_path, tag="v1.4.0", changelog="- x", changelog_json="cl.json", dry_run="true")
    assert code == 0 and any("the JSON is used" in line for line in lines)


def test_only_configured_channels_are_rendered_in_dry_run(tmp_path):
    code, _, lines = run(
        tmp_path, tag="v1.0.0", discord_webhook_url="https://discord.com/api/webhooks/1/secret-token-x", dry_run="true"
    )
    assert code == 0, lines
    assert [c["channel"] for c in saved(tmp_path, "v1.0.0")["channels"]] == ["discord"]
    assert not any("secret-token-x" in line for line in lines)


def test_bad_repository_and_outside_paths_are_input_errors(tmp_path):
    code, _, lines = run(tmp_path, tag="v1.0.0", repository="not a repo", dry_run="true")
    assert code == 1 and "input 'repository' must be owner/name" in lines[-1]
    code, _, lines = run(tmp_path, tag="v1.0.0", changelog="../../etc/x.md", dry_run="true")
    assert code == 1 and "points outside the workspace" in lines[-1]


def test_every_bad_webhook_is_reported_at_once_without_its_value(tmp_path):
    code, _, lines = run(
        tmp_path,
        tag="v1.0.0",
        slack_webhook_url="ftp://hooks.example/secret-one",
        teams_webhook_url="https://user:secret-two@example.com/x",
    )
    errors = [line for line in lines if line.startswith("::error")]
    assert code == 1 and len(errors) == 2
    assert "input 'slack-webhook-url' is not an http(s) URL" in errors[0]
    assert "input 'teams-webhook-url' carries credentials" in errors[1]
    assert not any("secret-one" in line or "secret-two" in line for line in lines)
