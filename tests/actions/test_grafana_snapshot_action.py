"""The grafana-snapshot action, run as the runner runs it, against a small Grafana on 127.0.0.1.

``responses`` cannot reach the action's subprocess, so a real HTTP server plays
Grafana here: it serves the fixtures, records every request, and can fail on
purpose (a 503 on a query, a 500 on the snapshot creation).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
        self.snapshots: list[dict[str, Any]] = []  # what GET /api/dashboard/snapshots lists
        self.lose_answers = 0  # creations to store, then drop the connection instead of answering
        self.title = ""  # the dashboard's title, when not the fixture's

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
            found = fixture("dashboard-release-overview.json")
            found["dashboard"]["title"] = self.title or found["dashboard"]["title"]
            return reply(200, found)
        if method == "GET" and path == "/api/annotations":
            return reply(200, fixture("annotations.json"))
        if method == "GET" and path == "/api/frontend/settings":
            return reply(200, fixture("frontend-settings.json"))
        if method == "POST" and path == "/api/ds/query":
            return query(body)
        if method == "GET" and path == "/api/dashboard/snapshots":
            wanted = parse_qs(urlsplit(request.path).query)["query"][0]
            return reply(200, [item for item in self.snapshots if wanted in item["name"]])
        if method == "POST" and path == "/api/snapshots" and self.lose_answers:
            self.lose_answers -= 1
            self.snapshots.append(listed(len(self.snapshots) + 1, body["name"], VIEW_KEY))
            return Reply(reset="before")  # stored, but the answer never leaves
        if method == "POST" and path == "/api/snapshots":
            self.snapshots.append(listed(len(self.snapshots) + 1, body["name"], VIEW_KEY))
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


def listed(snapshot_id: int, name: str, key: str, external: bool = False) -> dict[str, Any]:
    """One item of Grafana's GET /api/dashboard/snapshots answer, as its API documentation shows it."""
    return {
        "id": snapshot_id,
        "name": name,
        "key": key,
        "orgId": 1,
        "userId": 2,
        "external": external,
        "externalUrl": "",
        "expires": "2076-05-22T12:00:00Z",
        "created": "2026-05-22T12:00:00Z",
        "updated": "2026-05-22T12:00:00Z",
    }


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
        "the snapshot 'Release v1.2.3 — Release overview' may have been created anyway; "
        "re-running is safe: it finds it by name and reuses it"
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


def test_a_lost_answer_says_so_and_the_rerun_reuses_the_snapshot(action, grafana):
    grafana.lose_answers = 1  # Grafana stores the snapshot, then the connection drops before the answer
    first = action("grafana-snapshot", inputs(grafana))
    assert first.returncode == 1, first.log
    [error] = first.errors
    assert "Grafana (snapshot creation) dropped the connection before answering" in error
    assert "the snapshot 'Release v1.2.3 — Release overview' may have been created anyway" in error
    assert "re-running is safe: it finds it by name and reuses it" in error
    assert "could not connect" not in error and "try again later" not in error

    again = action("grafana-snapshot", inputs(grafana))
    assert again.returncode == 0, again.log
    assert grafana.count("POST", "/api/snapshots") == 1, "the re-run made no second snapshot"
    assert len(grafana.snapshots) == 1
    assert again.outputs["snapshot-url"] == f"{grafana.url}/dashboard/snapshot/{VIEW_KEY}"
    assert again.outputs["snapshot-key"] == VIEW_KEY
    assert again.outputs["delete-url"] == ""
    assert "made for this release by an earlier run at 2026-05-22T12:00:00Z: reused" in again.stdout
    assert "(reused: an earlier run made it for this release)" in again.summary
    record = json.loads(Path(again.outputs["snapshot-file"]).read_text(encoding="utf-8"))
    assert record["reused"]["id"] == 1 and record["response"]["reused"] is True


def test_a_dry_run_shows_the_snapshot_it_would_reuse(action, grafana):
    grafana.snapshots.append(listed(4, "Release v1.2.3 — Release overview", VIEW_KEY))
    result = action("grafana-snapshot", inputs(grafana, **{"dry-run": "true"}))
    assert result.returncode == 0, result.log
    assert grafana.count("POST", "/api/snapshots") == 0
    assert f"would reuse snapshot 4 ({grafana.url}/dashboard/snapshot/{VIEW_KEY})" in result.stdout


def test_a_name_without_the_tag_is_not_trusted_and_the_log_says_why(action, grafana):
    grafana.snapshots.append(listed(1, "Production overview", "an0therReleasesKey"))
    grafana.snapshots.append(listed(2, "Release v1.2.3 — Release overview", "n0tThisNameEither"))
    result = action("grafana-snapshot", inputs(grafana, name="Production overview"))
    assert result.returncode == 0, result.log
    assert grafana.count("POST", "/api/snapshots") == 1, "a second one is made, on purpose"
    assert result.outputs["snapshot-key"] == VIEW_KEY
    [warning] = [line for line in result.stdout.splitlines() if "exist already" in line]
    assert "1 snapshot(s) named 'Production overview' exist already" in warning
    assert "does not carry the tag v1.2.3, so they may be another release's: a new one is made" in warning


def test_an_expired_or_external_namesake_is_not_reused(action, grafana):
    expired = listed(1, "Release v1.2.3 — Release overview", "expiredKey123")
    expired["expires"] = "2020-01-01T00:00:00.123456789Z"
    grafana.snapshots += [expired, listed(2, "Release v1.2.3 — Release overview", "externalKey1", external=True)]
    result = action("grafana-snapshot", inputs(grafana))
    assert result.returncode == 0, result.log
    assert grafana.count("POST", "/api/snapshots") == 1
    assert result.outputs["snapshot-key"] == VIEW_KEY


def test_a_3000_character_name_is_cut_to_255(action, grafana):
    result = action("grafana-snapshot", inputs(grafana, name="v1.2.3 " + "x" * 2993))
    assert result.returncode == 0, result.log
    [posted] = grafana.bodies("/api/snapshots")
    assert len(posted["name"]) == 255 and posted["name"].endswith("x…")
    assert posted["dashboard"]["title"] == posted["name"]
    assert "the snapshot name is 3000 characters long; cut to 255" in result.stdout


def test_the_default_name_is_cut_too(action, grafana):
    grafana.title = "Service level objectives, " * 12  # 300 characters: Grafana allows long dashboard titles
    result = action("grafana-snapshot", inputs(grafana))
    assert result.returncode == 0, result.log
    [posted] = grafana.bodies("/api/snapshots")
    assert posted["name"] == f"Release v1.2.3 — {grafana.title}"[:254] + "…"
    assert posted["dashboard"]["title"] == posted["name"]
