"""The preview page built from artifact files, and its refresh by the stages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from preview_static import links, problems

from sovereign.gha import Step
from sovereign.preview import page, refresh

TAG = "v1.2.3"
EVIL = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def write(directory: Path, name: str, data: object) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else json.dumps(data)
    (directory / name).write_text(text, encoding="utf-8")


def hostile_artifacts(directory: Path) -> None:
    write(
        directory,
        f"sentinel-{TAG}.json",
        {"tag": TAG, "checks": [{"name": EVIL, "result": "fail", "reason": EVIL, "fix": EVIL}]},
    )
    write(directory, f"changelog-{TAG}.md", f"## {EVIL}\n\n- {EVIL} ([x](javascript:alert(3)))\n")
    write(directory, f"changelog-{TAG}.json", {"repository": EVIL, "tag": TAG})
    payloads = {
        "slack": {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"<javascript:alert(1)|{EVIL}>"}}]},
        "discord": {"embeds": [{"title": EVIL, "url": "javascript:alert(1)", "color": EVIL}]},
        "teams": {
            "type": "AdaptiveCard",
            "body": [{"type": "TextBlock", "text": EVIL}],
            "actions": [{"type": "Action.OpenUrl", "title": EVIL, "url": "data:x"}],
        },
        EVIL: {},
    }
    channels = [{"channel": k, "payload": v, "result": {"detail": EVIL}} for k, v in payloads.items()]
    write(directory, f"notify-{TAG}.json", {"dry_run": True, "channels": channels})
    annotation = {"action": EVIL, "body": {"text": EVIL + '<a href="javascript:x">a</a>', "tags": [EVIL]}}
    write(directory, f"grafana-push-{TAG}.json", {"annotation": annotation, "metrics": {"series": [{"name": EVIL}]}})
    panel = {
        "type": "timeseries",
        "title": EVIL,
        "targets": [
            {
                "snapshot": [
                    {
                        "schema": {"fields": [{"type": "time"}, {"type": "number", "labels": {EVIL: EVIL}}]},
                        "data": {"values": [[1, 2], [3, 4]]},
                    }
                ]
            }
        ],
    }
    write(
        directory,
        f"grafana-snapshot-{TAG}.json",
        {"request": {"name": EVIL, "dashboard": {"panels": [panel]}}, "response": {"url": "javascript:alert(1)"}},
    )


def test_an_empty_directory_says_what_is_missing(tmp_path):
    html = page.build(tmp_path, TAG)
    assert html.count('class="missing"') == 5
    assert f"no <code>sentinel-{TAG}.json</code>. Run sentinel" in html
    assert not problems(html)


def test_hostile_artifacts_stay_text(tmp_path):
    hostile_artifacts(tmp_path)
    html = page.build(tmp_path, TAG, stage="notify")
    assert not problems(html), problems(html)
    assert "<script>" not in html and "<img" not in html and "javascript:" not in " ".join(links(html))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<svg class="spark"' in html


def test_unreadable_artifacts_are_reported_not_fatal(tmp_path):
    write(tmp_path, f"notify-{TAG}.json", "{not json")
    write(tmp_path, f"sentinel-{TAG}.json", "[1, 2]")
    write(tmp_path, f"grafana-push-{TAG}.json", {"annotation": "text", "metrics": [1]})
    html = page.build(tmp_path, TAG)
    assert f"notify-{TAG}.json is not valid JSON" in html
    assert f"sentinel-{TAG}.json does not hold a JSON object" in html
    assert "No metrics pushed." in html


def test_refresh_writes_the_page_and_links_it_from_the_summary(tmp_path):
    summary = tmp_path / "summary.md"
    summary.touch()
    workspace = tmp_path / "ws"
    environ = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_RUN_ID": "77",
    }
    lines: list[str] = []
    step = Step("changelog", environ, out=lines.append)
    step.mask("s3cr3t-token-value")
    write(workspace / "sovereign-artifacts", f"sentinel-{TAG}.json", {"checks": [{"name": "s3cr3t-token-value"}]})
    path = refresh(workspace / "sovereign-artifacts", TAG, step)
    assert path == workspace / "sovereign-artifacts" / f"preview-{TAG}.html"
    text = path.read_text(encoding="utf-8")
    assert "Refreshed by changelog" in text and "s3cr3t-token-value" not in text, "secrets are redacted"
    assert lines[-1] == f"preview: {path}"
    assert summary.read_text() == (
        f"Release preview: `sovereign-artifacts/preview-{TAG}.html` in "
        "[the run's artifacts](https://github.com/o/r/actions/runs/77#artifacts) once the directory is uploaded"
        " — open it in a browser.\n\n"
    )


def test_a_preview_that_cannot_be_written_is_a_warning(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    lines: list[str] = []
    assert refresh(blocker, TAG, Step("notify", {"GITHUB_ACTIONS": "true"}, out=lines.append)) is None
    assert lines[-1].startswith("::warning title=notify::the release preview was not written")


@pytest.mark.parametrize("stage", ["sentinel", "changelog", "grafana_push", "grafana_snapshot", "notify"])
def test_every_stage_refreshes_the_preview(stage):
    package = Path(__file__).resolve().parents[3] / "src" / "sovereign" / stage
    assert any("preview.refresh(" in module.read_text() for module in package.glob("*.py"))


def test_huge_notes_show_their_start_and_name_the_file(tmp_path):
    lines = [f"- change number {i}" for i in range(page.NOTES_LINES + 500)]
    (tmp_path / f"changelog-{TAG}.md").write_text("\n".join(lines), encoding="utf-8")
    html = page.build(tmp_path, TAG)
    assert "change number 1999" in html and "change number 2000" not in html
    assert f"… 500 more lines in changelog-{TAG}.md" in html
    short = tmp_path / "short"
    short.mkdir()
    (short / f"changelog-{TAG}.md").write_text("\n".join(lines[:10]), encoding="utf-8")
    assert "more lines in" not in page.build(short, TAG)
