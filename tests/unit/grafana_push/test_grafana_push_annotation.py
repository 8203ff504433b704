"""The release annotation against Grafana's HTTP API (mocked with ``responses``).

Payload shapes, the Bearer header, dashboards by UID, update-instead-of-duplicate,
and Grafana's refusals: 401/403/404/5xx, 429 with Retry-After.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from localserver import Reply, Seen, serve

from sovereign.gha import Step, execute
from sovereign.grafana_push.annotation import Marker, default_text, marker_tags, update_payload
from sovereign.grafana_push.stage import STAGE

GRAFANA = "https://grafana.example"
KEY = "glsa_Secret-Key-0123456789"
ANNOTATIONS = f"{GRAFANA}/api/annotations"
TAGS = ["release", "octo/widget", "v1.2.3"]
TAGS_T = tuple(TAGS)


@dataclass
class Result:
    code: int
    log: str
    outputs: dict[str, str]
    summary: str
    report: dict


def run(tmp_path: Path, env: dict[str, str] | None = None, **flags: str) -> Result:
    lines: list[str] = []
    summary = tmp_path / "summary.md"
    environ = {
        "GITHUB_ACTIONS": "true",  # the log as the runner reads it
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_REPOSITORY": "octo/widget",
        "GITHUB_STEP_SUMMARY": str(summary),
        **(env or {}),
    }
    step = Step("grafana-push", environ, out=lines.append)
    cli = {"tag": "v1.2.3", "grafana-url": GRAFANA, "grafana-api-key": KEY, **flags}
    code = execute(STAGE, {k: v for k, v in cli.items() if v is not None}, environ, step)
    report_file = tmp_path / "sovereign-artifacts" / "grafana-push-v1.2.3.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    return Result(
        code,
        "\n".join(line for line in lines if not line.startswith("::add-mask::")),
        step.outputs,
        summary.read_text() if summary.exists() else "",
        report,
    )


def calls(method: str) -> list:
    return [c for c in responses.calls if c.request.method == method]


def sent_json(call) -> dict:
    return json.loads(call.request.body)


@responses.activate
def test_creates_an_annotation_on_a_dashboard_by_uid(tmp_path):
    responses.get(ANNOTATIONS, json=[])
    responses.post(ANNOTATIONS, json={"message": "Annotation added", "id": 17})
    before = int(time.time() * 1000)
    result = run(
        tmp_path, {"GITHUB_SERVER_URL": "https://ghe.example", "GITHUB_RUN_ID": "99"}, **{"dashboard-uid": "dash-1"}
    )
    assert result.code == 0, result.log
    assert result.outputs["annotation-id"] == "17"
    [search], [post] = calls("GET"), calls("POST")
    query = parse_qs(urlsplit(search.request.url).query)
    assert query == {"tags": TAGS, "type": ["annotation"], "limit": ["100"], "dashboardUID": ["dash-1"]}
    assert post.request.headers["Authorization"] == f"Bearer {KEY}"
    body = sent_json(post)
    assert set(body) == {"time", "tags", "text", "dashboardUID"}, "by UID, never the deprecated dashboardId"
    assert body["dashboardUID"] == "dash-1" and body["tags"] == TAGS
    assert before <= body["time"] <= int(time.time() * 1000), "epoch milliseconds"
    assert body["text"].startswith("<b>octo/widget v1.2.3</b>")
    assert '<a href="https://ghe.example/octo/widget/releases/tag/v1.2.3">release</a>' in body["text"]
    assert '<a href="https://ghe.example/octo/widget/actions/runs/99">run</a>' in body["text"]
    assert "annotation 17 created (dashboard dash-1)" in result.log
    assert "Annotation #17: created, dashboard `dash-1`" in result.summary
    assert result.report["annotation"]["body"] == body


@responses.activate
def test_organisation_wide_annotation_has_no_dashboard_and_keeps_user_tags_and_text(tmp_path):
    responses.get(ANNOTATIONS, json=[])
    responses.post(ANNOTATIONS, json={"id": 3})
    result = run(
        tmp_path,
        **{"annotation-tags": "deploy, prod\nrelease", "annotation-text": "Shipped <b>it</b>", "dashboard-uid": ""},
    )
    assert result.code == 0, result.log
    body = sent_json(calls("POST")[0])
    assert body == {"time": body["time"], "tags": [*TAGS, "deploy", "prod"], "text": "Shipped <b>it</b>"}
    assert "dashboardUID" not in parse_qs(urlsplit(calls("GET")[0].request.url).query)


EXISTING = {
    "id": 5,
    "dashboardUID": "dash-1",
    "dashboardId": 7,
    "time": 1_700_000_000_000,
    "timeEnd": 1_700_000_000_000,
}


@responses.activate
def test_rerun_updates_the_existing_marker_instead_of_stacking_another(tmp_path):
    responses.get(
        ANNOTATIONS,
        json=[
            {**EXISTING, "tags": [*TAGS, "deploy"]},
            {**EXISTING, "id": 6, "dashboardUID": "other", "tags": TAGS},  # another dashboard
            {**EXISTING, "id": 7, "tags": ["release", "octo/widget"]},  # Grafana's search may match loosely
        ],
    )
    responses.put(f"{ANNOTATIONS}/5", json={"message": "Annotation updated"})
    result = run(tmp_path, **{"dashboard-uid": "dash-1"})
    assert result.code == 0, result.log
    assert not calls("POST"), "no duplicate marker"
    [put] = calls("PUT")
    assert put.request.headers["Authorization"] == f"Bearer {KEY}"
    body = sent_json(put)
    assert body["time"] == body["timeEnd"] == 1_700_000_000_000, "the marker keeps its place in time"
    assert body["tags"] == TAGS and body["text"].startswith("<b>octo/widget v1.2.3</b>")
    assert result.outputs["annotation-id"] == "5"
    assert "annotation 5 updated" in result.log


@responses.activate
def test_organisation_wide_run_ignores_a_dashboard_marker_and_picks_the_oldest_of_its_own(tmp_path):
    org = {"dashboardUID": "", "dashboardId": 0, "tags": TAGS, "time": 1}
    responses.get(ANNOTATIONS, json=[{**EXISTING, "tags": TAGS}, {**org, "id": 12}, {**org, "id": 9}])
    responses.put(f"{ANNOTATIONS}/9", json={})
    result = run(tmp_path)
    assert result.code == 0, result.log
    assert result.outputs["annotation-id"] == "9"
    assert not calls("POST")
    warning = next(line for line in result.log.splitlines() if line.startswith("::warning"))
    assert "12" in warning and "annotation 9 was updated" in warning


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "Grafana rejected the token for searching for this release's annotation (invalid API key)"),
        (403, "Grafana refused searching for this release's annotation (invalid API key)"),
        (404, "Grafana found nothing for searching for this release's annotation"),
    ],
)
@responses.activate
def test_refusals_are_clear_errors_without_the_key(tmp_path, status, words, waits):
    responses.get(ANNOTATIONS, status=status, json={"message": "invalid API key"})
    result = run(tmp_path, verbose="true")
    assert result.code == 1
    errors = [line for line in result.log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and words in errors[0], errors
    assert KEY not in result.log
    assert not calls("POST")


@responses.activate
def test_a_5xx_on_the_creating_post_is_not_retried(tmp_path, waits):
    responses.get(ANNOTATIONS, json=[])
    responses.post(ANNOTATIONS, status=502, json={"message": "bad gateway"})
    result = run(tmp_path)
    assert result.code == 1
    assert len(calls("POST")) == 1, "a blind retry after a 5xx is how duplicates happen"
    assert "Grafana failed creating the release annotation with HTTP 502" in result.log


def grafana_on_a_socket(posts: list[Reply]):
    """A scripted Grafana on a real socket: ``responses`` skips urllib3's Retry-After waits."""
    answered: list[Reply] = []

    def reply(seen: Seen) -> Reply:
        if seen.method == "GET":
            return Reply(200, b"[]")
        answered.append(posts[min(len(answered), len(posts) - 1)])
        return answered[-1]

    return serve(reply)


def test_429_with_retry_after_is_waited_out_then_posted_once(tmp_path, waits):
    posts = [Reply(429, b'{"message": "slow down"}', {"Retry-After": "2"}), Reply(200, b'{"id": 21}')]
    with grafana_on_a_socket(posts) as (url, script):
        result = run(tmp_path, **{"grafana-url": url})
    assert result.code == 0, result.log
    assert [s.method for s in script.seen] == ["GET", "POST", "POST"] and waits == [2]
    assert script.seen[1].headers["Authorization"] == f"Bearer {KEY}"
    assert result.outputs["annotation-id"] == "21"


def test_429_that_never_ends_is_a_clear_error(tmp_path, waits):
    with grafana_on_a_socket([Reply(429, b"{}", {"Retry-After": "1"})]) as (url, script):
        result = run(tmp_path, **{"grafana-url": url})
    assert result.code == 1
    assert "Grafana rate-limited creating the release annotation even after retrying" in result.log
    assert [s.method for s in script.seen].count("POST") == 4 and waits == [1, 1, 1]


@responses.activate
def test_a_5xx_on_the_search_is_retried(tmp_path, waits):
    responses.get(ANNOTATIONS, status=503, json={})
    responses.get(ANNOTATIONS, json=[])
    responses.post(ANNOTATIONS, json={"id": 2})
    assert run(tmp_path).code == 0
    assert len(calls("GET")) == 2


@responses.activate
def test_a_post_answer_without_an_id_is_an_error(tmp_path):
    responses.get(ANNOTATIONS, json=[])
    responses.post(ANNOTATIONS, json={"message": "ok"})
    result = run(tmp_path)
    assert result.code == 1
    assert "Grafana created the annotation for octo/widget but returned no id" in result.log


@responses.activate
def test_dry_run_reads_but_never_writes_and_shows_the_update(tmp_path):
    responses.get(ANNOTATIONS, json=[{**EXISTING, "dashboardUID": "", "dashboardId": 0, "tags": TAGS}])
    result = run(tmp_path, **{"dry-run": "true"})
    assert result.code == 0, result.log
    assert [c.request.method for c in responses.calls] == ["GET"]
    assert f"dry-run: would PUT {GRAFANA}/api/annotations/5 (organisation-wide):" in result.log
    assert result.report["annotation"]["action"] == "would update"
    assert result.outputs["annotation-id"] == "5"


@responses.activate
def test_dry_run_without_url_or_key_sends_nothing_at_all(tmp_path):
    result = run(tmp_path, **{"dry-run": "true", "grafana-url": None, "grafana-api-key": None})
    assert result.code == 0, result.log
    assert not responses.calls
    assert "dry-run: would POST <grafana-url>/api/annotations (organisation-wide):" in result.log
    assert '"tags": [' in result.log and result.outputs["annotation-id"] == ""
    assert "(dry-run: nothing sent)" in result.summary


@responses.activate
def test_annotation_off_talks_to_no_grafana(tmp_path):
    result = run(tmp_path, annotation="false", **{"metrics-url": "http://127.0.0.1:9/write", "grafana-url": None})
    assert result.code == 0, result.log
    assert not responses.calls and result.outputs["annotation-id"] == ""
    assert "Annotation: off." in result.summary


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        ({"grafana-url": "http://grafana.example"}, "input 'grafana-url' uses http:// for a non-loopback host"),
        ({"grafana-url": "https://user:pw@grafana.example"}, "input 'grafana-url' carries credentials in the URL"),
        ({"grafana-api-key": None}, "input 'grafana-api-key' is empty"),
        ({"grafana-url": None}, "nothing to do: neither grafana-url nor metrics-url is set"),
    ],
)
@responses.activate
def test_bad_grafana_inputs_fail_before_any_request(tmp_path, flags, words):
    result = run(tmp_path, **flags)
    assert result.code == 1
    assert words in result.log
    assert not responses.calls


@responses.activate
def test_no_grafana_url_with_metrics_url_skips_the_annotation_with_a_notice(tmp_path):
    responses.post("http://127.0.0.1:8086/write", status=204)
    result = run(tmp_path, **{"grafana-url": None, "metrics-url": "http://127.0.0.1:8086/write", "metrics": "x 1"})
    assert result.code == 0, result.log
    assert "::notice title=grafana-push::no grafana-url: the release annotation is skipped" in result.log
    assert "Annotation: skipped (no grafana-url)." in result.summary


# -- the pure parts ---------------------------------------------------------------------------


def test_marker_tags_keep_identity_first_and_each_tag_once():
    assert marker_tags("octo/widget", "v1.2.3", ["prod", "release", "v1.2.3", "prod"]) == (*TAGS, "prod")


def test_default_text_escapes_and_builds_links_from_the_server_url():
    changelog = {"previous_tag": "v1.2.2", "stats": {"commits": 1}, "contributors": ["a"], "breaking": []}
    text = default_text("o<b>/r&d", "v1.2.3", changelog, {"GITHUB_SERVER_URL": "https://ghe.example/"})  # type: ignore[arg-type]
    assert text.startswith("<b>o&lt;b&gt;/r&amp;d v1.2.3</b><br>1 commit(s) · 1 contributor(s) · 0 breaking<br>")
    assert '<a href="https://ghe.example/o&lt;b&gt;/r&amp;d/compare/v1.2.2...v1.2.3">changes since v1.2.2</a>' in text
    assert "actions/runs" not in text, "no run id, no run link"


def test_default_text_without_a_server_or_changelog_is_just_the_title():
    assert default_text("octo/widget", "v1.2.3", None, {}) == "<b>octo/widget v1.2.3</b>"


def test_update_payload_falls_back_to_the_new_time_when_grafana_gives_none():
    marker = Marker(TAGS_T, "t", "", 123)
    assert update_payload(marker, {"id": 1}) == {"time": 123, "timeEnd": 123, "tags": TAGS, "text": "t"}
    assert update_payload(marker, {"id": 1, "time": 5, "timeEnd": 9})["timeEnd"] == 9, "a region stays a region"
