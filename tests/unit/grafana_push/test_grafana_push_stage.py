"""The grafana-push stage end to end in-process: metrics pushes, bad input, secrets, files."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import responses
from gitfactory import RepoBuilder

from sovereign.gha import Step, execute
from sovereign.grafana_push.stage import STAGE
from sovereign.http import RetryPolicy

INFLUX = "http://127.0.0.1:8086/write?db=releases"
TOKEN = "glc_Metrics-Token-abcdef123456"
KEY = "glsa_Grafana-Key-abcdef123456"
CHANGELOG = {
    "schema": "sovereign.changelog/v1",
    "tag": "v1.2.3",
    "previous_tag": "v1.2.2",
    "repository": "octo/widget",
    "sections": [],
    "breaking": [],
    "security": [{"title": "CVE"}],
    "contributors": ["ada"],
    "stats": {"commits": 5, "prs": 2},
}


@dataclass
class Result:
    code: int
    log: str
    outputs: dict[str, str]
    summary: str
    report_text: str

    @property
    def errors(self) -> list[str]:
        return [line for line in self.log.splitlines() if line.startswith("::error")]


def run(tmp_path: Path, changelog: dict | None = CHANGELOG, **flags: str) -> Result:
    if changelog is not None:
        (tmp_path / "changelog.json").write_text(json.dumps(changelog), encoding="utf-8")
        flags.setdefault("changelog-json", "changelog.json")
    lines: list[str] = []
    summary = tmp_path / "summary.md"
    environ = {
        "GITHUB_ACTIONS": "true",  # the log as the runner reads it
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_REPOSITORY": "octo/widget",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    step = Step("grafana-push", environ, out=lines.append)
    cli = {"tag": "v1.2.3", "annotation": "false", **flags}
    code = execute(STAGE, cli, environ, step)
    report = tmp_path / "sovereign-artifacts" / "grafana-push-v1.2.3.json"
    return Result(
        code,
        "\n".join(line for line in lines if not line.startswith("::add-mask::")),
        step.outputs,
        summary.read_text() if summary.exists() else "",
        report.read_text() if report.exists() else "",
    )


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(RetryPolicy, "sleep", lambda self, response=None: None)


# -- pushes ---------------------------------------------------------------------------


@responses.activate
def test_influx_push_with_basic_auth(tmp_path):
    responses.post(INFLUX.split("?", maxsplit=1)[0], status=204)
    result = run(
        tmp_path, **{"metrics-url": INFLUX, "metrics-user": "123456", "metrics-token": TOKEN, "verbose": "true"}
    )
    assert result.code == 0, result.log
    [call] = responses.calls
    assert call.request.url == INFLUX
    pair = base64.b64encode(f"123456:{TOKEN}".encode()).decode()
    assert call.request.headers["Authorization"] == f"Basic {pair}"
    assert call.request.headers["Content-Type"] == "text/plain; charset=utf-8"
    body = call.request.body.decode()
    assert body.startswith(
        "sovereign_release,repository=octo/widget,tag=v1.2.3 "
        "commits=5i,pull_requests=2i,contributors=1i,breaking_changes=0i,security_fixes=1i "
    )
    assert body.endswith("\n") and body.count("\n") == 1
    assert result.outputs["metrics-count"] == "5"
    for secret in (TOKEN, pair):
        assert secret not in result.log and secret not in result.report_text and secret not in result.summary
    assert "Metrics: 5 pushed to `127.0.0.1` as influx." in result.summary


@responses.activate
def test_token_alone_is_a_bearer_token_and_graphite_json_is_posted(tmp_path):
    url = "https://graphite-prod-1.grafana.net/graphite/metrics"
    responses.post(url, json={"status": "ok"})
    result = run(
        tmp_path, **{"metrics-url": url, "metrics-token": TOKEN, "metrics-format": "graphite", "metrics": "x 1"}
    )
    assert result.code == 0, result.log
    [call] = responses.calls
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert call.request.headers["Content-Type"] == "application/json"
    points = json.loads(call.request.body)
    assert [p["name"] for p in points][-1] == "x"
    assert all(set(p) == {"name", "interval", "value", "time", "tags"} for p in points)
    assert TOKEN not in result.log


@responses.activate
def test_prometheus_put_to_the_grouping_key_and_a_5xx_put_is_retried(tmp_path):
    group = "http://127.0.0.1:9091/metrics/job/sovereign/repository@base64/b2N0by93aWRnZXQ=/tag/v1.2.3"
    responses.put(group, status=503)
    responses.put(group, status=200)
    result = run(tmp_path, **{"metrics-url": "http://127.0.0.1:9091", "metrics-format": "prometheus"})
    assert result.code == 0, result.log
    assert len(responses.calls) == 2, "PUT replaces the group: safe to retry"
    assert "Authorization" not in responses.calls[0].request.headers


@responses.activate
def test_a_5xx_on_a_metrics_post_is_not_retried_and_fails_clearly(tmp_path):
    responses.post(INFLUX.split("?", maxsplit=1)[0], status=500, body="engine exploded")
    result = run(tmp_path, **{"metrics-url": INFLUX})
    assert result.code == 1
    assert len(responses.calls) == 1
    assert result.errors == [
        "::error title=grafana-push::the metrics endpoint (POST metrics-url) answered HTTP 500: engine exploded"
        " — the server failed: try again later"
    ]


@responses.activate
def test_grafana_clouds_influx_endpoint_gets_write_appended(tmp_path):
    responses.post("https://influx-prod-1.grafana.net/api/v1/push/influx/write", status=204)
    result = run(
        tmp_path, **{"metrics-url": "https://influx-prod-1.grafana.net/api/v1/push/influx", "metrics-token": TOKEN}
    )
    assert result.code == 0, result.log


@responses.activate
def test_dry_run_prints_the_exact_lines_and_sends_nothing(tmp_path):
    result = run(tmp_path, **{"dry-run": "true", "metrics": 'deploy{env="prod, eu"} 3', "metrics-token": TOKEN})
    assert result.code == 0, result.log
    assert not responses.calls
    assert "dry-run: would POST <metrics-url> (influx, Bearer, Content-Type: text/plain; charset=utf-8):" in result.log
    assert "deploy,env=prod\\,\\ eu,repository=octo/widget,tag=v1.2.3 value=3 " in result.log
    report = json.loads(result.report_text)
    assert report["dry_run"] is True and report["metrics"]["sent"] is False
    assert report["metrics"]["body"].splitlines()[1].startswith("deploy,env=prod")
    assert result.outputs["metrics-count"] == "6"
    assert result.outputs["report-file"].endswith("sovereign-artifacts/grafana-push-v1.2.3.json")


def test_release_metrics_without_a_metrics_url_are_computed_not_pushed(tmp_path):
    result = run(tmp_path, **{"grafana-url": "https://grafana.example", "grafana-api-key": KEY, "annotation": "false"})
    assert result.code == 0, result.log
    assert "no metrics-url: 5 release metric(s) computed, not pushed" in result.log
    assert result.outputs["metrics-count"] == "0"


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "error"),
    [
        ({"metrics-url": "http://metrics.example/write"}, "input 'metrics-url' uses http:// for a non-loopback host"),
        (
            {"metrics-url": INFLUX, "metrics-format": "statsd"},
            "input 'metrics-format' is 'statsd', which is not a known format",
        ),
        (
            {"metrics-url": INFLUX, "metrics": "ok 1\nbroken line"},
            "input 'metrics' line 2 'broken line' does not parse",
        ),
        ({"metrics-url": INFLUX, "metrics-user": "me"}, "input 'metrics-user' is set but 'metrics-token' is empty"),
        ({"grafana-url": "https://g.example", "metrics": "x 1"}, "input 'metrics' is set but 'metrics-url' is empty"),
        ({"metrics-url": INFLUX, "changelog-json": "missing.json"}, "input 'changelog-json': file"),
        (
            {"metrics-url": INFLUX, "tag": "v1.2.4"},
            "input 'changelog-json' describes 'v1.2.3', not the release tag 'v1.2.4'",
        ),
        ({"metrics-url": INFLUX, "tag": "v1 2"}, "input 'tag' 'v1 2' is not a usable release tag"),
        ({"metrics-url": INFLUX, "annotation": "maybe"}, "input 'annotation' must be a boolean"),
    ],
)
@responses.activate
def test_bad_input_is_one_clear_error_and_nothing_is_sent(tmp_path, flags, error):
    result = run(tmp_path, **flags)
    assert result.code in (1, 2)
    assert len(result.errors) == 1 and error in result.errors[0], result.log
    assert "Traceback" not in result.log
    assert not responses.calls


@responses.activate
def test_a_changelog_that_is_not_json_names_the_file(tmp_path):
    (tmp_path / "notes.json").write_text("{not json", encoding="utf-8")
    result = run(tmp_path, None, **{"metrics-url": INFLUX, "changelog-json": "notes.json"})
    assert result.code == 1
    assert "notes.json is not valid JSON (line 1, column 2" in result.errors[0]


@responses.activate
def test_repository_is_required(tmp_path):
    lines: list[str] = []
    environ = {"GITHUB_WORKSPACE": str(tmp_path)}
    code = execute(STAGE, {"tag": "v1", "dry-run": "true"}, environ, Step("grafana-push", environ, out=lines.append))
    assert code == 1
    assert (
        "input 'repository' is empty, GITHUB_REPOSITORY is not set and the checkout has no GitHub origin remote"
        in "\n".join(lines)
    )


# -- days since the previous release from the checkout ----------------------------------


def test_days_since_previous_come_from_git_when_the_changelog_has_no_dates(tmp_path):
    repo = RepoBuilder(tmp_path)
    repo.commit("first")
    repo.tag("v1.2.2")
    for n in range(5):
        repo.commit(f"change {n}")
    repo.tag("v1.2.3", annotated=True)
    result = run(tmp_path, **{"dry-run": "true"})
    assert result.code == 0, result.log
    assert ",days_since_previous=0.208 " in result.log, "5 commits an hour apart"


def test_no_git_and_no_dates_leave_the_metric_out(tmp_path):
    result = run(tmp_path, **{"dry-run": "true"})
    assert result.code == 0, result.log
    assert "days_since_previous" not in result.log


@pytest.mark.parametrize(
    "flags",
    [
        {"metrics-format": "prometheus", "metrics": "deploy.time 3"},
        {"metrics-user": "me"},
        {"metrics": "x 1\nx 2"},
    ],
)
@responses.activate
def test_metrics_problems_stop_the_stage_before_the_annotation_is_sent(tmp_path, flags):
    result = run(
        tmp_path,
        **{"annotation": "true", "grafana-url": "https://grafana.example", "grafana-api-key": KEY},
        **{"metrics-url": "http://127.0.0.1:9091", **flags},
    )
    assert result.code == 1 and len(result.errors) == 1, result.log
    assert not responses.calls, "no marker for a release whose metrics cannot be pushed"
