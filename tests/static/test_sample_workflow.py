"""The sample workflow and the README's one-step example archive every stage's files, notify's
included and after a failure too, and wire all three channels."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WEBHOOKS = {
    "slack-webhook-url": "${{ secrets.SLACK_WEBHOOK_URL }}",
    "discord-webhook-url": "${{ secrets.DISCORD_WEBHOOK_URL }}",
    "teams-webhook-url": "${{ secrets.TEAMS_WEBHOOK_URL }}",
}
PINNED = re.compile(r"actions/[a-z-]+@[0-9a-f]{40}")


def sample_steps() -> list[dict]:
    workflow = yaml.safe_load((ROOT / "examples" / "workflows" / "sovereign-release.yml").read_text(encoding="utf-8"))
    return workflow["jobs"]["release"]["steps"]


def readme_steps() -> list[dict]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adopt it", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    return yaml.safe_load(block)["jobs"]["release"]["steps"]


def test_the_archive_is_the_last_step_and_runs_always():
    for steps in (sample_steps(), readme_steps()):
        last = steps[-1]
        assert last["uses"].startswith("actions/upload-artifact@") and PINNED.match(last["uses"])
        assert last["if"] == "${{ always() }}"
        assert last["with"]["path"] == "sovereign-artifacts/"
        assert "github.run_attempt" in last["with"]["name"], "upload-artifact v4 refuses a name twice in a run"
        assert sum("upload-artifact" in s.get("uses", "") for s in steps) == 1


def test_every_broadcast_reaches_all_three_channels():
    notifies = [s for s in sample_steps() if "/notify@" in s.get("uses", "")]
    assert [s["id"] for s in notifies] == ["notify", "notify-failure"]
    assert [s["if"] for s in notifies] == ["${{ success() }}", "${{ failure() }}"]
    for step in notifies:
        assert {k: step["with"][k] for k in WEBHOOKS} == WEBHOOKS
    [ritual] = [s for s in readme_steps() if s.get("uses", "").startswith("org/sovereign@")]
    assert {k: ritual["with"][k] for k in WEBHOOKS} == WEBHOOKS


def test_every_action_from_github_is_pinned_by_sha():
    for steps in (sample_steps(), readme_steps()):
        for step in steps:
            if step.get("uses", "").startswith("actions/"):
                assert PINNED.fullmatch(step["uses"]), step["uses"]
