"""What grafana-snapshot reads from Grafana: the health probe, the dashboard, the
datasources, every panel's data (``POST /api/ds/query``, read-only, so retried like
a GET), library panels and annotations. Every failure here is named; a panel that
cannot be queried is kept and marked, never a reason to stop.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as url_quote
from urllib.parse import urlencode

from sovereign.errors import SovereignError
from sovereign.gha import Step
from sovereign.grafana import Grafana
from sovereign.grafana_snapshot.library import inline, library_uids
from sovereign.grafana_snapshot.model import (
    Catalog,
    Context,
    PanelPlan,
    Unqueryable,
    annotation_frame,
    builtin_annotation,
    embed,
    mark,
    plan,
    queried_panels,
    visible_frames,
)
from sovereign.grafana_snapshot.timerange import TimeRange


@dataclass
class Outcome:
    """What happened to one panel: ``embedded`` (with a frame count), ``skipped`` (why) or ``kept``."""

    label: str
    status: str
    detail: str


def major_version(version: str) -> int | None:
    match = re.match(r"\s*v?(\d+)\.", version or "")
    return int(match.group(1)) if match else None


def probe(client: Grafana, step: Step) -> str:
    """``/api/health``: Grafana answers and its database is ok. Returns its version."""
    try:
        response = client.request("GET", "/api/health", "health check", ok=(200, 503))
        health = response.json()
    except SovereignError as err:
        raise SovereignError(f"health probe failed: {err.what}; no snapshot was created", err.fix) from None
    except ValueError:
        health = None
    if not isinstance(health, dict):
        raise SovereignError(
            "health probe failed: /api/health did not answer JSON; no snapshot was created",
            "check grafana-url points at Grafana itself (not a login page or proxy)",
        )
    database = str(health.get("database", ""))
    if response.status_code != 200 or database != "ok":
        raise SovereignError(
            f"health probe failed: Grafana reports its database {database or 'unknown'!r} "
            f"(HTTP {response.status_code}); no snapshot was created",
            "Grafana is not healthy: fix it, or retry once it is up",
        )
    version = str(health.get("version") or "")
    step.info(f"Grafana is healthy (version {version or 'not reported'})")
    return version


def fetch_dashboard(client: Grafana, uid: str) -> dict[str, Any]:
    try:
        found = client.json("GET", f"/api/dashboards/uid/{url_quote(uid, safe='')}", f"dashboard {uid}")
    except SovereignError as err:
        raise SovereignError(f"{err.what}; no snapshot was created", err.fix) from None
    dashboard = found.get("dashboard") if isinstance(found, dict) else None
    if not isinstance(dashboard, dict):
        raise SovereignError(
            f"Grafana answered for dashboard {uid} without a dashboard model; no snapshot was created",
            "check grafana-url points at Grafana itself",
        )
    if dashboard.get("rows") and not dashboard.get("panels"):
        raise SovereignError(
            f"dashboard {uid} is saved in Grafana's pre-5.0 layout (rows), which Grafana upgrades only in the browser;"
            " no snapshot was created",
            "open the dashboard in Grafana and save it once, then run again",
        )
    return dashboard


def frontend_settings(client: Grafana) -> dict[str, Any]:
    settings = client.json("GET", "/api/frontend/settings", "frontend settings (datasources, renderer)")
    return settings if isinstance(settings, dict) else {}


def _error_of(payload: Any, status: int) -> str:
    if isinstance(payload, dict):
        for ref_id, result in (payload.get("results") or {}).items():
            if isinstance(result, dict) and result.get("error"):
                return f"query {ref_id}: {str(result['error'])[:300]}"
        if payload.get("message"):
            return str(payload["message"])[:300]
    return f"HTTP {status}"


def query_frames(client: Grafana, panel_plan: PanelPlan) -> list[dict[str, Any]]:
    """Every frame a panel's queries return; Unqueryable with Grafana's reason when one fails."""
    frames: list[dict[str, Any]] = []
    for request in panel_plan.requests:
        try:
            response = client.request(
                "POST", "/api/ds/query", f"queries of panel {panel_plan.label}", ok=(200, 207, 400), json=request.body
            )
        except SovereignError as err:
            raise Unqueryable(err.what) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise Unqueryable(
                f"Grafana answered its query (HTTP {response.status_code}) with something that is not JSON"
            )
        error = _error_of(payload, response.status_code)
        if response.status_code != 200 or any(
            isinstance(r, dict) and r.get("error") for r in (payload.get("results") or {}).values()
        ):
            raise Unqueryable(f"Grafana refused the query (HTTP {response.status_code}): {error}")
        for ref_id, result in (payload.get("results") or {}).items():
            for frame in (result or {}).get("frames") or []:
                if isinstance(frame, dict):
                    frame.setdefault("schema", {}).setdefault("refId", ref_id)
                    frames.append(frame)
    return visible_frames(frames, panel_plan.hidden)


def inline_library_panels(step: Step, client: Grafana, dashboard: dict[str, Any]) -> dict[str, Any]:
    """Library panels fetched and inlined, so they can carry data; one that cannot be read stays a reference."""
    models: dict[str, dict[str, Any]] = {}
    for uid in library_uids(dashboard):
        try:
            found = client.json("GET", f"/api/library-elements/{url_quote(uid, safe='')}", f"library panel {uid}")
        except SovereignError as err:
            step.warning(f"library panel {uid}: {err.what}; it stays a reference, without data")
            continue
        model = (found.get("result") or {}).get("model") if isinstance(found, dict) else None
        if isinstance(model, dict):
            models[uid] = model
    return inline(dashboard, models) if models else dashboard


def embed_all(
    step: Step,
    client: Grafana,
    model: dict[str, Any],
    *,
    catalog: Catalog,
    context: Context,
    version: int,
    annotate: Callable[[int], list[dict[str, Any]]] = lambda _: [],
) -> list[Outcome]:
    """Query every panel and embed its data (and the annotations it shows); unqueryable panels are marked and kept."""
    outcomes: list[Outcome] = []
    fetched: dict[int, list[dict[str, Any]]] = {}
    reuse: list[PanelPlan] = []

    def skip(panel: dict[str, Any], label: str, reason: str) -> None:
        mark(panel, reason, version)
        outcomes.append(Outcome(label, "skipped", reason))
        step.warning(f"panel {label}: no data embedded — {reason}")

    panels = queried_panels(model)
    for number, panel in enumerate(panels, 1):
        label = f"#{panel.get('id')} {str(panel.get('title') or '').strip() or '(untitled)'}"
        step.progress(f"panel queries {number}/{len(panels)}: {label}")
        try:
            panel_plan = plan(panel, catalog, context)
            if panel_plan is None:
                outcomes.append(Outcome(label, "kept", "no queries (nothing to embed)"))
                continue
            if panel_plan.source_panel is not None:
                reuse.append(panel_plan)
                continue
            frames = query_frames(client, panel_plan)
        except Unqueryable as why:
            skip(panel, label, str(why))
            continue
        notes = annotate(int(panel.get("id") or 0))
        embed(panel, frames + notes, version)
        fetched[int(panel.get("id") or 0)] = frames
        outcomes.append(Outcome(label, "embedded", f"{len(frames)} frame(s)" + _with_annotations(notes)))
        step.info(f"panel {label}: {len(frames)} frame(s) embedded")
    for panel_plan in reuse:  # "-- Dashboard --" panels show another panel's data
        source = panel_plan.source_panel or 0
        if source not in fetched:
            skip(panel_plan.panel, panel_plan.label, f"it reuses panel #{source}, which has no data")
            continue
        notes = annotate(int(panel_plan.panel.get("id") or 0))
        embed(panel_plan.panel, fetched[source] + notes, version)
        detail = f"{len(fetched[source])} frame(s) of panel #{source}" + _with_annotations(notes)
        outcomes.append(Outcome(panel_plan.label, "embedded", detail))
    return outcomes


def _with_annotations(notes: list[dict[str, Any]]) -> str:
    count = sum(len(((n.get("data") or {}).get("values") or [[]])[0]) for n in notes)
    return f" + {count} annotation(s)" if count else ""


def annotations_for(
    step: Step, client: Grafana, dashboard: Mapping[str, Any], uid: str, time_range: TimeRange
) -> Callable[[int], list[dict[str, Any]]]:
    """The dashboard's own annotations (a release marker, say) per panel, as Grafana's snapshots embed them."""
    builtin = builtin_annotation(dashboard)
    if builtin is None:
        return lambda _: []
    query = urlencode({"dashboardUID": uid, "from": time_range.from_ms, "to": time_range.to_ms, "limit": 100})
    try:
        events = client.json("GET", f"/api/annotations?{query}", f"annotations of dashboard {uid}")
    except SovereignError as err:
        step.warning(f"{err.what}: the snapshot shows no annotations")
        return lambda _: []
    found = [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []

    def annotate(panel_id: int) -> list[dict[str, Any]]:
        frame = annotation_frame(found, panel_id, builtin)
        return [frame] if frame else []

    return annotate


def check_external(client: Grafana) -> None:
    options = client.json("GET", "/api/snapshot/shared-options", "snapshot sharing options")
    if not (isinstance(options, dict) and options.get("externalEnabled")):
        raise SovereignError(
            "this Grafana does not allow external snapshots (external_enabled is off); no snapshot was created",
            "set external: false, or enable [snapshots] external_enabled in Grafana",
        )
