"""The delivery record, and a local (CLI) run that reads it: a channel that has
this release's message is never posted to again, unless resend is on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from sovereign.errors import SovereignError
from sovereign.gha import Step, execute
from sovereign.notify import deliveries
from sovereign.notify.deliveries import Delivery
from sovereign.notify.stage import STAGE

SLACK = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"
DISCORD = "https://discord.com/api/webhooks/123/tok-en_SECRET"


def delivery(channel: str = "slack", status: str = "success", at: str = "2026-11-24T12:00:00Z") -> Delivery:
    return Delivery("octo/widget", "v1.4.0", status, channel, at, "77/1", "")


def test_a_record_reads_back_as_written_and_its_digest_follows_the_content(tmp_path):
    path = tmp_path / "out" / deliveries.FILE
    assert deliveries.read(path) == []
    first = deliveries.write(path, [delivery()])
    assert deliveries.read(path) == [delivery()]
    assert deliveries.write(path, [delivery()]) == first, "the same record, the same cache key"
    assert deliveries.write(path, [delivery(), delivery("discord")]) != first
    assert sorted(p.name for p in path.parent.iterdir()) == [deliveries.FILE], "no scratch file is left"
    assert json.loads(path.read_text(encoding="utf-8"))["schema"] == "sovereign.notify-deliveries/v1"


def test_earlier_is_this_release_and_status_only_and_keeps_the_first_delivery():
    history = [
        delivery("slack", at="2026-11-24T12:00:00Z"),
        delivery("slack", at="2026-11-25T08:00:00Z"),  # a resend
        delivery("discord", status="failure"),
        Delivery("octo/widget", "v1.3.0", "success", "teams", "2026-01-01T00:00:00Z", "", ""),
        Delivery("octo/other", "v1.4.0", "success", "teams", "2026-01-01T00:00:00Z", "", ""),
    ]
    found = deliveries.earlier(history, "octo/widget", "v1.4.0", "success")
    assert list(found) == ["slack"] and found["slack"].at == "2026-11-24T12:00:00Z"
    assert list(deliveries.earlier(history, "octo/widget", "v1.4.0", "failure")) == ["discord"]


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("{not json", "cannot be read (JSONDecodeError)"),
        ('{"schema": "other", "deliveries": []}', "is not a sovereign.notify-deliveries/v1 document"),
        ('{"schema": "sovereign.notify-deliveries/v1", "deliveries": [{"channel": "slack"}]}', "is not a"),
        ('{"schema": "sovereign.notify-deliveries/v1", "deliveries": {}}', "is not a"),
    ],
)
def test_a_record_that_cannot_be_trusted_is_an_error_not_a_guess(tmp_path, text, what):
    path = tmp_path / deliveries.FILE
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SovereignError) as err:
        deliveries.read(path)
    assert what in err.value.what and str(path) in err.value.what
    assert "resend: true" in err.value.fix


def run(tmp_path: Path, **flags: str) -> tuple[int, Step, list[str], str]:
    lines: list[str] = []
    summary = tmp_path / "summary.md"
    summary.write_text("", encoding="utf-8")
    environ = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_REPOSITORY": "octo/widget",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    step = Step("notify", environ, out=lines.append)
    cli = {"tag": "v1.4.0", "changelog": "- one fix", "slack-webhook-url": SLACK, "discord-webhook-url": DISCORD}
    cli.update({name.replace("_", "-"): value for name, value in flags.items()})
    return execute(STAGE, cli, environ, step), step, lines, summary.read_text(encoding="utf-8")


def posted(channel_url: str) -> int:
    return sum(1 for call in responses.calls if call.request.url.startswith(channel_url))


@responses.activate
def test_a_local_rerun_posts_only_where_the_message_is_missing(tmp_path):
    responses.post(SLACK, body="ok")
    discord = responses.post(DISCORD + "?wait=true", status=500, body="oops")
    code, step, _, _ = run(tmp_path)
    assert code == 1 and (step.outputs["sent"], step.outputs["failed"]) == ("slack", "discord")
    (slack,) = deliveries.read(tmp_path / "sovereign-artifacts" / deliveries.FILE)
    assert (slack.channel, slack.status, slack.run) == ("slack", "success", ""), "no run id on a laptop"
    assert step.outputs["record-digest"]

    responses.replace(discord.method, discord.url, status=200, json={"id": "5"})
    code, step, lines, summary = run(tmp_path)
    assert code == 0, lines
    assert (posted(SLACK), posted(DISCORD)) == (1, 2), "Slack once in all, Discord again"
    assert (step.outputs["sent"], step.outputs["already-sent"], step.outputs["failed"]) == ("discord", "slack", "")
    assert f"| `slack` | ⏭️ already sent | already delivered at {slack.at}; not sent again — set resend: true" in summary
    assert "notify: sent to discord; already sent before: slack" in lines

    code, step, lines, _ = run(tmp_path)
    assert code == 0 and len(responses.calls) == 3, "all delivered: nothing is posted"
    assert "record-digest" not in step.outputs, "nothing new: nothing to save"

    code, step, lines, _ = run(tmp_path, status="failure")
    assert code == 0 and step.outputs["sent"] == "slack,discord", "the failure broadcast is another message"


@responses.activate
def test_resend_posts_everywhere_and_replaces_a_record_it_cannot_read(tmp_path):
    responses.post(SLACK, body="ok")
    record = tmp_path / "sovereign-artifacts" / deliveries.FILE
    record.parent.mkdir()
    record.write_text("{broken", encoding="utf-8")
    code, step, lines, _ = run(tmp_path, discord_webhook_url="")
    assert code == 1 and len(responses.calls) == 0
    assert [line for line in lines if line.startswith("::error")] == [
        f"::error title=notify::the delivery record {record} cannot be read (JSONDecodeError) — "
        "delete the file (or the sovereign-notify-* Actions cache), or set resend: true to send to every channel"
    ]
    code, step, lines, _ = run(tmp_path, discord_webhook_url="", resend="true")
    assert code == 0 and step.outputs["sent"] == "slack"
    assert any(line.startswith("::warning title=notify::the delivery record") for line in lines)
    code, step, lines, _ = run(tmp_path, discord_webhook_url="", resend="true")
    assert code == 0 and len(responses.calls) == 2, "resend: true sends again"
    assert "::notice title=notify::resend is on: announcing again to slack, which already had this message" in lines
    assert [d.channel for d in deliveries.read(record)] == ["slack", "slack"]


def test_a_dry_run_shows_what_would_be_skipped_and_writes_no_record(tmp_path):
    record = tmp_path / "sovereign-artifacts" / deliveries.FILE
    deliveries.write(record, [delivery("slack")])
    before = record.read_text(encoding="utf-8")
    code, step, lines, _ = run(tmp_path, dry_run="true")
    assert code == 0, lines
    assert "slack: already delivered at 2026-11-24T12:00:00Z by run 77/1; not sent again" in lines
    assert any(line.startswith("discord: dry-run, would send") for line in lines)
    assert step.outputs["already-sent"] == "slack" and record.read_text(encoding="utf-8") == before
