"""Rows opened up and repeats expanded, laid out the way Grafana lays them out."""

from __future__ import annotations

import copy

from sovereign.grafana_snapshot.panels import all_panels, data_panels, expand
from sovereign.grafana_snapshot.variables import Value

HOSTS = {"host": Value(("web-1", "web-2", "web-3"), "web-1 + web-2 + web-3", multi=True)}


def panel(pid, y, h=4, w=12, x=0, **extra):
    return {"id": pid, "type": "timeseries", "title": f"p{pid}", "gridPos": {"x": x, "y": y, "w": w, "h": h}, **extra}


def row(pid, y, collapsed=False, panels=(), **extra):
    return {
        "id": pid,
        "type": "row",
        "title": f"row{pid}",
        "collapsed": collapsed,
        "gridPos": {"x": 0, "y": y, "w": 24, "h": 1},
        "panels": list(panels),
        **extra,
    }


def layout(panels):
    return [(p["id"], p["title"], p["gridPos"]["x"], p["gridPos"]["y"], p["gridPos"]["w"]) for p in panels]


def test_horizontal_repeat_wraps_at_max_per_row_and_pushes_what_follows_down():
    dashboard = {
        "panels": [
            panel(1, 0, title="CPU $host", repeat="host", maxPerRow=2, repeatDirection="h"),
            panel(2, 4, w=24),
        ]
    }
    before = copy.deepcopy(dashboard)
    panels = expand(dashboard, HOSTS)
    assert layout(panels) == [
        (1, "CPU web-1", 0, 0, 12),
        (3, "CPU web-2", 12, 0, 12),
        (4, "CPU web-3", 0, 4, 12),
        (2, "p2", 0, 8, 24),
    ]
    assert [p.get("scopedVars") for p in panels[:3]] == [
        {"host": {"text": "web-1", "value": "web-1"}},
        {"host": {"text": "web-2", "value": "web-2"}},
        {"host": {"text": "web-3", "value": "web-3"}},
    ]
    assert not any("repeat" in p or "maxPerRow" in p for p in panels), "a snapshot is never repeated again"
    assert dashboard == before, "the fetched dashboard is not changed"


def test_width_follows_the_number_of_values_up_to_max_per_row():
    two = {"host": Value(("a", "b"), "", multi=True)}
    panels = expand({"panels": [panel(1, 0, w=6, repeat="host")]}, two)
    assert layout(panels) == [(1, "p1", 0, 0, 12), (2, "p1", 12, 0, 12)]


def test_vertical_repeat_stacks():
    panels = expand({"panels": [panel(1, 2, x=6, repeat="host", repeatDirection="v")]}, HOSTS)
    assert layout(panels) == [(1, "p1", 6, 2, 12), (2, "p1", 6, 6, 12), (3, "p1", 6, 10, 12)]


def test_repeat_of_an_unknown_variable_keeps_one_panel():
    panels = expand({"panels": [panel(1, 0, repeat="nope")]}, HOSTS)
    assert layout(panels) == [(1, "p1", 0, 0, 12)]
    assert "repeat" not in panels[0]


def test_repeated_row_copies_its_panels_and_moves_the_rest_down():
    dashboard = {
        "panels": [
            row(1, 0, title="Host $host", repeat="host"),
            panel(2, 1, title="Load on $host"),
            row(3, 5),
            panel(4, 6),
        ]
    }
    two = {"host": Value(("a", "b"), "a + b", multi=True)}
    panels = expand(dashboard, two)
    assert layout(panels) == [
        (1, "Host a", 0, 0, 24),
        (2, "Load on a", 0, 1, 12),
        (5, "Host b", 0, 5, 24),
        (6, "Load on b", 0, 6, 12),
        (3, "row3", 0, 10, 24),
        (4, "p4", 0, 11, 12),
    ]
    assert panels[3]["scopedVars"] == {"host": {"text": "b", "value": "b"}}


def test_collapsed_row_keeps_its_panels_inside_and_expands_their_repeats():
    dashboard = {"panels": [row(1, 0, collapsed=True, panels=[panel(2, 1, repeat="host")]), panel(3, 1)]}
    panels = expand(dashboard, HOSTS)
    assert [p["id"] for p in panels] == [1, 3]
    assert layout(panels[0]["panels"]) == [(2, "p2", 0, 1, 8), (4, "p2", 8, 1, 8), (5, "p2", 16, 1, 8)]
    assert [p["id"] for p in data_panels(panels)] == [2, 4, 5, 3]
    assert [p["id"] for p in all_panels(panels)] == [1, 2, 4, 5, 3]


def test_library_panels_are_inlined_where_the_dashboard_put_them():
    from sovereign.grafana_snapshot.library import inline, library_uids

    reference = {
        "id": 5,
        "gridPos": {"x": 0, "y": 3, "w": 8, "h": 4},
        "libraryPanel": {"uid": "lib-cpu", "name": "CPU"},
    }
    dashboard = {"panels": [reference, row(6, 7, collapsed=True, panels=[{**reference, "id": 7}])]}
    model = {
        "id": 99,
        "type": "timeseries",
        "title": "CPU",
        "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
        "libraryPanel": {"uid": "lib-cpu"},
        "datasource": {"uid": "prom-uid"},
        "targets": [{"refId": "A", "expr": "up"}],
    }
    assert library_uids(dashboard) == ["lib-cpu"]
    result = inline(dashboard, {"lib-cpu": model})
    assert result["panels"][0] == {
        "id": 5,
        "type": "timeseries",
        "title": "CPU",
        "gridPos": {"x": 0, "y": 3, "w": 8, "h": 4},
        "datasource": {"uid": "prom-uid"},
        "targets": [{"refId": "A", "expr": "up"}],
    }
    assert result["panels"][1]["panels"][0]["id"] == 7 and result["panels"][1]["panels"][0]["targets"]
    assert dashboard["panels"][0] is not result["panels"][0] and "libraryPanel" in dashboard["panels"][0]
    assert inline(dashboard, {})["panels"][0]["libraryPanel"] == {"uid": "lib-cpu", "name": "CPU"}
