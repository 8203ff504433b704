#!/usr/bin/env python3
"""A stand-in for Grafana's HTTP API on 127.0.0.1, for `python3 tasks.py demo`.

    python3 scripts/grafana_standin.py   # serve it until Ctrl-C, printing its URL

This is NOT Grafana. A real Grafana cannot be installed here: its licence rules
it out for this project. The stand-in answers the endpoints Sovereign calls with
the answers Grafana documents, recorded in tests/fixtures/grafana (the same
files the tests use): a dashboard ("release-overview") and its panels' query
answers, health, frontend settings, annotations (search, create, update) and
snapshots. The only liberties: recorded time series are moved into the time
range asked for (so a snapshot of "the last 6 hours" shows them), and every
answer is kept in memory only. Standard library only: the demo starts it before
Sovereign's own environment exists.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "grafana"
DASHBOARD = "dashboard-release-overview.json"
SAYS = (
    "a stand-in for Grafana's HTTP API, built from Grafana's documented API answers "
    "(tests/fixtures/grafana) — not Grafana itself: a real Grafana cannot be installed here "
    "(its licence rules it out for this project)"
)

Answer = tuple[int, Any]


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def moved_into(answer: dict[str, Any], to_ms: int) -> dict[str, Any]:
    """The recorded frames with their time fields shifted so the newest point falls at ``to_ms``."""
    frames = [f for r in (answer.get("results") or {}).values() for f in r.get("frames") or []]
    times = [
        t
        for frame in frames
        for field, values in zip(frame["schema"]["fields"], frame["data"]["values"], strict=True)
        if field.get("type") == "time"
        for t in values
    ]
    if not times:
        return answer
    shift = to_ms - max(times)
    for frame in frames:
        for i, field in enumerate(frame["schema"]["fields"]):
            if field.get("type") == "time":
                frame["data"]["values"][i] = [t + shift for t in frame["data"]["values"][i]]
    return answer


class Grafana:
    """What the stand-in knows: the recorded dashboard, annotations and snapshots made so far."""

    def __init__(self) -> None:
        self.base = ""
        self.dashboard = recorded(DASHBOARD)
        self.annotations: list[dict[str, Any]] = recorded("annotations.json")
        self.snapshots: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def answer(self, method: str, target: str, body: Any, authorised: bool) -> Answer:
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        if (method, path) == ("GET", "/api/health"):  # the one endpoint Grafana serves without a token
            return 200, recorded("health.json")
        if not authorised:
            return 401, {"message": "Unauthorized"}
        with self.lock:
            return self.route(method, path, query, body)

    def route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> Answer:
        uid = str(self.dashboard["dashboard"]["uid"])
        if method == "GET" and path.startswith("/api/dashboards/uid/"):
            found = path.removeprefix("/api/dashboards/uid/") == uid
            return (200, self.dashboard) if found else (404, {"message": "Dashboard not found"})
        if (method, path) == ("GET", "/api/frontend/settings"):
            return 200, recorded("frontend-settings.json")
        if (method, path) == ("POST", "/api/ds/query"):
            return self.query(body)
        if (method, path) == ("GET", "/api/annotations"):
            return 200, self.find(query)
        if (method, path) == ("POST", "/api/annotations"):
            new_id = max((a["id"] for a in self.annotations), default=0) + 1
            self.annotations.append({"id": new_id, **body})
            return 200, {"message": "Annotation added", "id": new_id}
        if method == "PUT" and re.fullmatch(r"/api/annotations/\d+", path):
            return 200, {"message": "Annotation updated"}
        if (method, path) == ("GET", "/api/snapshot/shared-options"):
            return 200, {"externalSnapshotURL": "", "externalSnapshotName": "", "externalEnabled": False}
        if (method, path) == ("POST", "/api/snapshots"):
            key, delete_key = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
            self.snapshots.append({"key": key, **body})
            return 200, {
                "deleteKey": delete_key,
                "deleteUrl": f"{self.base}/api/snapshots-delete/{delete_key}",
                "id": len(self.snapshots),
                "key": key,
                "url": f"{self.base}/dashboard/snapshot/{key}",
            }
        return 404, {"message": "Not found"}

    def query(self, body: Any) -> Answer:
        """/api/ds/query as Grafana answered the recorded dashboard's panels (the CPU panel of job=worker fails)."""
        first = (body.get("queries") or [{}])[0]
        expr = str(first.get("expr", ""))
        if "rawSql" in first:
            return 200, recorded("query-slow-endpoints.json")
        if 'job="worker"' in expr:
            return 400, recorded("query-bad-data.json")
        name = "query-request-rate.json" if "http_requests_total{job" in expr else "query-error-ratio.json"
        to_ms = int(body.get("to") or 0)
        return 200, moved_into(recorded(name), to_ms) if to_ms else recorded(name)

    def find(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        """Annotations carrying every tag asked for, on the dashboard asked for, newest first."""
        tags = set(query.get("tags", []))
        dashboard = (query.get("dashboardUID") or [""])[0]
        limit = int((query.get("limit") or ["100"])[0])
        found = [
            a
            for a in self.annotations
            if tags <= set(a.get("tags") or []) and (not dashboard or a.get("dashboardUID") == dashboard)
        ]
        return sorted(found, key=lambda a: -int(a.get("time") or 0))[:limit]


def _handler(grafana: Grafana) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                status, answer = 400, {"message": "bad request data"}
            else:
                authorised = self.headers.get("Authorization", "").startswith("Bearer ")
                status, answer = grafana.answer(self.command, self.path, body, authorised)
            data = json.dumps(answer).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _any

    return Handler


@contextmanager
def serve() -> Iterator[Grafana]:
    """The stand-in on a free port of 127.0.0.1 (``grafana.base`` is its URL), for the block's duration."""
    grafana = Grafana()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(grafana))
    grafana.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield grafana
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main() -> int:
    with serve() as grafana:
        print(f"{grafana.base}: {SAYS}", flush=True)
        uid = grafana.dashboard["dashboard"]["uid"]
        print(f"dashboard-uid: {uid}; any bearer token is accepted; Ctrl-C stops it", flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
