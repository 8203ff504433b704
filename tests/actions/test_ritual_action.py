"""The whole ritual (root action.yml) through the harness, on a real sample repository."""

from __future__ import annotations

import json

import pytest
from gitfactory import RepoBuilder
from localserver import Reply, serve

HISTORY = [
    ("feat: first public API", "v1.0.0"),
    ("fix(parser): accept empty input", None),
    ("feat(cli)!: rename --out to --output\n\nBREAKING CHANGE: --out is gone.", None),
    ("fix(deps): bump urllib3 for CVE-2026-1234", None),
    ("docs: explain the release ritual", "v1.1.0"),
]


@pytest.fixture
def sample(repo: RepoBuilder) -> RepoBuilder:
    for message, tag in HISTORY:
        repo.commit(message)
        if tag:
            repo.tag(tag)
    return repo


def test_whole_ritual_in_dry_run(action, sample):
    result = action(".", {"tag": "v1.1.0", "dry-run": "true"}, workspace=sample.path)
    assert result.returncode == 0, result.log
    artifacts = sample.path / "sovereign-artifacts"
    written = sorted(p.name for p in artifacts.iterdir())
    assert written == [
        "changelog-v1.1.0.json",
        "changelog-v1.1.0.md",
        "grafana-push-v1.1.0.json",
        "notify-v1.1.0.json",
        "preview-v1.1.0.html",
        "sentinel-v1.1.0.json",
    ]
    page = (artifacts / "preview-v1.1.0.html").read_text()
    assert "rename --out to --output" in page and "Not run yet: no <code>grafana-snapshot-v1.1.0.json" in page
    assert "Release preview: `sovereign-artifacts/preview-v1.1.0.html`" in result.summary
    changelog = json.loads((artifacts / "changelog-v1.1.0.json").read_text())
    assert changelog["previous_tag"] == "v1.0.0" and len(changelog["breaking"]) == 1
    notify = json.loads((artifacts / "notify-v1.1.0.json").read_text())
    assert "rename --out to --output" in json.dumps(notify), "notify was fed the changelog JSON"
    assert result.outputs["version"] == "1.1.0"
    assert result.outputs["sentinel-previous-tag"] == result.outputs["changelog-previous-tag"] == "v1.0.0"
    assert result.outputs["json-file"].endswith("changelog-v1.1.0.json")
    assert result.outputs["artifacts-dir"] == str(artifacts)
    assert "grafana-snapshot skipped: it needs grafana-url and dashboard-uid" in result.stdout
    assert "## Sovereign release ritual" in result.summary
    assert "| grafana-snapshot | ⏭️ skipped |" in result.summary


def test_failing_sentinel_halts_and_broadcasts_the_failure(action, sample):
    with serve([Reply(200, b'{"id": "99"}')]) as (url, hook):
        result = action(
            ".",
            {"tag": "v1.0.0", "discord-webhook-url": f"{url}/api/webhooks/1/secret-token-abc"},
            workspace=sample.path,
        )
    assert result.returncode == 1
    assert any("require-newer" in line for line in result.errors), result.stdout
    assert result.errors[-1].startswith("::error title=ritual::the ritual halted: sentinel failed")
    assert not (sample.path / "sovereign-artifacts" / "changelog-v1.0.0.md").exists(), "nothing after the failure ran"
    assert len(hook.seen) == 1, "exactly one failure broadcast"
    body = json.loads(hook.seen[0].body)
    assert "sentinel failed" in json.dumps(body)
    assert body["allowed_mentions"] == {"parse": []}
    assert "actions/runs/4242" in json.dumps(body), "the broadcast links the run"
    shown = [line for line in result.log.splitlines() if not line.startswith("::add-mask::")]
    printed = [line for line in result.stdout.splitlines() if not line.startswith(("Sovereign: ", "Cache "))]
    assert printed[0].startswith("::add-mask::"), "masks go out before anything the stages print"
    assert not any("secret-token-abc" in line for line in shown) and "secret-token-abc" not in result.summary
    assert "| changelog | ⏸️ not run |" in result.summary
    page = (sample.path / "sovereign-artifacts" / "preview-v1.0.0.html").read_text()
    assert '<tr class="fail"><td><code>require-newer</code>' in page, "the preview shows the failed check"
    assert "sentinel failed" in page and "secret-token-abc" not in page


def test_stages_selects_and_unconfigured_stages_are_skipped(action, sample):
    result = action(".", {"tag": "v1.1.0", "stages": "sentinel,changelog,notify"}, workspace=sample.path)
    assert result.returncode == 0, result.log
    assert "notify skipped: no webhook URL is configured" in result.stdout
    assert "grafana-push" not in result.summary
    assert (sample.path / "sovereign-artifacts" / "changelog-v1.1.0.md").exists()


def test_unknown_stage_is_a_clear_error(action, sample):
    result = action(".", {"tag": "v1.1.0", "stages": "sentinel,deploy"}, workspace=sample.path)
    assert result.returncode == 1
    assert result.errors == [
        "::error title=ritual::input 'stages' names unknown stage(s): deploy — "
        "use a comma-separated subset of sentinel,changelog,grafana-push,grafana-snapshot,notify"
    ]


def test_a_ritual_rerun_on_a_new_runner_posts_only_to_the_channel_that_missed(action, tmp_path):
    """The ritual action carries notify's delivery-record cache steps too."""
    codes = {"slack": [200], "discord": [500, 200]}

    def reply(seen):
        channel = seen.path.split("/")[1]
        return Reply(codes[channel].pop(0) if len(codes[channel]) > 1 else codes[channel][0], b'{"id": "7"}')

    with serve(reply) as (url, hook):
        inputs = {
            "stages": "notify",
            "tag": "v1.1.0",
            "changelog": "- one fix",
            "slack-webhook-url": f"{url}/slack/hooks/secret-token-abc",
            "discord-webhook-url": f"{url}/discord/hooks/secret-token-abc",
        }
        results = []
        for attempt in ("1", "2"):
            space = tmp_path / f"attempt-{attempt}"  # "Re-run failed jobs": an empty workspace
            space.mkdir()
            github = {"run_id": "31", "run_attempt": attempt}
            results.append(action(".", inputs, workspace=space, github=github, cache=tmp_path / "cache"))
    first, second = results
    assert first.returncode == 1 and (first.outputs["sent"], first.outputs["failed"]) == ("slack", "discord")
    assert second.returncode == 0, second.log
    assert [hit.path.split("/")[1] for hit in hook.seen] == ["slack", "discord", "discord"]
    assert (second.outputs["sent"], second.outputs["already-sent"]) == ("discord", "slack")
    assert "Cache restored from key: sovereign-notify-v1.1.0:31-1-" in second.stdout
