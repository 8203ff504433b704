"""The grafana-snapshot stage against Grafana's HTTP API (``responses``): the exact model posted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import responses

from sovereign.gha import Step, execute
from sovereign.grafana_snapshot import stage as grafana_snapshot

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "grafana"
GRAFANA = "https://grafana.example.com"
TOKEN = "glsa_0123456789abcdef0123456789abcdef_0a1b2c3d"
DELETE_KEY = "Zq8KpW3vXnL5tR2yB7mC4dF9gH1jS6aE"
NOW = 1_779_451_200_000  # 2026-05-22T12:00:00Z


def fixture(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setattr(grafana_snapshot, "clock", lambda: NOW / 1000)


@pytest.fixture
def workspace(tmp_path):
    return tmp_path / "ws"


def run(workspace, extra=None, env=None):
    """Run the stage as a runner would; returns (exit code, log lines, outputs, summary)."""
    summary = workspace.parent / "summary.md"
    environ = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_REF": "refs/tags/v1.2.3",
        "GITHUB_REF_NAME": "v1.2.3",
        "SOVEREIGN_GRAFANA_URL": GRAFANA,
        "SOVEREIGN_GRAFANA_API_KEY": TOKEN,
        "SOVEREIGN_DASHBOARD_UID": "release-overview",
        **(env or {}),
    }
    lines: list[str] = []
    step = Step("grafana-snapshot", environ, out=lines.append)
    code = execute(grafana_snapshot.STAGE, extra or {}, environ, step)
    text = summary.read_text(encoding="utf-8") if summary.exists() else ""
    return code, lines, step.outputs, text


def answer_queries(request):
    """/api/ds/query as Grafana answers the fixture's panels (the CPU panel of job=worker fails)."""
    query = json.loads(request.body)["queries"][0]
    expr = query.get("expr", "")
    if "rawSql" in query:
        return 200, {}, json.dumps(fixture("query-slow-endpoints.json"))
    if "http_requests_total{job" in expr:
        return 200, {}, json.dumps(fixture("query-request-rate.json"))
    if 'job="worker"' in expr:
        return 400, {}, json.dumps(fixture("query-bad-data.json"))
    return 200, {}, json.dumps(fixture("query-error-ratio.json"))


def grafana(mock, version="11.3.0", renderer=False, snapshot_status=200):
    health = {**fixture("health.json"), "version": version}
    settings = fixture("frontend-settings.json")
    settings["rendererAvailable"] = renderer
    mock.get(f"{GRAFANA}/api/health", json=health)
    mock.get(f"{GRAFANA}/api/dashboards/uid/release-overview", json=fixture("dashboard-release-overview.json"))
    mock.get(f"{GRAFANA}/api/frontend/settings", json=settings)
    mock.get(f"{GRAFANA}/api/annotations", json=fixture("annotations.json"))
    mock.add_callback("POST", f"{GRAFANA}/api/ds/query", callback=answer_queries)
    body = fixture("snapshot-created.json") if snapshot_status == 200 else {"message": "Failed to create snapshot"}
    mock.post(f"{GRAFANA}/api/snapshots", json=body, status=snapshot_status)
    mock.get(f"{GRAFANA}/api/dashboard/snapshots", json=[])  # no earlier run made one


def posted(mock, path="/api/snapshots"):
    return [json.loads(c.request.body) for c in mock.calls if c.request.url.endswith(path)]


def paths(mock):
    return [(c.request.method, c.request.url.removeprefix(GRAFANA).split("?")[0]) for c in mock.calls]


@responses.activate
def test_snapshot_with_embedded_data_exactly_as_expected(workspace):
    grafana(responses)
    code, lines, outputs, summary = run(workspace)
    assert code == 0, lines

    calls = paths(responses)
    assert calls[:3] == [
        ("GET", "/api/health"),
        ("GET", "/api/dashboards/uid/release-overview"),
        ("GET", "/api/frontend/settings"),
    ], "the health probe comes before anything else"
    assert calls[-1] == ("POST", "/api/snapshots")
    assert calls.count(("POST", "/api/ds/query")) == 6
    [annotations] = [c.request.url for c in responses.calls if "/api/annotations" in c.request.url]
    assert annotations.endswith(f"?dashboardUID=release-overview&from={NOW - 21_600_000}&to={NOW}&limit=100")
    [body] = posted(responses)
    assert body == fixture("expected-snapshot-release-overview.json")

    assert all(c.request.headers["Authorization"] == f"Bearer {TOKEN}" for c in responses.calls[1:])
    assert outputs["snapshot-url"] == f"{GRAFANA}/dashboard/snapshot/mR4tY7uI0oP3aS6dF9gH2jK5lZ8xC1vB"
    assert outputs["snapshot-key"] == "mR4tY7uI0oP3aS6dF9gH2jK5lZ8xC1vB"
    assert outputs["delete-url"] == f"{GRAFANA}/api/snapshots-delete/***"
    assert outputs["png-file"] == ""
    assert f"::add-mask::{DELETE_KEY}" in lines, "the delete key is masked as soon as it arrives"
    assert not any(DELETE_KEY in line for line in lines if not line.startswith("::add-mask::"))

    artifact = workspace / "sovereign-artifacts" / "grafana-snapshot-v1.2.3.json"
    assert outputs["snapshot-file"] == str(artifact)
    record = json.loads(artifact.read_text(encoding="utf-8"))
    assert DELETE_KEY not in artifact.read_text(encoding="utf-8") and TOKEN not in artifact.read_text(encoding="utf-8")
    assert record["request"] == body
    assert record["response"] == {
        "deleteUrl": f"{GRAFANA}/api/snapshots-delete/***",
        "id": 17,
        "key": "mR4tY7uI0oP3aS6dF9gH2jK5lZ8xC1vB",
        "url": f"{GRAFANA}/dashboard/snapshot/mR4tY7uI0oP3aS6dF9gH2jK5lZ8xC1vB",
    }
    assert record["time"] == {
        "from_ms": NOW - 21_600_000,
        "to_ms": NOW,
        "from": "2026-05-22T06:00:00.000Z",
        "to": "2026-05-22T12:00:00.000Z",
    }
    assert [(p["label"], p["status"]) for p in record["panels"]] == [
        ("#1 Request rate", "embedded"),
        ("#2 Error ratio", "embedded"),
        ("#4 Slow endpoints", "embedded"),
        ("#9 Notes", "kept"),
        ("#5 CPU api", "embedded"),
        ("#11 CPU worker", "skipped"),
        ("#7 Browser vitals", "skipped"),
        ("#8 Deploys", "embedded"),
        ("#10 Request rate (table view)", "embedded"),
    ]

    warnings = [line for line in lines if line.startswith("::warning")]
    assert len(warnings) == 2
    assert "panel #11 CPU worker: no data embedded" in warnings[0] and "HTTP 400" in warnings[0]
    assert "runs in the browser only" in warnings[1]
    assert f"Snapshot: [Release v1.2.3 — Release overview]({outputs['snapshot-url']})" in summary
    assert "| \\#11 CPU worker | ⚠️ skipped |" in summary
    assert "| \\#1 Request rate | ✅ embedded | 2 frame\\(s\\) \\+ 1 annotation\\(s\\) |" in summary
    assert "6 panel(s) with data embedded, 2 skipped" in summary


@responses.activate
def test_grafana_9_gets_legacy_snapshot_data(workspace):
    grafana(responses, version="9.5.2")
    code, lines, _, _ = run(workspace)
    assert code == 0, lines
    assert not any("/api/annotations" in c.request.url for c in responses.calls), "annotation frames need Grafana 10"
    [body] = posted(responses)
    first = body["dashboard"]["panels"][0]
    assert first["targets"] == [] and first["datasource"] is None
    assert first["snapshotData"][1]["fields"][1] == {
        "name": "Value",
        "type": "number",
        "config": {"displayNameFromDS": "worker"},
        "labels": {"job": "worker"},
        "values": [3.5, None, 3.75],
    }


SMALL = {
    "dashboard": {
        "uid": "small",
        "id": 3,
        "title": "Small",
        "time": {"from": "now-1h", "to": "now"},
        "refresh": "1m",
        "panels": [
            {
                "id": 1,
                "type": "stat",
                "title": "Up",
                "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
                "datasource": {"type": "prometheus", "uid": "prom-uid"},
                "targets": [{"refId": "A", "expr": "sum(up)", "instant": True}],
            }
        ],
    }
}


@responses.activate
def test_small_dashboard_posts_exactly_this(workspace):
    frame = {"schema": {"refId": "A", "fields": [{"name": "Value", "type": "number"}]}, "data": {"values": [[3]]}}
    responses.get(f"{GRAFANA}/api/health", json=fixture("health.json"))
    responses.get(f"{GRAFANA}/api/dashboards/uid/small", json=SMALL)
    responses.get(f"{GRAFANA}/api/frontend/settings", json=fixture("frontend-settings.json"))
    responses.post(f"{GRAFANA}/api/ds/query", json={"results": {"A": {"status": 200, "frames": [frame]}}})
    responses.post(f"{GRAFANA}/api/snapshots", json=fixture("snapshot-created.json"))
    responses.get(f"{GRAFANA}/api/dashboard/snapshots", json=[])
    extra = {
        "dashboard-uid": "small",
        "name": "Evidence",
        "expires": "3600",
        "time-from": "now-1h/h",
        "time-to": "now/h",
    }
    code, lines, _, _ = run(workspace, extra)
    assert code == 0, lines
    assert posted(responses, "/api/ds/query") == [
        {
            "queries": [
                {
                    "expr": "sum(up)",
                    "instant": True,
                    "refId": "A",
                    "datasource": {"type": "prometheus", "uid": "prom-uid"},
                    "intervalMs": 15_000,  # the datasource's minimum (15s) beats 3600000/464 rounded (5s)
                    "maxDataPoints": 464,
                }
            ],
            "from": str(NOW - 3_600_000),
            "to": str(NOW + 3_600_000 - 1),
        }
    ]
    assert posted(responses) == [
        {
            "dashboard": {
                "uid": "small",
                "id": 3,
                "title": "Evidence",
                "time": {"from": "2026-05-22T11:00:00.000Z", "to": "2026-05-22T12:59:59.999Z"},
                "refresh": "",
                "links": [],
                "annotations": {"list": []},
                "panels": [
                    {
                        "id": 1,
                        "type": "stat",
                        "title": "Up",
                        "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
                        "datasource": {"type": "grafana", "uid": "grafana"},
                        "targets": [
                            {
                                "refId": "A",
                                "datasource": {"type": "grafana", "uid": "grafana"},
                                "queryType": "snapshot",
                                "snapshot": [frame],
                            }
                        ],
                    }
                ],
            },
            "name": "Evidence",
            "expires": 3600,
            "external": False,
        }
    ]


@responses.activate
def test_dry_run_reads_but_does_not_create(workspace):
    grafana(responses)
    code, lines, outputs, summary = run(workspace, {"dry-run": "true"})
    assert code == 0, lines
    assert ("POST", "/api/snapshots") not in paths(responses)
    assert paths(responses).count(("POST", "/api/ds/query")) == 6, "queries are reads: dry-run runs them"
    record = json.loads((workspace / "sovereign-artifacts" / "grafana-snapshot-v1.2.3.json").read_text())
    assert record["dry_run"] is True and record["response"] is None
    assert record["request"] == fixture("expected-snapshot-release-overview.json"), "the model that would be posted"
    assert (outputs["snapshot-url"], outputs["snapshot-key"], outputs["delete-url"]) == ("", "", "")
    assert any(line.startswith("::notice") and "not created" in line for line in lines)
    assert "(dry-run)" in summary


@responses.activate
def test_dry_run_without_a_token(workspace):
    responses.get(f"{GRAFANA}/api/health", json=fixture("health.json"))
    responses.get(f"{GRAFANA}/api/dashboards/uid/release-overview", json={"message": "Unauthorized"}, status=401)
    code, lines, outputs, _ = run(workspace, {"dry-run": "true"}, env={"SOVEREIGN_GRAFANA_API_KEY": ""})
    assert code == 0, lines
    assert "Authorization" not in responses.calls[1].request.headers
    assert any("dry-run without grafana-api-key" in line for line in lines)
    record = json.loads(Path(outputs["snapshot-file"]).read_text())
    assert record["request"] == {
        "name": "Release v1.2.3 — <title of dashboard release-overview>",
        "expires": 0,
        "external": False,
    }


@responses.activate
def test_embed_data_off_sends_no_queries(workspace):
    grafana(responses)
    code, lines, _, _ = run(workspace, {"embed-data": "false"})
    assert code == 0, lines
    assert ("POST", "/api/ds/query") not in paths(responses)
    assert ("GET", "/api/frontend/settings") not in paths(responses)
    [body] = posted(responses)
    assert body["dashboard"]["panels"][0]["targets"][0]["expr"].startswith("sum by (job)")


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            lambda m: m.get(f"{GRAFANA}/api/health", body=requests.exceptions.ConnectionError()),
            "health probe failed: could not connect to Grafana (health check); no snapshot was created",
        ),
        (
            lambda m: m.get(f"{GRAFANA}/api/health", json={"database": "failing", "version": "11.3.0"}, status=503),
            "health probe failed: Grafana reports its database 'failing' (HTTP 503); no snapshot was created",
        ),
        (
            lambda m: (
                m.get(f"{GRAFANA}/api/health", json=fixture("health.json")),
                m.get(
                    f"{GRAFANA}/api/dashboards/uid/release-overview", json={"message": "invalid API key"}, status=401
                ),
            ),
            "Grafana rejected the token for dashboard release-overview (invalid API key); no snapshot was created",
        ),
        (
            lambda m: (
                m.get(f"{GRAFANA}/api/health", json=fixture("health.json")),
                m.get(
                    f"{GRAFANA}/api/dashboards/uid/release-overview",
                    json={"message": "Dashboard not found"},
                    status=404,
                ),
            ),
            "Grafana found nothing for dashboard release-overview (Dashboard not found); no snapshot was created",
        ),
    ],
    ids=["down", "database", "token", "not-found"],
)
@responses.activate
def test_probe_failure_stops_before_anything_is_created(workspace, setup, message):
    setup(responses)
    code, lines, outputs, _ = run(workspace)
    assert code == 1
    errors = [line for line in lines if line.startswith("::error")]
    assert len(errors) == 1 and message in errors[0], errors
    assert ("POST", "/api/snapshots") not in paths(responses)
    assert not (workspace / "sovereign-artifacts").exists()
    assert outputs == {}


@responses.activate
def test_snapshot_creation_failure_is_reported_once(workspace):
    grafana(responses, snapshot_status=500)
    code, lines, outputs, _ = run(workspace)
    assert code == 1
    assert paths(responses).count(("POST", "/api/snapshots")) == 1
    assert [line for line in lines if line.startswith("::error")] == [
        "::error title=grafana-snapshot::Grafana failed snapshot creation with HTTP 500 (Failed to create snapshot) — "
        "the snapshot 'Release v1.2.3 — Release overview' may have been created anyway; "
        "re-running is safe: it finds it by name and reuses it"
    ]
    assert "snapshot-url" not in outputs
    record = json.loads(Path(outputs["snapshot-file"]).read_text(encoding="utf-8"))
    assert record["response"] is None and record["error"].startswith("Grafana failed snapshot creation")
    assert record["request"] == fixture("expected-snapshot-release-overview.json"), "the refused model, to debug"


@responses.activate
def test_external_needs_grafana_to_allow_it(workspace):
    grafana(responses)
    responses.get(f"{GRAFANA}/api/snapshot/shared-options", json={"externalEnabled": False, "externalSnapshotName": ""})
    code, lines, _, _ = run(workspace, {"external": "true"})
    assert code == 1
    assert any("does not allow external snapshots" in line for line in lines if line.startswith("::error"))
    assert ("POST", "/api/snapshots") not in paths(responses)


@responses.activate
def test_external_snapshot_is_requested(workspace):
    grafana(responses)
    responses.get(f"{GRAFANA}/api/snapshot/shared-options", json={"externalEnabled": True})
    code, lines, _, _ = run(workspace, {"external": "true"})
    assert code == 0, lines
    assert posted(responses)[0]["external"] is True


@responses.activate
def test_png_only_with_a_renderer(workspace):
    grafana(responses, renderer=False)
    code, lines, outputs, _ = run(workspace, {"render-png": "true"})
    assert code == 0, lines
    assert outputs["png-file"] == ""
    assert any(line.startswith("::notice") and "no image renderer" in line for line in lines)
    assert not any("/render/" in c.request.url for c in responses.calls)


@responses.activate
def test_png_saved_when_the_renderer_is_there(workspace):
    grafana(responses, renderer=True)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    responses.get(f"{GRAFANA}/render/d/release-overview", body=png, content_type="image/png")
    code, lines, outputs, _ = run(workspace, {"render-png": "true"})
    assert code == 0, lines
    assert Path(outputs["png-file"]).read_bytes() == png
    assert Path(outputs["png-file"]).name == "grafana-snapshot-v1.2.3.png"
    [render] = [c.request.url for c in responses.calls if "/render/" in c.request.url]
    assert f"from={NOW - 21_600_000}&to={NOW}&width=1600" in render


@pytest.mark.parametrize(
    ("extra", "env", "message"),
    [
        ({"dashboard-uid": ""}, {}, "input 'dashboard-uid' is required but empty"),
        ({"dashboard-uid": "../admin"}, {}, "input 'dashboard-uid' '../admin' is not a Grafana dashboard UID"),
        ({"time-from": "yesterday"}, {}, "input 'time-from' 'yesterday' is not a time Grafana understands"),
        ({"time-from": "now", "time-to": "now-1h"}, {}, "is empty or reversed"),
        ({"expires": "-5"}, {}, "input 'expires' must be a whole number"),
        ({}, {"SOVEREIGN_GRAFANA_API_KEY": ""}, "input 'grafana-api-key' is required to create a snapshot"),
        ({"grafana-url": "http://grafana.example.com"}, {}, "uses http:// for a non-loopback host"),
    ],
)
@responses.activate
def test_bad_inputs(workspace, extra, env, message):
    grafana(responses)
    code, lines, _, _ = run(workspace, extra, env)
    assert code == 1
    errors = [line for line in lines if line.startswith("::error")]
    assert len(errors) == 1 and message in errors[0], errors
    assert ("POST", "/api/snapshots") not in paths(responses)
    assert not any(TOKEN in line for line in lines if not line.startswith("::add-mask::"))


@responses.activate
def test_library_panel_is_fetched_and_embedded(workspace):
    board = {
        "dashboard": {
            "uid": "small",
            "title": "Small",
            "panels": [
                {
                    "id": 1,
                    "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                    "libraryPanel": {"uid": "lib-up", "name": "Up"},
                },
                {
                    "id": 2,
                    "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
                    "libraryPanel": {"uid": "lib-gone", "name": "X"},
                },
            ],
        }
    }
    library = {
        "result": {"uid": "lib-up", "model": {"type": "stat", "title": "Up", "targets": [{"refId": "A", "expr": "up"}]}}
    }
    frame = {"schema": {"refId": "A", "fields": [{"name": "Value", "type": "number"}]}, "data": {"values": [[1]]}}
    responses.get(f"{GRAFANA}/api/health", json=fixture("health.json"))
    responses.get(f"{GRAFANA}/api/dashboards/uid/small", json=board)
    responses.get(f"{GRAFANA}/api/frontend/settings", json=fixture("frontend-settings.json"))
    responses.get(f"{GRAFANA}/api/library-elements/lib-up", json=library)
    responses.get(
        f"{GRAFANA}/api/library-elements/lib-gone", json={"message": "library element could not be found"}, status=404
    )
    responses.post(f"{GRAFANA}/api/ds/query", json={"results": {"A": {"status": 200, "frames": [frame]}}})
    responses.post(f"{GRAFANA}/api/snapshots", json=fixture("snapshot-created.json"))
    responses.get(f"{GRAFANA}/api/dashboard/snapshots", json=[])
    code, lines, _, _ = run(workspace, {"dashboard-uid": "small"})
    assert code == 0, lines
    [body] = posted(responses)
    first, second = body["dashboard"]["panels"]
    assert first["title"] == "Up" and "libraryPanel" not in first
    assert first["targets"][0]["snapshot"] == [frame]
    assert posted(responses, "/api/ds/query")[0]["queries"][0]["datasource"] == {
        "type": "prometheus",
        "uid": "prom-uid",
    }
    assert second["libraryPanel"] == {"uid": "lib-gone", "name": "X"}
    assert any("library panel lib-gone" in line and line.startswith("::warning") for line in lines)


@responses.activate
def test_without_the_probe_the_version_comes_from_the_frontend_settings(workspace):
    grafana(responses)
    settings = fixture("frontend-settings.json")
    settings["buildInfo"]["version"] = "9.5.2"
    responses.replace(responses.GET, f"{GRAFANA}/api/frontend/settings", json=settings)
    code, lines, _, _ = run(workspace, {"health-probe": "false"})
    assert code == 0, lines
    assert paths(responses)[0] == ("GET", "/api/dashboards/uid/release-overview")
    assert ("GET", "/api/health") not in paths(responses)
    [body] = posted(responses)
    assert "snapshotData" in body["dashboard"]["panels"][0], "Grafana 9 reads snapshotData"


@responses.activate
def test_query_answers_that_are_not_json_skip_the_panel(workspace):
    grafana(responses)
    responses.replace(responses.POST, f"{GRAFANA}/api/ds/query", body="<html>proxy error</html>", status=200)
    code, lines, _, summary = run(workspace)
    assert code == 0, lines
    assert "0 panel(s) with data embedded, 8 skipped" in summary
    assert paths(responses).count(("POST", "/api/snapshots")) == 1, "the snapshot is still created"


@responses.activate
def test_annotations_that_cannot_be_read_only_warn(workspace):
    grafana(responses)
    responses.replace(responses.GET, f"{GRAFANA}/api/annotations", json={"message": "Permission denied"}, status=403)
    code, lines, _, _ = run(workspace)
    assert code == 0, lines
    assert any(line.startswith("::warning") and "the snapshot shows no annotations" in line for line in lines)
    [body] = posted(responses)
    assert len(body["dashboard"]["panels"][0]["targets"][0]["snapshot"]) == 2, "data frames only"


@responses.activate
def test_pre_5_dashboards_are_refused_with_a_fix(workspace):
    old = {"dashboard": {"uid": "release-overview", "title": "Old", "rows": [{"panels": [{"id": 1, "type": "graph"}]}]}}
    responses.get(f"{GRAFANA}/api/health", json=fixture("health.json"))
    responses.get(f"{GRAFANA}/api/dashboards/uid/release-overview", json=old)
    code, lines, _, _ = run(workspace)
    assert code == 1
    [error] = [line for line in lines if line.startswith("::error")]
    assert "pre-5.0 layout" in error and "save it once" in error
    assert ("POST", "/api/snapshots") not in paths(responses)
