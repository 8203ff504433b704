"""The notify action, run as the runner runs it (bootstrap included), against a
local webhook server on a real socket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fixtures.notify.factory import adversarial, document, entry, realistic, write
from localserver import Reply, Seen, serve

from sovereign.notify import limits

TOKEN = "T0KEN-abcdef0123456789"  # the secret part of every webhook URL below


@contextmanager
def webhooks(statuses: dict[str, int] | None = None) -> Iterator[tuple[dict[str, str], list[Seen]]]:
    """Three webhook URLs on one loopback server: /slack, /discord, /teams."""
    codes = {"slack": 200, "discord": 200, "teams": 202, **(statuses or {})}

    def reply(seen: Seen) -> Reply:
        channel = seen.path.split("/")[1]
        status = codes[channel]
        return Reply(status, b'{"id": "998877"}' if channel == "discord" and status == 200 else b"ok", {})

    with serve(reply) as (base, script):
        yield {name: f"{base}/{name}/hooks/{TOKEN}" for name in ("slack", "discord", "teams")}, script.seen


def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "workspace"
    path.mkdir(exist_ok=True)
    return path


def record(tmp_path: Path, tag: str = "v1.4.0") -> dict:
    return json.loads((workspace(tmp_path) / "sovereign-artifacts" / f"notify-{tag}.json").read_text(encoding="utf-8"))


def assert_no_secret(result, tmp_path: Path) -> None:
    for text in (result.stdout, result.summary, json.dumps(result.outputs)):
        lines = [line for line in text.splitlines() if not line.startswith("::add-mask::")]
        assert TOKEN not in "\n".join(lines)
    for path in (workspace(tmp_path) / "sovereign-artifacts").glob("*"):
        assert TOKEN not in path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_dry_run_without_any_webhook_renders_all_three(action, tmp_path):
    write(realistic(), workspace(tmp_path) / "changelog-v1.4.0.json")
    result = action("notify", {"changelog-json": "changelog-v1.4.0.json", "dry-run": "true"})
    assert result.returncode == 0, result.log
    saved = record(tmp_path)
    assert saved["dry_run"] is True and saved["tag"] == "v1.4.0"
    assert [c["channel"] for c in saved["channels"]] == ["slack", "discord", "teams"]
    for channel in saved["channels"]:
        assert limits.violations(channel["channel"], channel["payload"]) == []
        assert channel["result"]["delivered"] is False
    assert result.outputs["sent"] == "" and result.outputs["failed"] == ""
    assert "(dry-run)" in result.summary
    assert '"allowed_mentions"' in result.stdout, "the payloads that would be sent are shown"


@pytest.mark.slow
def test_delivers_to_all_three_and_never_shows_a_url(action, tmp_path):
    write(adversarial(), workspace(tmp_path) / "changelog.json")
    with webhooks() as (urls, seen):
        result = action(
            "notify",
            {
                "changelog-json": "changelog.json",
                "discord-webhook-url": urls["discord"],
                "teams-webhook-url": urls["teams"],
            },
            env={"SLACK_WEBHOOK_URL": urls["slack"]},  # the runbook's env fallback
        )
    assert result.returncode == 0, result.log
    assert result.outputs["sent"] == "slack,discord,teams"
    assert result.outputs["failed"] == ""
    assert result.outputs["discord-message-id"] == "998877"
    assert sorted(hit.path.split("?")[0].split("/")[1] for hit in seen) == ["discord", "slack", "teams"]
    assert next(hit.path for hit in seen if hit.path.startswith("/discord")).endswith("?wait=true")
    saved = record(tmp_path)
    for channel in saved["channels"]:
        body = next(hit.body for hit in seen if hit.path.startswith("/" + channel["channel"]))
        assert json.loads(body) == channel["payload"], "the record holds exactly what was sent"
        assert limits.violations(channel["channel"], channel["payload"]) == []
    assert result.stdout.index("::add-mask::") < result.stdout.index("notify:"), "masks go out first"
    assert result.summary.count("✅ sent") == 3
    assert result.env_file == {} and result.path_file == "", "the caller's env and PATH are never touched"
    assert_no_secret(result, tmp_path)


@pytest.mark.slow
def test_a_failed_channel_with_fail_on_error_false(action, tmp_path):
    with webhooks({"teams": 500}) as (urls, seen):
        result = action(
            "notify",
            {
                "tag": "v2.0.0",
                "changelog": "## Fixes\n- one fix",
                "slack-webhook-url": urls["slack"],
                "teams-webhook-url": urls["teams"],
                "fail-on-error": "false",
            },
        )
    assert result.returncode == 0, result.log
    assert result.outputs["sent"] == "slack" and result.outputs["failed"] == "teams"
    assert len(seen) == 2, "the 500 is not retried"
    assert any(
        line.startswith("::warning title=notify::teams: Teams failed (HTTP 500)") for line in result.stdout.splitlines()
    )
    assert "❌ failed" in result.summary


@pytest.mark.slow
def test_fail_on_error_fails_after_trying_every_channel(action, tmp_path):
    with webhooks({"slack": 403, "discord": 404}) as (urls, seen):
        result = action(
            "notify",
            {
                "tag": "v2.0.0",
                "slack-webhook-url": urls["slack"],
                "discord-webhook-url": urls["discord"],
                "teams-webhook-url": urls["teams"],
            },
        )
    assert result.returncode == 1
    assert len(seen) == 3, "every channel is tried"
    assert result.outputs["sent"] == "teams" and result.outputs["failed"] == "slack,discord"
    assert [e.split("::")[2].split(":")[0] for e in result.errors] == ["slack", "discord"]
    assert "unknown webhook" in result.errors[1]
    assert "Traceback" not in result.log
    assert_no_secret(result, tmp_path)


@pytest.mark.slow
def test_no_webhook_is_an_error_unless_dry_run(action):
    result = action("notify", {"tag": "v1.0.0"})
    assert result.returncode == 1
    assert len(result.errors) == 1 and "no webhook is configured" in result.errors[0]


@pytest.mark.slow
def test_a_non_https_webhook_is_refused_without_echoing_it(action):
    url = f"http://hooks.example.com/services/{TOKEN}"
    result = action("notify", {"tag": "v1.0.0", "slack-webhook-url": url})
    assert result.returncode == 1
    assert len(result.errors) == 1 and "input 'slack-webhook-url' uses http://" in result.errors[0]
    assert TOKEN not in "\n".join(line for line in result.stdout.splitlines() if not line.startswith("::add-mask::"))


@pytest.mark.slow
def test_markdown_notes_and_tag_from_the_ref_in_dry_run(action, tmp_path):
    result = action(
        "notify",
        {"changelog": "- first\n- second", "status": "failure", "dry-run": "true"},
        github={"ref": "refs/tags/v3.0.0", "ref_name": "v3.0.0"},
    )
    assert result.returncode == 0, result.log
    saved = record(tmp_path, "v3.0.0")
    slack = saved["channels"][0]["payload"]
    assert slack["blocks"][0]["text"]["text"] == "octo/widget v3.0.0 release failed"
    assert "first" in json.dumps(slack)


@pytest.mark.slow
def test_changelog_json_outside_the_workspace_is_refused(action, tmp_path):
    write(realistic(), tmp_path / "outside.json")
    result = action("notify", {"changelog-json": "../outside.json", "dry-run": "true"})
    assert result.returncode == 1
    assert len(result.errors) == 1 and "input 'changelog-json' '../outside.json' points outside" in result.errors[0]


@pytest.mark.slow
def test_bad_status_is_a_clear_error(action):
    result = action("notify", {"tag": "v1.0.0", "status": "ok", "dry-run": "true"})
    assert result.returncode == 1
    assert result.errors == [
        "::error title=notify::input 'status' must be success, failure or cancelled, got 'ok' — "
        "pass ${{ job.status }} or one of the three words"
    ]


@pytest.mark.slow
def test_announces_what_the_changelog_stage_wrote(action, tmp_path):
    """The contract between stages: notify renders the real changelog JSON, hostile commits included."""
    from gitfactory import RepoBuilder

    repo = RepoBuilder(tmp_path / "repo")
    repo.commit("feat: first")
    repo.git("tag", "v1.0.0")
    repo.commit("feat(api)!: drop the v1 endpoints")
    repo.commit("fix: @everyone <!channel> <@U123> [free](https://evil.example) \u202etxt.exe")
    repo.commit("fix(deps): bump urllib3 for CVE-2026-1234")
    repo.git("tag", "v1.1.0")
    ref = {"ref": "refs/tags/v1.1.0", "ref_name": "v1.1.0"}
    made = action("changelog", {"source": "git"}, workspace=repo.path, github=ref)
    if made.returncode != 0:
        pytest.skip(f"the changelog stage failed here (not notify's contract): {made.errors[:1]}")
    result = action(
        "notify", {"changelog-json": made.outputs["json-file"], "dry-run": "true"}, workspace=repo.path, github=ref
    )
    assert result.returncode == 0, result.log
    saved = json.loads((repo.path / "sovereign-artifacts" / "notify-v1.1.0.json").read_text(encoding="utf-8"))
    text = json.dumps(saved, ensure_ascii=False)
    for channel in saved["channels"]:
        assert limits.violations(channel["channel"], channel["payload"]) == []
    assert "drop the v1 endpoints" in text and "⚠️ Breaking changes" in text
    assert "@everyone" not in text and "\u202e" not in text
    payloads = {c["channel"]: json.dumps(c["payload"], ensure_ascii=False) for c in saved["channels"]}
    assert "&lt;!channel&gt; &lt;@U123&gt;" in payloads["slack"] and "<!channel>" not in payloads["slack"]
    assert "\\\\<!channel\\\\>" in payloads["discord"], "escaped, shown as text"


@pytest.mark.slow
def test_a_blank_first_contributor_hides_nobody(action, tmp_path):
    names = ["\u200b", "bob", "carol", "dave", "erin"]
    write(document([("Fixes", [entry(1, "fix")])], contributors=names), workspace(tmp_path) / "changelog.json")
    result = action("notify", {"changelog-json": "changelog.json", "dry-run": "true"})
    assert result.returncode == 0, result.log
    slack = record(tmp_path)["channels"][0]["payload"]
    (context,) = [b for b in slack["blocks"] if b["type"] == "context"]
    assert context["elements"][0]["text"] == "👥 bob, carol, dave, erin"


GH_TOKEN = "ghs_notifyOnlyToken0123456789"  # the runner's github.token


@pytest.mark.slow
def test_without_a_changelog_the_github_releases_notes_are_announced(action, tmp_path):
    """examples/notify-only.yml: a release published by hand, announced with its own notes."""
    page = "https://github.com/octo/widget/releases/tag/v1.4.0"

    def reply(seen: Seen) -> Reply:
        if seen.path == "/repos/octo/widget/releases/tags/v1.4.0":
            return Reply(
                200, json.dumps({"body": "## Fixes\n- the fix from the release page", "html_url": page}).encode()
            )
        return Reply(200, b"ok", {})

    with serve(reply) as (base, script):
        result = action(
            "notify",
            {"tag": "v1.4.0", "slack-webhook-url": f"{base}/slack/hooks/{TOKEN}"},
            github={"api_url": base, "token": GH_TOKEN},
        )
    assert result.returncode == 0, result.log
    api, hook = script.seen
    assert api.method == "GET" and api.headers["Authorization"] == f"Bearer {GH_TOKEN}"
    sent = json.loads(hook.body)
    assert "the fix from the release page" in json.dumps(sent)
    assert any(e.get("url") == page for b in sent["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert not [line for line in result.stdout.splitlines() if line.startswith("::warning")]
    assert GH_TOKEN not in "\n".join(line for line in result.stdout.splitlines() if not line.startswith("::add-mask::"))
    assert_no_secret(result, tmp_path)


@pytest.mark.slow
def test_without_a_changelog_or_a_token_it_warns_that_the_message_has_no_notes(action, tmp_path):
    result = action("notify", {"tag": "v1.4.0", "dry-run": "true"})
    assert result.returncode == 0, result.log
    (warning,) = [line for line in result.stdout.splitlines() if line.startswith("::warning")]
    assert "the message for v1.4.0 has no release notes" in warning
    assert "pass changelog-json (the changelog stage's json-file output) or changelog" in warning
    assert record(tmp_path)["channels"][0]["payload"]["text"] == "✅ octo/widget v1.4.0 released"


@pytest.mark.slow
def test_a_tag_without_a_published_release_warns_and_still_announces(action, tmp_path):
    with serve([Reply(404, b'{"message": "Not Found"}')]) as (base, script):
        result = action("notify", {"tag": "v1.4.0", "dry-run": "true"}, github={"api_url": base, "token": GH_TOKEN})
    assert result.returncode == 0, result.log
    assert [hit.path for hit in script.seen] == ["/repos/octo/widget/releases/tags/v1.4.0"]
    (warning,) = [line for line in result.stdout.splitlines() if line.startswith("::warning")]
    assert "GitHub found nothing for the release v1.4.0 (Not Found)" in warning and "changelog-json" in warning


def fresh_runner(tmp_path: Path, runner_temp: Path, name: str) -> tuple[Path, Path]:
    """A new runner, as "Re-run failed jobs" gets: an empty workspace and an empty RUNNER_TEMP
    (only the bootstrap's venv is shared, to spare a rebuild); the Actions cache is all that remains."""
    temp = tmp_path / name / "runner-temp"
    temp.mkdir(parents=True)
    (runner_temp / "sovereign").mkdir(exist_ok=True)
    (temp / "sovereign").symlink_to(runner_temp / "sovereign", target_is_directory=True)
    space = tmp_path / name / "workspace"
    space.mkdir()
    write(realistic(), space / "changelog.json")  # the re-run's changelog stage writes it again
    return space, temp


@pytest.mark.slow
def test_a_rerun_sends_only_to_the_channel_that_missed_even_on_a_new_runner(action, tmp_path, runner_temp):
    cache = tmp_path / "actions-cache"
    tag = {"ref": "refs/tags/v1.4.0", "ref_name": "v1.4.0", "run_id": "777"}

    def attempt(number: int, urls: dict[str, str], **more: str):
        space, temp = fresh_runner(tmp_path, runner_temp, f"attempt-{number}")
        inputs = {"changelog-json": "changelog.json", "slack-webhook-url": urls["slack"], **more}
        inputs["discord-webhook-url"] = urls["discord"]
        github = {**tag, "run_attempt": str(number)}
        return action("notify", inputs, workspace=space, runner_temp=temp, github=github, cache=cache), space

    with webhooks({"discord": 500}) as (urls, seen):
        first, space = attempt(1, urls)
    assert first.returncode == 1, "Discord failed: the job fails"
    assert (first.outputs["sent"], first.outputs["failed"], first.outputs["already-sent"]) == ("slack", "discord", "")
    assert sorted(hit.path.split("/")[1] for hit in seen) == ["discord", "slack"]
    delivered = json.loads((space / "sovereign-artifacts" / "notify-deliveries.json").read_text(encoding="utf-8"))
    (slack,) = delivered["deliveries"]
    assert (slack["repository"], slack["tag"], slack["status"], slack["channel"], slack["run"]) == (
        "octo/widget",
        "v1.4.0",
        "success",
        "slack",
        "777/1",
    )
    digest = first.steps["run"]["record-digest"]
    assert f"Cache saved with key: sovereign-notify-v1.4.0:777-1-{digest}" in first.stdout, "saved although it failed"

    with webhooks() as (urls, seen):  # Discord is fixed; "Re-run failed jobs"
        second, _ = attempt(2, urls)
    assert second.returncode == 0, second.log
    assert f"Cache restored from key: sovereign-notify-v1.4.0:777-1-{digest}" in second.stdout
    assert [hit.path.split("/")[1] for hit in seen] == ["discord"], "Slack already had it: not sent again"
    assert (second.outputs["sent"], second.outputs["already-sent"], second.outputs["failed"]) == (
        "discord",
        "slack",
        "",
    )
    assert f"⏭️ already sent | already delivered at {slack['at']} by run 777/1; not sent again" in second.summary
    assert f"slack: already delivered at {slack['at']} by run 777/1; not sent again" in second.stdout
    assert second.outputs["discord-message-id"] == "998877"

    with webhooks() as (urls, seen):  # once more: everything was delivered, nothing is sent or saved
        third, _ = attempt(3, urls)
    assert third.returncode == 0 and seen == []
    assert third.outputs["already-sent"] == "slack,discord" and third.outputs["sent"] == ""
    assert third.outputs["discord-message-id"] == "998877", "the recorded id of the message already there"
    assert "Cache saved" not in third.stdout and "Failed to save" not in third.stdout

    with webhooks() as (urls, seen):  # a deliberate re-announcement
        fourth, _ = attempt(4, urls, resend="true")
    assert fourth.returncode == 0, fourth.log
    assert sorted(hit.path.split("/")[1] for hit in seen) == ["discord", "slack"]
    assert fourth.outputs["sent"] == "slack,discord" and fourth.outputs["already-sent"] == ""
    assert "::notice title=notify::resend is on: announcing again to slack, discord" in fourth.stdout
    assert "Cache saved with key: sovereign-notify-v1.4.0:777-4-" in fourth.stdout
    assert TOKEN not in "".join(p.read_text(encoding="utf-8") for p in cache.rglob("*.json")), "no secret is cached"


@pytest.mark.slow
def test_a_failure_broadcast_is_not_the_success_message_already_sent(action, tmp_path):
    write(realistic(), workspace(tmp_path) / "changelog.json")
    with webhooks() as (urls, seen):
        inputs = {"changelog-json": "changelog.json", "slack-webhook-url": urls["slack"]}
        assert action("notify", inputs).returncode == 0
        again = action("notify", inputs)  # the same workspace: the record on disk, as on a laptop
        failure = action("notify", {**inputs, "status": "failure"})
    assert again.returncode == 0 and again.outputs["already-sent"] == "slack"
    assert failure.returncode == 0 and failure.outputs["sent"] == "slack"
    assert len(seen) == 2


@pytest.mark.slow
def test_a_tag_other_than_the_changelog_json_tag_is_refused_and_nothing_is_sent(action, tmp_path):
    write(realistic(), workspace(tmp_path) / "changelog.json")  # the changelog of v1.4.0
    with webhooks() as (urls, seen):
        result = action(
            "notify", {"tag": "v9.9.9", "changelog-json": "changelog.json", "slack-webhook-url": urls["slack"]}
        )
    assert result.returncode == 1
    assert result.errors == [
        "::error title=notify::input 'changelog-json' describes 'v1.4.0', not the release tag 'v9.9.9' — "
        "pass the changelog-<tag>.json written for this release"
    ]
    assert seen == [], "nothing was sent"
    assert not (workspace(tmp_path) / "sovereign-artifacts").exists(), "nothing was written"


@pytest.mark.slow
def test_a_tag_the_cache_cannot_key_is_still_announced(action):
    with webhooks() as (urls, seen):
        result = action("notify", {"tag": "v1,0", "changelog": "- one", "slack-webhook-url": urls["slack"]})
    assert result.returncode == 0, result.log
    assert "::error::Key Validation Error: sovereign-notify-v1,0:4242 cannot contain commas" in result.stdout
    assert result.outputs["sent"] == "slack" and len(seen) == 1, "the restore step may fail; the broadcast goes on"
    assert "::warning::Key Validation Error" in result.stdout, "and its record is not cached"
