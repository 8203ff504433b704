"""The grafana-snapshot action, run as the runner runs it, against a small Grafana on 127.0.0.1.

``responses`` cannot reach the action's subprocess, so a real HTTP server plays
Grafana here: it serves the fixtures, records every request, and can fail on
purpose (a 503 on a query, a 500 on the snapshot creation).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from localserver import Reply, Seen, serve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "grafana"
TOKEN = "glsa_action_test_token_5f3e2d1c0b9a"
DELETE_KEY = "Zq8KpW3vXnL5tR2yB7mC4dF9gH1jS6aE"
VIEW_KEY = "mR4tY7uI0oP3aS6dF9gH2jK5lZ8xC1vB"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeGrafana:
    def __init__(self) -> None:
        self.url = ""
        self.seen: list[tuple[str, str, Any]] = []  # (method, path without query, JSON body or None)
        self.failures: dict[str, list[int]] = {}  # path -> statuses to answer first, one per request

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.seen if (m, p) == (method, path))

    def bodies(self, path: str) -> list[Any]:
        return [b for m, p, b in self.seen if (m, p) == ("POST", path)]

    def route(self, request: Seen) -> Reply:
        method, path = request.method, request.path.split("?")[0]
        body = json.loads(request.body) if request.body else None
        self.seen.append((method, path, body))  # routes run one at a time (localserver.Script)
        pending = self.failures.get(path) or []
        forced = pending.pop(0) if pending else None
        if forced:
            return reply(forced, {"message": "injected failure"})
        if path == "/api/health":
            return reply(200, fixture("health.json"))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return reply(401, {"message": "Unauthorized"})
        if method == "GET" and path == "/api/dashboards/uid/release-overview":
            return reply(200, fixture("dashboard-release-overview.json"))
        if method == "GET" and path == "/api/annotations":
            return reply(200, fixture("annotations.json"))
        if method == "GET" and path == "/api/frontend/settings":
            return reply(200, fixture("frontend-settings.json"))
        if method == "POST" and path == "/api/ds/query":
            return query(body)
        if method == "POST" and path == "/api/snapshots":
            return reply(
                200,
                {
                    "deleteKey": DELETE_KEY,
                    "deleteUrl": f"{self.url}/api/snapshots-delete/{DELETE_KEY}",
                    "id": 1,
                    "key": VIEW_KEY,
                    "url": f"{self.url}/dashboard/snapshot/{VIEW_KEY}",
                },
            )
        return reply(404, {"message": "Dashboard not found"})


def reply(status: int, body: Any) -> Reply:
    return Reply(status, json.dumps(body).encode())


def query(body: Any) -> Reply:
    query = body["queries"][0]
    if "rawSql" in query:
        return reply(200, fixture("query-slow-endpoints.json"))
    if "http_requests_total{job" in query.get("expr", ""):
        return reply(200, fixture("query-request-rate.json"))
    if 'job="worker"' in query.get("expr", ""):
        return reply(400, fixture("query-bad-data.json"))
    return reply(200, fixture("query-error-ratio.json"))


@pytest.fixture
def grafana():
    server = FakeGrafana()
    with serve(server.route) as (url, _):
        server.url = url
        yield server


def inputs(grafana: FakeGrafana, **extra: str) -> dict[str, str]:
    return {
        "grafana-url": grafana.url,
        "grafana-api-key": TOKEN,
        "dashboard-uid": "release-overview",
        "tag": "v1.2.3",
        **extra,
    }


def snapshot_targets(model: dict[str, Any]) -> dict[int, int]:
    """Panel id -> frames embedded, for every panel of the posted model (collapsed rows included)."""
    found = {}
    panels = list(model["panels"])
    while panels:
        panel = panels.pop(0)
        panels.extend(panel.get("panels") or [])
        for target in panel.get("targets") or []:
            if target.get("queryType") == "snapshot":
                found[panel["id"]] = len(target["snapshot"])
    return found


def test_snapshot_created_with_data_and_delete_key_masked(action, grafana):
    grafana.failures["/api/ds/query"] = [503]  # the first query fails once: read-only POSTs are retried
    result = action("grafana-snapshot", inputs(grafana))
    assert result.returncode == 0, result.log
    assert grafana.seen[0][:2] == ("GET", "/api/health")
    assert grafana.count("POST", "/api/snapshots") == 1
    [posted] = grafana.bodies("/api/snapshots")
    assert posted["name"] == "Release v1.2.3 — Release overview"
    # data frames, plus one frame of dashboard annotations (the release marker) where a panel shows any
    assert snapshot_targets(posted["dashboard"]) == {1: 3, 2: 2, 4: 2, 5: 2, 11: 0, 10: 3, 7: 0, 8: 2}
    assert grafana.count("POST", "/api/ds/query") == 7, "six panels queried, the first one twice"

    assert result.outputs["snapshot-url"] == f"{grafana.url}/dashboard/snapshot/{VIEW_KEY}"
    assert result.outputs["snapshot-key"] == VIEW_KEY
    assert result.outputs["delete-url"] == f"{grafana.url}/api/snapshots-delete/***"
    assert f"::add-mask::{DELETE_KEY}" in result.stdout
    assert DELETE_KEY not in result.stdout.replace(f"::add-mask::{DELETE_KEY}", "")
    assert TOKEN not in result.stdout.replace(f"::add-mask::{TOKEN}", "")
    artifact = Path(result.outputs["snapshot-file"])
    assert artifact.name == "grafana-snapshot-v1.2.3.json"
    assert DELETE_KEY not in artifact.read_text(encoding="utf-8")
    assert result.outputs["png-file"] == ""
    assert "6 panel(s) with data embedded, 2 skipped" in result.summary
    assert "::warning" in result.stdout and "annotations" not in " ".join(
        line for line in result.stdout.splitlines() if line.startswith("::warning")
    )
    assert "Traceback" not in result.log


def test_failed_creation_is_not_retried(action, grafana):
    grafana.failures["/api/snapshots"] = [500, 500, 500, 500]
    result = action("grafana-snapshot", inputs(grafana))
    assert result.returncode == 1, result.log
    assert grafana.count("POST", "/api/snapshots") == 1, "a 5xx on a create is never retried: no duplicate snapshot"
    assert result.errors == [
        "::error title=grafana-snapshot::Grafana failed snapshot creation with HTTP 500 (injected failure) — "
        "Grafana is down or erroring: check its health and try again"
    ]
    assert result.outputs["snapshot-url"] == ""


def test_dry_run_sends_no_snapshot(action, grafana):
    result = action("grafana-snapshot", inputs(grafana, **{"dry-run": "true"}))
    assert result.returncode == 0, result.log
    assert grafana.count("POST", "/api/snapshots") == 0
    assert grafana.count("POST", "/api/ds/query") == 6
    record = json.loads(Path(result.outputs["snapshot-file"]).read_text(encoding="utf-8"))
    assert record["dry_run"] is True and record["response"] is None
    assert snapshot_targets(record["request"]["dashboard"])[1] == 3


def test_missing_dashboard_stops_before_anything_is_created(action, grafana):
    result = action("grafana-snapshot", inputs(grafana, **{"dashboard-uid": "no-such-board"}))
    assert result.returncode == 1
    assert len(result.errors) == 1
    assert "dashboard no-such-board" in result.errors[0] and "no snapshot was created" in result.errors[0]
    assert [p for _, p, _ in grafana.seen] == ["/api/health", "/api/dashboards/uid/no-such-board"]
