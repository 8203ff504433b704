"""The pure snapshot model: datasources, queries, embedding, trimming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sovereign.grafana_snapshot.model import (
    Catalog,
    Context,
    Unqueryable,
    annotation_frame,
    builtin_annotation,
    embed,
    finish,
    frame_to_dto,
    interval_ms,
    mark,
    max_data_points,
    panel_range,
    plan,
    round_interval,
)
from sovereign.grafana_snapshot.timerange import TimeRange
from sovereign.grafana_snapshot.variables import Value, current_values

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "grafana"
NOW = 1_779_451_200_000  # 2026-05-22T12:00:00Z
SIX_HOURS = TimeRange(NOW - 21_600_000, NOW, "now-6h", "now")


def fixture(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def catalog():
    return Catalog(fixture("frontend-settings.json"))


@pytest.fixture
def context():
    variables = current_values(fixture("dashboard-release-overview.json")["dashboard"])
    return Context(variables, SIX_HOURS, NOW, "Release overview")


@pytest.mark.parametrize(
    ("ref", "uid"),
    [
        (None, "prom-uid"),
        ("", "prom-uid"),
        ("default", "prom-uid"),
        ("Postgres", "pg-uid"),
        ("pg-uid", "pg-uid"),
        ({"type": "prometheus", "uid": "${ds}"}, "prom-uid"),
        ("$ds", "prom-uid"),
        ({"type": "grafana-postgresql-datasource"}, "pg-uid"),
        ({"type": "datasource", "uid": "-- Mixed --"}, "-- Mixed --"),
        ({"type": "datasource", "uid": "grafana"}, "grafana"),
        ("-- Grafana --", "grafana"),
    ],
)
def test_datasource_references_in_every_saved_shape(catalog, ref, uid):
    assert catalog.resolve(ref, {"ds": Value(("Prometheus",), "Prometheus")}).uid == uid


def test_unknown_datasource_is_unqueryable(catalog):
    with pytest.raises(Unqueryable, match="'gone-uid' is not one the token can see"):
        catalog.resolve({"uid": "gone-uid"}, {})
    with pytest.raises(Unqueryable, match=r"\$ds has no current value"):
        catalog.resolve("${ds}", {})


def test_round_interval_and_points():
    assert [round_interval(v) for v in (1, 14, 16, 22_881, 60_000, 86_400_000 * 400)] == [
        10, 10, 20, 20_000, 60_000, 31_536_000_000
    ]  # fmt: skip
    assert max_data_points({"gridPos": {"w": 24}}) == 1904
    assert max_data_points({"gridPos": {"w": 6}, "maxDataPoints": 100}) == 100
    assert interval_ms(21_600_000, 944, "") == 20_000
    assert interval_ms(21_600_000, 944, "1m") == 60_000
    assert interval_ms(21_600_000, 944, "$__auto") == 20_000


def test_panel_time_overrides():
    shifted = panel_range({"timeFrom": "2h", "timeShift": "1d"}, SIX_HOURS, NOW, {})
    assert (shifted.from_ms, shifted.to_ms) == (NOW - 7_200_000 - 86_400_000, NOW - 86_400_000)
    assert panel_range({"timeFrom": "nonsense"}, SIX_HOURS, NOW, {}) == SIX_HOURS


def test_plan_for_a_prometheus_panel(catalog, context):
    dashboard = fixture("dashboard-release-overview.json")["dashboard"]
    result = plan(dashboard["panels"][0], catalog, context)
    assert result is not None
    assert [r.body for r in result.requests] == [
        {
            "queries": [
                {
                    "editorMode": "code",
                    "expr": 'sum by (job) (rate(http_requests_total{job=~"(api|worker)", env="prod"}[$__rate_interval]))',
                    "legendFormat": "{{job}}",
                    "range": True,
                    "refId": "A",
                    "datasource": {"type": "prometheus", "uid": "prom-uid"},
                    "intervalMs": 20_000,
                    "maxDataPoints": 944,
                }
            ],
            "from": str(NOW - 21_600_000),
            "to": str(NOW),
        }
    ]


def test_mixed_panel_splits_per_datasource_and_skips_hidden_queries(catalog, context):
    mixed = {
        "id": 4,
        "datasource": {"type": "datasource", "uid": "-- Mixed --"},
        "targets": [
            {"refId": "A", "datasource": {"uid": "pg-uid"}, "rawSql": "SELECT 1"},
            {"refId": "B", "datasource": {"uid": "prom-uid"}, "expr": "up"},
            {"refId": "C", "datasource": {"uid": "prom-uid"}, "expr": "down", "hide": True},
        ],
    }
    result = plan(mixed, catalog, context)
    assert [[q["refId"] for q in r.body["queries"]] for r in result.requests] == [["A"], ["B"]]
    assert result.hidden == {"C"}


def test_expressions_go_in_one_request_with_the_hidden_queries_they_read(catalog, context):
    panel = {
        "id": 1,
        "datasource": {"uid": "prom-uid"},
        "targets": [
            {"refId": "A", "expr": "up", "hide": True},
            {"refId": "B", "datasource": {"type": "__expr__", "uid": "__expr__"}, "type": "math", "expression": "$A*2"},
        ],
    }
    result = plan(panel, catalog, context)
    [request] = result.requests
    assert [(q["refId"], q["datasource"]["uid"]) for q in request.body["queries"]] == [
        ("A", "prom-uid"),
        ("B", "__expr__"),
    ]
    assert request.body["queries"][1]["expression"] == "$A*2", "expression references are not template variables"
    assert result.hidden == {"A"}


def test_dashboard_datasource_reuses_another_panel(catalog, context):
    panel = {"id": 10, "datasource": {"uid": "-- Dashboard --"}, "targets": [{"panelId": 1, "refId": "A"}]}
    result = plan(panel, catalog, context)
    assert result.source_panel == 1 and result.requests == []


@pytest.mark.parametrize(
    ("panel", "reason"),
    [
        ({"datasource": {"uid": "rum-uid"}, "targets": [{"refId": "A"}]}, "runs in the browser only"),
        ({"datasource": {"uid": "nope"}, "targets": [{"refId": "A"}]}, "is not one the token can see"),
        (
            {"datasource": {"uid": "grafana"}, "targets": [{"refId": "A", "queryType": "snapshot"}]},
            "already holds a snapshot",
        ),
    ],
)
def test_unqueryable_panels(catalog, context, panel, reason):
    with pytest.raises(Unqueryable, match=reason):
        plan({"id": 1, **panel}, catalog, context)


def test_panels_without_queries_need_nothing(catalog, context):
    assert plan({"id": 9, "type": "text"}, catalog, context) is None
    assert plan({"id": 9, "targets": [{"refId": "A", "expr": "up", "hide": True}]}, catalog, context) is None


FRAME = {
    "schema": {
        "name": "up",
        "refId": "A",
        "fields": [
            {"name": "Time", "type": "time", "typeInfo": {"frame": "time.Time"}},
            {"name": "Value", "type": "number", "labels": {"job": "api"}, "config": {"unit": "short"}},
        ],
    },
    "data": {"values": [[1, 2, 3], [0.5, None, 7]], "entities": [None, {"NaN": [1], "Inf": [2]}]},
}


def test_embed_for_grafana_10_and_later():
    panel = {"id": 1, "datasource": {"uid": "prom-uid"}, "targets": [{"refId": "A", "expr": "up"}]}
    embed(panel, [FRAME], 11)
    assert panel == {
        "id": 1,
        "datasource": {"type": "grafana", "uid": "grafana"},
        "targets": [
            {
                "refId": "A",
                "datasource": {"type": "grafana", "uid": "grafana"},
                "queryType": "snapshot",
                "snapshot": [FRAME],
            }
        ],
    }


def test_embed_for_older_grafana_uses_snapshot_data():
    panel = {"id": 1, "datasource": {"uid": "prom-uid"}, "targets": [{"refId": "A", "expr": "up"}]}
    embed(panel, [FRAME], 9)
    assert panel == {
        "id": 1,
        "datasource": None,
        "targets": [],
        "snapshotData": [
            {
                "name": "up",
                "refId": "A",
                "fields": [
                    {"name": "Time", "type": "time", "config": {}, "values": [1, 2, 3]},
                    {
                        "name": "Value",
                        "type": "number",
                        "config": {"unit": "short"},
                        "labels": {"job": "api"},
                        "values": [0.5, None, None],
                    },
                ],
            }
        ],
    }
    assert frame_to_dto({"schema": {"fields": [{"name": "x"}]}}) == {
        "fields": [{"name": "x", "type": "other", "config": {}, "values": []}]
    }


def test_mark_keeps_the_panel_without_live_queries():
    panel = {"id": 7, "description": "Core web vitals", "targets": [{"refId": "A"}]}
    mark(panel, "datasource 'RUM' runs in the browser only", 11)
    assert panel["targets"][0]["snapshot"] == []
    assert panel["description"] == (
        "Core web vitals\n\nSovereign could not embed this panel's data: datasource 'RUM' runs in the browser only"
    )


def test_finish_trims_like_grafana_share_snapshot():
    model = {
        "title": "Release overview",
        "uid": "release-overview",
        "time": {"from": "now-24h", "to": "now"},
        "refresh": "30s",
        "links": [{"url": "https://wiki"}],
        "panels": [{"id": 1, "links": [{"url": "x"}]}, {"id": 2, "type": "row", "panels": [{"id": 3, "links": [1]}]}],
        "annotations": {
            "list": [
                {"name": "A", "enable": True, "builtIn": 1, "datasource": {}, "target": {}},
                {"name": "B", "enable": False},
            ]
        },
        "templating": {
            "list": [
                {
                    "name": "job",
                    "query": "label_values(job)",
                    "refresh": 2,
                    "current": {"text": "a", "value": "a"},
                    "options": [1, 2],
                },
                {"name": "c", "type": "constant"},
            ]
        },
    }
    finish(model, "Release v1 — Release overview", SIX_HOURS)
    assert model == {
        "title": "Release v1 — Release overview",
        "uid": "release-overview",
        "time": {"from": "2026-05-22T06:00:00.000Z", "to": "2026-05-22T12:00:00.000Z"},
        "refresh": "",
        "links": [],
        "panels": [{"id": 1, "links": []}, {"id": 2, "type": "row", "panels": [{"id": 3, "links": []}]}],
        "annotations": {"list": [{"name": "A", "enable": True, "builtIn": 1, "snapshotData": []}]},
        "templating": {
            "list": [
                {
                    "name": "job",
                    "query": "",
                    "refresh": 0,
                    "current": {"text": "a", "value": "a"},
                    "options": [{"text": "a", "value": "a"}],
                },
                {"name": "c", "type": "constant", "options": []},
            ]
        },
    }


def test_annotation_frame_for_a_panel():
    builtin = {"builtIn": 1, "enable": True, "name": "Annotations & Alerts", "iconColor": "red"}
    assert builtin_annotation({"annotations": {"list": [{"name": "x", "enable": True}, builtin]}}) == builtin
    assert builtin_annotation({"annotations": {"list": [{**builtin, "enable": False}]}}) is None
    events = [
        {"id": 1, "panelId": 0, "time": 10, "timeEnd": 10, "text": "Release v1", "tags": ["release"], "login": "sa"},
        {"id": 2, "panelId": 3, "time": 20, "timeEnd": 30, "text": "incident", "tags": []},
        {"id": 3, "panelId": 4, "time": 40, "text": "elsewhere"},
    ]
    assert annotation_frame(events, 3, builtin) == {
        "schema": {
            "refId": "Anno",
            "meta": {"dataTopic": "annotations"},
            "fields": [
                {"name": "type", "type": "string"},
                {"name": "color", "type": "string"},
                {"name": "time", "type": "time"},
                {"name": "timeEnd", "type": "time"},
                {"name": "isRegion", "type": "boolean"},
                {"name": "text", "type": "string"},
                {"name": "tags", "type": "other"},
                {"name": "id", "type": "number"},
                {"name": "panelId", "type": "number"},
                {"name": "login", "type": "string"},
            ],
        },
        "data": {
            "values": [
                ["Annotations & Alerts", "Annotations & Alerts"],
                ["red", "red"],
                [10, 20],
                [10, 30],
                [False, True],
                ["Release v1", "incident"],
                [["release"], []],
                [1, 2],
                [0, 3],
                ["sa", ""],
            ]
        },
    }
    assert annotation_frame(events[2:], 3, builtin) is None
