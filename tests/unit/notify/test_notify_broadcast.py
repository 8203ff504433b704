"""The run below stage.py, driven by a Settings built by hand: no Inputs, no runner interface."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from fixtures.notify.factory import realistic, settings

from sovereign.gha import Secret, Step
from sovereign.notify.broadcast import broadcast, build_message, mask_tokens
from sovereign.notify.message import BREAKING, SECURITY
from sovereign.notify.settings import Settings

ENV = {"GITHUB_SERVER_URL": "https://ghe.example.com", "GITHUB_REPOSITORY": "octo/widget", "GITHUB_RUN_ID": "77"}
DISCORD = "https://discord.com/api/webhooks/123/tok-en_SECRET"


def make(tmp_path: Path, **changes: object) -> Settings:
    return settings(tmp_path, **{"changelog": realistic(), **changes})


def test_message_from_the_changelog_json(tmp_path):
    message = build_message(make(tmp_path, snapshot_url="https://grafana.example/s/abc"), ENV)
    assert (message.title, message.tag, message.repository) == ("octo/widget v1.4.0 released", "v1.4.0", "octo/widget")
    assert [g.title for g in message.highlights] == [BREAKING, SECURITY]
    assert [link.label for link in message.links] == ["Release", "Compare", "Snapshot", "Run"]
    assert message.links[-1].url == "https://ghe.example.com/octo/widget/actions/runs/77"


def test_settings_win_over_the_document(tmp_path):
    chosen = make(tmp_path, status="failure", repository="o/r", tag="v9.9.9", release_url="https://x.example/r")
    message = build_message(chosen, {})
    assert (message.title, message.status, message.tag) == ("o/r v9.9.9 release failed", "failure", "v9.9.9")
    assert message.notes_url == "https://x.example/r"
    assert build_message(dataclasses.replace(chosen, title="Ship it"), {}).title == "Ship it"


def test_message_from_markdown_notes_when_there_is_no_changelog_json(tmp_path):
    notes = make(tmp_path, changelog=None, notes="## Fixes\n- one\n- two\n", repository="o/r", tag="v2.0.0")
    message = build_message(notes, ENV)
    assert [(g.title, [i.text for i in g.items]) for g in message.groups] == [("Fixes", ["one", "two"])]
    assert (message.title, message.highlights) == ("o/r v2.0.0 released", ())
    assert message.notes_url == "https://ghe.example.com/octo/widget/actions/runs/77"


def test_dry_run_from_settings_writes_the_record_and_the_outputs(tmp_path):
    lines: list[str] = []
    step = Step("notify", {**ENV, "GITHUB_ACTIONS": "true"}, out=lines.append)
    chosen = make(tmp_path, webhooks={"discord": Secret(DISCORD)}, notes_ignored=True, artifacts_dir=tmp_path / "out")
    broadcast(step, chosen)
    record = json.loads((tmp_path / "out" / "notify-v1.4.0.json").read_text(encoding="utf-8"))
    assert [c["channel"] for c in record["channels"]] == ["discord"] and record["dry_run"] is True
    assert step.outputs["notify-file"] == str(tmp_path / "out" / "notify-v1.4.0.json")
    assert (step.outputs["sent"], step.outputs["failed"]) == ("", "")
    shown = [line for line in lines if not line.startswith("::add-mask::")]  # the runner consumes these
    assert shown[0].startswith("::notice") and "the JSON is used" in shown[0]
    assert step.redact("/api/webhooks/123/tok-en_SECRET") == "***", "the token part is masked before any output"


@pytest.mark.parametrize(
    ("url", "path", "masked"),
    [(DISCORD, "/api/webhooks/123/tok-en_SECRET", True), ("https://h.example/short", "/short", False)],
)
def test_only_a_path_long_enough_to_hold_a_token_is_masked(url, path, masked):
    step = Step("notify", {}, out=lambda _: None)
    mask_tokens(step, {"discord": Secret(url)})
    assert (step.redact(path) == "***") is masked
