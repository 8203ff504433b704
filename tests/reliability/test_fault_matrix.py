"""The fault matrix: every HTTP adapter against every fault, on real loopback sockets.

Each cell asserts the outcome (retried and succeeded, or failed with these words),
the exact number of requests the server saw, and that the waits stayed capped.
Waits are recorded, not slept (the ``waits`` fixture), so the matrix runs in seconds.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from localserver import free_port, serve
from table import TOTAL_WAIT_CAP, WAIT_CAP, Adapter, Fault, cells, expect

from sovereign.errors import SovereignError
from sovereign.gha import Secret, Step
from sovereign.github import GitHub
from sovereign.grafana import Grafana
from sovereign.grafana_push import annotation
from sovereign.grafana_push.formats import Push
from sovereign.grafana_push.push import send as push_metrics
from sovereign.http import new_session

TOKEN = Secret("matrix-token-0123456789")


def _step() -> Step:
    return Step("matrix", environ={}, out=lambda line: None)


def _github(url: str) -> GitHub:
    return GitHub(TOKEN, "owner/repo", {"GITHUB_API_URL": url, "GITHUB_GRAPHQL_URL": url + "/graphql"})


def _webhook(channel: str) -> Callable[[str, list[float]], Any]:
    def run(url: str, waits: list[float]) -> Any:
        deliver = importlib.import_module("sovereign.notify.deliver")
        payload = {"text": "Release v1.2.3"} if channel != "discord" else {"content": "Release v1.2.3"}
        result = deliver.send(new_session(), channel, Secret(url + "/hook/abc"), payload, sleep=waits.append)
        if not result.delivered:
            raise SovereignError(result.detail, result.fix)
        return result

    return run


def _snapshot(url: str, waits: list[float]) -> Any:
    core = importlib.import_module("sovereign.grafana_snapshot.snapshot")
    lost = importlib.import_module("sovereign.grafana_snapshot.earlier").if_lost("Release v1.2.3", "v1.2.3")
    return core.create(_step(), Grafana(url, TOKEN), {"dashboard": {"title": "d"}, "name": "Release v1.2.3"}, lost)


def _metrics(method: str) -> Callable[[str, list[float]], Any]:
    def run(url: str, waits: list[float]) -> Any:
        return push_metrics(Push(method, url + "/write", "text/plain", "m v=1\n"), "", TOKEN, _step())

    return run


RUNNERS: dict[str, Callable[[str, list[float]], Any]] = {
    "github-rest": lambda url, waits: _github(url).get_json("/repos/owner/repo", "test"),
    "github-graphql": lambda url, waits: _github(url).graphql("query { viewer { login } }", {}, "test"),
    "grafana-read": lambda url, waits: Grafana(url, TOKEN).json("GET", "/api/health", "test"),
    "grafana-query": lambda url, waits: Grafana(url, TOKEN, retry_posts=True).json("POST", "/api/ds/query", "test"),
    "grafana-annotation": lambda url, waits: annotation.publish(
        Grafana(url, TOKEN), annotation.Marker(("release", "owner/repo", "v1.2.3"), "t", "", 0), [], "owner/repo"
    ),
    "metrics-influx": _metrics("POST"),
    "metrics-pushgateway": _metrics("PUT"),
    "snapshot-create": _snapshot,
    "slack": _webhook("slack"),
    "discord": _webhook("discord"),
    "teams": _webhook("teams"),
}

MODULES = {"snapshot-create": "sovereign.grafana_snapshot.snapshot", "slack": "sovereign.notify.deliver"}
MODULES.update(discord=MODULES["slack"], teams=MODULES["slack"])


def cell_id(cell: tuple[Adapter, Fault]) -> str:
    return f"{cell[0].key}-{cell[1].key}"


@pytest.mark.parametrize("cell", cells(), ids=cell_id)
def test_cell(cell: tuple[Adapter, Fault], waits: list[float], request: pytest.FixtureRequest) -> None:
    adapter, fault = cell
    if adapter.key in MODULES:
        pytest.importorskip(MODULES[adapter.key])
    if fault.short_timeout:
        request.getfixturevalue("short_timeout")
    wanted = expect(adapter, fault)
    run = RUNNERS[adapter.key]
    error: SovereignError | None = None
    if fault.refused:
        seen = 0
        try:
            run(f"http://127.0.0.1:{free_port()}", waits)
        except SovereignError as err:
            error = err
    else:
        with serve(fault.script(adapter.ok)) as (url, script):
            try:
                run(url, waits)
            except SovereignError as err:
                error = err
            seen = len(script.seen)

    if wanted.ok:
        assert error is None, f"expected success, got: {error.line() if error else ''}"
    else:
        assert error is not None, "expected a failure, the call succeeded"
        line = error.line()
        assert wanted.message in line, line
        assert wanted.lost in line, line
        assert "\n" not in line and "Traceback" not in line and "<html" not in line.lower()
        assert TOKEN.reveal() not in line
    assert seen == wanted.requests, f"{seen} request(s), expected {wanted.requests}"
    assert all(w <= WAIT_CAP for w in waits) and sum(waits) <= TOTAL_WAIT_CAP, waits
    if wanted.waits is not None:
        assert tuple(waits) == wanted.waits
    if fault.key == "429-date":
        assert len(waits) == 1 and 7 <= waits[0] <= 11, waits
