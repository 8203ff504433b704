"""The snapshot model: which panels to query, how, and how their data is embedded.

Pure: no I/O. The stage fetches the dashboard and ``/api/frontend/settings``,
asks :func:`plan` which ``/api/ds/query`` requests each panel needs, sends them,
and hands the frames back to :func:`embed`; :func:`finish` then trims the
dashboard the way Grafana's own "Share → Snapshot" does (time made absolute,
variables reduced to their current values, refresh off, links removed).

Grafana 10 and later read embedded data from one query of the built-in
``grafana`` datasource (``queryType: "snapshot"``); older versions read a
panel's ``snapshotData`` (DataFrameDTO list).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sovereign.errors import SovereignError
from sovereign.grafana_snapshot import timerange
from sovereign.grafana_snapshot.panels import GRID_COLUMNS, Panel, data_panels, expand
from sovereign.grafana_snapshot.timerange import TimeRange
from sovereign.grafana_snapshot.variables import (
    Value,
    builtins,
    interpolate,
    interpolate_all,
    variable_name,
    with_scoped,
)

GRAFANA_DS = {"type": "grafana", "uid": "grafana"}
MIXED, DASHBOARD, EXPRESSION = "-- Mixed --", "-- Dashboard --", "__expr__"
SNAPSHOT_QUERY_VERSION = 10  # Grafana major version from which snapshots hold "snapshot" queries
VIEWPORT_WIDTH = 1920  # px; Grafana asks for as many points as a panel is wide
PANEL_PADDING = 16  # px lost to a panel's border and padding
MARK = "Sovereign could not embed this panel's data: "


class Unqueryable(Exception):
    """A panel whose data cannot be fetched from the backend; the message says why."""


@dataclass(frozen=True)
class DataSource:
    uid: str
    type: str
    name: str
    backend: bool
    min_interval: str = ""

    def ref(self) -> dict[str, str]:
        return {"type": self.type, "uid": self.uid}


_BUILT_IN = (
    DataSource("grafana", "grafana", "-- Grafana --", True),
    DataSource(MIXED, "datasource", MIXED, True),
    DataSource(DASHBOARD, "datasource", DASHBOARD, True),
    DataSource(EXPRESSION, EXPRESSION, "Expression", True),
)


class Catalog:
    """The datasources Grafana's frontend knows (``/api/frontend/settings``), by UID and by name."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.by_uid: dict[str, DataSource] = {}
        self.by_name: dict[str, DataSource] = {}
        for builtin in _BUILT_IN:
            self._add(builtin)
        for name, info in (settings.get("datasources") or {}).items():
            if not isinstance(info, dict) or not info.get("uid"):
                continue
            if str(info["uid"]) in {b.uid for b in _BUILT_IN}:
                self.by_name.setdefault(str(name), self.by_uid[str(info["uid"])])
                continue
            meta = info.get("meta") or {}
            self._add(
                DataSource(
                    uid=str(info["uid"]),
                    type=str(info.get("type") or meta.get("id") or ""),
                    name=str(info.get("name") or name),
                    backend=bool(meta.get("backend")),
                    min_interval=str((info.get("jsonData") or {}).get("timeInterval") or ""),
                )
            )
        default = str(settings.get("defaultDatasource") or "")
        self.default = self.by_name.get(default) or self.by_uid.get(default)

    def _add(self, source: DataSource) -> None:
        self.by_uid[source.uid] = source
        self.by_name[source.name] = source

    def _lookup(self, key: str) -> DataSource | None:
        if key in ("", "default"):
            return self.default
        return self.by_uid.get(key) or self.by_name.get(key)

    def resolve(self, ref: Any, variables: Mapping[str, Value]) -> DataSource:
        """A panel's or query's datasource reference, whatever shape the dashboard saved it in."""
        if isinstance(ref, dict):
            key, kind = str(ref.get("uid") or ""), str(ref.get("type") or "")
        else:
            key, kind = ("" if ref is None else str(ref)), ""
        name = variable_name(key) if key else None
        if name is not None:
            value = variables.get(name)
            if value is None or not value.values:
                raise Unqueryable(f"datasource variable ${name} has no current value")
            key = value.values[0]
        if not key and kind and kind != "datasource":
            of_kind = [d for d in self.by_uid.values() if d.type == kind]
            found = self.default if self.default in of_kind else (of_kind[0] if of_kind else None)
        else:
            found = self._lookup(key)
        if found is None:
            shown = key or "the default datasource"
            raise Unqueryable(f"datasource {shown!r} is not one the token can see")
        return found


@dataclass
class Request:
    """One ``POST /api/ds/query`` body."""

    body: dict[str, Any]


@dataclass
class PanelPlan:
    """What one panel needs: backend requests, or the frames of another panel (``-- Dashboard --``)."""

    panel: Panel
    label: str
    requests: list[Request] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)
    source_panel: int | None = None


def label(panel: Panel) -> str:
    title = str(panel.get("title") or "").strip() or "(untitled)"
    return f"#{panel.get('id')} {title}"


def round_interval(ms: float) -> int:
    """Grafana's rangeutil.roundInterval: a raw interval snapped to a friendly one."""
    steps = (
        (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1_500, 1_000), (3_500, 2_000),
        (7_500, 5_000), (12_500, 10_000), (17_500, 15_000), (25_000, 20_000), (45_000, 30_000), (90_000, 60_000),
        (210_000, 120_000), (450_000, 300_000), (750_000, 600_000), (1_050_000, 900_000), (1_500_000, 1_200_000),
        (2_700_000, 1_800_000), (5_400_000, 3_600_000), (9_000_000, 7_200_000), (16_200_000, 10_800_000),
        (32_400_000, 21_600_000), (86_400_000, 43_200_000), (604_800_000, 86_400_000),
        (1_814_400_000, 604_800_000), (3_628_800_000, 2_592_000_000),
    )  # fmt: skip
    for limit, interval in steps:
        if ms < limit:
            return interval
    return 31_536_000_000


def max_data_points(panel: Panel) -> int:
    """``maxDataPoints`` as the panel sets it, else its width in pixels on a 1920 px screen."""
    given = panel.get("maxDataPoints")
    if isinstance(given, (int, float)) and given > 0:
        return int(given)
    columns = int((panel.get("gridPos") or {}).get("w") or 12)
    return max(round(columns * VIEWPORT_WIDTH / GRID_COLUMNS) - PANEL_PADDING, 1)


def interval_ms(span_ms: int, points: int, min_interval: str) -> int:
    """Grafana's calculateInterval: the range over the points, rounded, never under the minimum."""
    interval = round_interval(span_ms / max(points, 1))
    low = timerange.duration_ms(min_interval) if min_interval else None
    return max(interval, low or 1)


def panel_range(panel: Panel, dashboard_range: TimeRange, now_ms: int, variables: Mapping[str, Value]) -> TimeRange:
    """The dashboard's range with the panel's own overrides (``timeFrom``, ``timeShift``) applied."""
    result = dashboard_range
    time_from = interpolate(str(panel.get("timeFrom") or "").strip(), variables, "")
    if time_from:
        start = time_from if time_from.startswith("now") else f"now-{time_from}"
        try:
            result = TimeRange(timerange.parse(start, now_ms), now_ms, start, "now")
        except SovereignError:  # a bad override: Grafana ignores it too
            result = dashboard_range
    shift = interpolate(str(panel.get("timeShift") or "").strip(), variables, "")
    shift_ms = timerange.duration_ms(shift) if shift else None
    if shift_ms:
        result = TimeRange(result.from_ms - shift_ms, result.to_ms - shift_ms, result.raw_from, result.raw_to)
    return result


@dataclass(frozen=True)
class Context:
    """What every panel's queries share: variables, the dashboard's range, now, and its title."""

    variables: Mapping[str, Value]
    time_range: TimeRange
    now_ms: int
    title: str


def plan(panel: Panel, catalog: Catalog, context: Context) -> PanelPlan | None:
    """The queries one panel needs, None when it has none (text panels), Unqueryable when it cannot have them."""
    targets = [t for t in panel.get("targets") or [] if isinstance(t, dict)]
    if not targets:
        return None
    result = PanelPlan(panel, label(panel))
    seen = with_scoped(context.variables, panel.get("scopedVars") or {})
    panel_ds = catalog.resolve(panel.get("datasource"), seen)
    if panel_ds.uid == DASHBOARD:
        source = targets[0].get("panelId")
        if not isinstance(source, int):
            raise Unqueryable("it reuses another panel's data but names no panel")
        result.source_panel = source
        return result
    time_range = panel_range(panel, context.time_range, context.now_ms, seen)
    seen = {**seen, **builtins(time_range.from_ms, time_range.to_ms, context.title)}
    points = max_data_points(panel)
    min_interval = interpolate(str(panel.get("interval") or ""), seen, "") or panel_ds.min_interval
    interval = interval_ms(time_range.span_ms, points, min_interval)
    has_expression = any(_is_expression(t) for t in targets)
    groups: dict[str, list[dict[str, Any]]] = {}
    for index, target in enumerate(targets):
        ref_id = str(target.get("refId") or chr(ord("A") + index % 26))
        if target.get("hide"):
            result.hidden.add(ref_id)
            if not has_expression:
                continue  # Grafana does not run hidden queries unless an expression reads them
        source = _target_source(target, panel_ds, catalog, seen)
        query = {k: v for k, v in target.items() if k not in ("datasource", "refId")}
        query = interpolate_all(query, seen, source.type)
        query.update(refId=ref_id, datasource=source.ref(), intervalMs=interval, maxDataPoints=points)
        groups.setdefault("all" if has_expression else source.uid, []).append(query)
    for queries in groups.values():
        body = {"queries": queries, "from": str(time_range.from_ms), "to": str(time_range.to_ms)}
        result.requests.append(Request(body))
    if not result.requests:
        return None  # every query hidden: nothing is shown, nothing to fetch
    return result


def _is_expression(target: Mapping[str, Any]) -> bool:
    ref = target.get("datasource")
    uid = ref.get("uid") if isinstance(ref, dict) else ref
    return uid in (EXPRESSION, "Expression")


def _target_source(
    target: Mapping[str, Any], panel_ds: DataSource, catalog: Catalog, variables: Mapping[str, Value]
) -> DataSource:
    if _is_expression(target):
        return catalog.by_uid[EXPRESSION]
    ref = target.get("datasource")
    source = catalog.resolve(ref, variables) if ref or panel_ds.uid == MIXED else panel_ds
    if source.uid in (MIXED, DASHBOARD):
        raise Unqueryable(f"query {target.get('refId', '?')} has no datasource of its own")
    if source.uid == "grafana" and target.get("queryType") == "snapshot":
        raise Unqueryable("it already holds a snapshot of data")
    if not source.backend:
        raise Unqueryable(f"datasource {source.name!r} ({source.type}) runs in the browser only")
    return source


def builtin_annotation(dashboard: Mapping[str, Any]) -> dict[str, Any] | None:
    """The dashboard's built-in "Annotations & Alerts" query, when it is enabled."""
    for item in (dashboard.get("annotations") or {}).get("list") or []:
        if isinstance(item, dict) and item.get("builtIn") and item.get("enable"):
            return item
    return None


def annotation_frame(
    events: list[dict[str, Any]], panel_id: int, annotation: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The dashboard annotations a panel shows, as the annotations frame Grafana's UI embeds in a snapshot."""
    shown = [e for e in events if isinstance(e, dict) and int(e.get("panelId") or 0) in (0, panel_id)]
    if not shown:
        return None
    columns: dict[str, tuple[str, list[Any]]] = {
        "type": ("string", [str(annotation.get("name") or "Annotations & Alerts")] * len(shown)),
        "color": ("string", [str(annotation.get("iconColor") or "rgba(0, 211, 255, 1)")] * len(shown)),
        "time": ("time", [e.get("time") for e in shown]),
        "timeEnd": ("time", [e.get("timeEnd") or e.get("time") for e in shown]),
        "isRegion": ("boolean", [bool(e.get("timeEnd")) and e.get("timeEnd") != e.get("time") for e in shown]),
        "text": ("string", [str(e.get("text") or "") for e in shown]),
        "tags": ("other", [list(e.get("tags") or []) for e in shown]),
        "id": ("number", [e.get("id") for e in shown]),
        "panelId": ("number", [e.get("panelId") or 0 for e in shown]),
        "login": ("string", [str(e.get("login") or "") for e in shown]),
    }
    return {
        "schema": {
            "refId": "Anno",
            "meta": {"dataTopic": "annotations"},
            "fields": [{"name": name, "type": kind} for name, (kind, _) in columns.items()],
        },
        "data": {"values": [values for _, values in columns.values()]},
    }


def visible_frames(frames: list[dict[str, Any]], hidden: set[str]) -> list[dict[str, Any]]:
    return [f for f in frames if (f.get("schema") or {}).get("refId") not in hidden]


def frame_to_dto(frame: Mapping[str, Any]) -> dict[str, Any]:
    """DataFrameJSON (what /api/ds/query returns) as the DataFrameDTO older snapshots hold."""
    schema, data = frame.get("schema") or {}, frame.get("data") or {}
    columns, entities = data.get("values") or [], data.get("entities") or []
    fields = []
    for index, spec in enumerate(schema.get("fields") or []):
        values = list(columns[index]) if index < len(columns) else []
        special = entities[index] if index < len(entities) and entities[index] else {}
        for positions in special.values():  # NaN, Inf, undefined: JSON has no such numbers
            for position in positions or []:
                if 0 <= position < len(values):
                    values[position] = None
        item: dict[str, Any] = {"name": spec.get("name", ""), "type": spec.get("type", "other")}
        item["config"] = spec.get("config") or {}
        if spec.get("labels"):
            item["labels"] = spec["labels"]
        item["values"] = values
        fields.append(item)
    dto: dict[str, Any] = {key: schema[key] for key in ("name", "refId", "meta") if schema.get(key) is not None}
    dto["fields"] = fields
    return dto


def embed(panel: Panel, frames: list[dict[str, Any]], version: int) -> None:
    """Put ``frames`` into ``panel`` the way Grafana's UI does when it takes a snapshot."""
    if version >= SNAPSHOT_QUERY_VERSION:
        panel["datasource"] = dict(GRAFANA_DS)
        panel["targets"] = [{"refId": "A", "datasource": dict(GRAFANA_DS), "queryType": "snapshot", "snapshot": frames}]
        panel.pop("snapshotData", None)
    else:
        panel["snapshotData"] = [frame_to_dto(f) for f in frames]
        panel["targets"] = []
        panel["datasource"] = None


def mark(panel: Panel, reason: str, version: int) -> None:
    """A panel kept without data: no live queries left in it, and a description saying why."""
    embed(panel, [], version)
    described = str(panel.get("description") or "").strip()
    note = MARK + reason
    panel["description"] = f"{described}\n\n{note}" if described else note


def build(dashboard: Mapping[str, Any], variables: Mapping[str, Value]) -> dict[str, Any]:
    """A copy of the dashboard with repeats expanded, ready for :func:`plan` and :func:`embed`."""
    model = copy.deepcopy(dict(dashboard))
    model["panels"] = expand(dashboard, variables)
    return model


def finish(model: dict[str, Any], title: str, time_range: TimeRange) -> dict[str, Any]:
    """Trim the dashboard as Grafana's snapshot sharing does; ``model`` is changed and returned."""
    model["title"] = title
    model["time"] = time_range.iso()
    model["links"] = []
    model["refresh"] = ""
    for panel in data_panels(model.get("panels") or []):
        if "links" in panel:
            panel["links"] = []
    annotations = (model.get("annotations") or {}).get("list") or []
    model["annotations"] = {
        "list": [
            {
                **{k: a[k] for k in ("name", "enable", "iconColor", "type", "builtIn", "hide") if k in a},
                "snapshotData": [],
            }
            for a in annotations
            if isinstance(a, dict) and a.get("enable")
        ]
    }
    for variable in (model.get("templating") or {}).get("list") or []:
        if "query" in variable:
            variable["query"] = ""
        current = variable.get("current")
        variable["options"] = [current] if current else []
        if "refresh" in variable:
            variable["refresh"] = 0
    return model


def queried_panels(model: Mapping[str, Any]) -> list[Panel]:
    return list(data_panels(model.get("panels") or []))
