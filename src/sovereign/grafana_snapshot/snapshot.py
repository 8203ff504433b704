"""grafana-snapshot: a health probe, then a dashboard snapshot with its data embedded.

Grafana stores a snapshot exactly as it is sent; its UI fills each panel's data
in before it saves. This stage does the same from CI: every panel's queries go
through ``POST /api/ds/query`` (read-only, so retried like a GET) and the frames
are embedded; the one write, ``POST /api/snapshots``, goes through a client that
never retries after the request may have been processed (no duplicate snapshots),
and a re-run reuses the snapshot an earlier run made for the release (earlier.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote
from urllib.parse import urlencode

from sovereign import preview
from sovereign.artifacts import file_name, write
from sovereign.errors import SovereignError
from sovereign.gha import Step
from sovereign.grafana import Grafana
from sovereign.grafana_snapshot import earlier, timerange
from sovereign.grafana_snapshot.model import SNAPSHOT_QUERY_VERSION, Catalog, Context, build, finish
from sovereign.grafana_snapshot.reads import (
    Outcome,
    annotations_for,
    check_external,
    embed_all,
    fetch_dashboard,
    frontend_settings,
    inline_library_panels,
    major_version,
    probe,
)
from sovereign.grafana_snapshot.settings import Settings
from sovereign.grafana_snapshot.timerange import TimeRange
from sovereign.grafana_snapshot.variables import current_values, unresolved_all
from sovereign.markdown import code, escape, heading, table

SCHEMA = "sovereign.grafana-snapshot/v1"
MODERN = 11  # assumed when Grafana does not say its version
RENDER_TIMEOUT = (10.0, 120.0)  # the image renderer takes its time on a big dashboard
RENDER_WIDTH = 1600
ROW_PX = 38  # a grid row (30 px) plus its margin, for the image's height


def render_png(client: Grafana, settings: Settings, dashboard: Mapping[str, Any], time_range: TimeRange) -> bytes:
    bottom = max(
        (int((p.get("gridPos") or {}).get("y") or 0) + int((p.get("gridPos") or {}).get("h") or 0))
        for p in dashboard.get("panels") or [{}]
    )
    query = urlencode(
        {
            "from": time_range.from_ms,
            "to": time_range.to_ms,
            "width": RENDER_WIDTH,
            "height": max(bottom * ROW_PX, 400),
            "tz": "UTC",
            "kiosk": "true",
        }
    )
    response = client.request(
        "GET",
        f"/render/d/{url_quote(settings.uid, safe='')}?{query}",
        f"image of dashboard {settings.uid}",
        timeout=RENDER_TIMEOUT,
    )
    if not response.headers.get("Content-Type", "").startswith("image/png"):
        raise SovereignError(
            f"Grafana's renderer answered for dashboard {settings.uid} with something that is not a PNG",
            "check the image renderer plugin or service and its logs",
        )
    return response.content


# -- the snapshot --------------------------------------------------------------


def render_summary(
    settings: Settings,
    title: str,
    outcomes: list[Outcome],
    *,
    snapshot_url: str,
    time_range: TimeRange,
    png: str,
    reused: bool = False,
) -> str:
    head = heading("grafana-snapshot", settings.tag, settings.dry_run)
    again = " (reused: an earlier run made it for this release)" if reused else ""
    if re.fullmatch(r"https?://[^\s()<>\[\]]+", snapshot_url):  # Grafana's answer: only a plain URL becomes a link
        head += f"Snapshot: [{escape(title)}]({snapshot_url}){again}\n\n"
    elif settings.dry_run:
        head += f"Snapshot **{escape(title)}** was not created (dry-run): the model is in the artifact.\n\n"
    else:
        head += f"Snapshot **{escape(title)}** created: {escape(snapshot_url) or '(Grafana returned no URL)'}\n\n"
    iso = time_range.iso()
    head += f"Time: {iso['from']} → {iso['to']}"
    head += f" · expires: {'never' if settings.expires == 0 else f'in {settings.expires} s'}\n\n"
    if png:
        head += f"Image: `{png}`\n\n"
    embedded = sum(o.status == "embedded" for o in outcomes)
    skipped = sum(o.status == "skipped" for o in outcomes)
    if outcomes:
        head += f"{embedded} panel(s) with data embedded, {skipped} skipped (kept without data, marked).\n\n"
    icon = {"embedded": "✅ embedded", "skipped": "⚠️ skipped", "kept": "➖ no queries"}
    rows = [[escape(o.label), icon.get(o.status, o.status), escape(o.detail)] for o in outcomes]
    return head + (table(["panel", "data", "detail"], rows) + "\n" if rows else "")


@dataclass
class Gathered:
    """Everything read from Grafana, and the snapshot request built from it."""

    dashboard: dict[str, Any]
    frontend: dict[str, Any]
    version: str
    time_range: TimeRange
    title: str
    body: dict[str, Any]
    outcomes: list[Outcome]


def gather(
    step: Step, settings: Settings, readers: Grafana, dashboard: dict[str, Any], now_ms: int, *, probed_version: str
) -> Gathered:
    """Read what the model needs, query every panel, and build the request POST /api/snapshots would get."""
    version = probed_version
    frontend = frontend_settings(readers) if settings.embed_data or settings.render_png or not version else {}
    version = version or str((frontend.get("buildInfo") or {}).get("version") or "")
    if settings.external:
        check_external(readers)
    week_start = timerange.week_start_of(str(dashboard.get("weekStart") or ""))
    time_range = timerange.resolve(settings.time_from, settings.time_to, now_ms, week_start)
    title = earlier.snapshot_name(step, settings.name, settings.tag, str(dashboard.get("title") or settings.uid))
    if settings.embed_data:
        dashboard = inline_library_panels(step, readers, dashboard)
    variables = current_values(dashboard)
    for name in sorted(unresolved_all(dashboard)):
        step.warning(f"variable ${name} is set to All but the dashboard holds none of its values: queries keep ${name}")
    model = build(dashboard, variables)
    outcomes: list[Outcome] = []
    if settings.embed_data:
        context = Context(variables, time_range, now_ms, str(dashboard.get("title") or ""))
        major = major_version(version) or MODERN
        annotate = (
            annotations_for(step, readers, dashboard, settings.uid, time_range)
            if major >= SNAPSHOT_QUERY_VERSION
            else lambda _: []
        )
        outcomes = embed_all(
            step, readers, model, catalog=Catalog(frontend), context=context, version=major, annotate=annotate
        )
    finish(model, title, time_range)
    body = {"dashboard": model, "name": title, "expires": settings.expires, "external": settings.external}
    return Gathered(dashboard, frontend, version, time_range, title, body, outcomes)


def publish(
    step: Step, settings: Settings, clients: tuple[Grafana, Grafana], gathered: Gathered, now_ms: int
) -> tuple[Path, dict[str, Any] | None]:
    """Reuse this release's snapshot from an earlier run, or create it (not in dry-run);
    write the artifact, even when Grafana refuses."""
    readers, creator = clients
    record: dict[str, Any] = {
        "schema": SCHEMA,
        "dry_run": settings.dry_run,
        "grafana_url": creator.url,
        "grafana_version": gathered.version,
        "dashboard_uid": settings.uid,
        "time": {
            "from_ms": gathered.time_range.from_ms,
            "to_ms": gathered.time_range.to_ms,
            **gathered.time_range.iso(),
        },
        "panels": [o.__dict__ for o in gathered.outcomes],
        "request": gathered.body,
        "response": None,
    }
    directory, name = settings.artifacts_dir, file_name("grafana-snapshot", settings.tag, "json")
    found = earlier.find(
        step, readers, name=gathered.title, tag=settings.tag, external=settings.external, now_ms=now_ms
    )
    response = None
    if found:
        record["reused"] = found.__dict__
    if settings.dry_run:
        would = f"would reuse snapshot {found.id} ({found.url})" if found else "not created (POST /api/snapshots)"
        step.notice(f"dry-run: snapshot {gathered.title!r} of dashboard {settings.uid} {would}")
        step.payload("snapshot (dry-run, not created)", gathered.body, directory / name, actions=[])
        for output in ("snapshot-url", "snapshot-key", "delete-url"):
            step.set_output(output, "")
    elif found:
        response = reuse(step, found)
        record["response"] = response
    else:
        try:
            response = create(step, creator, gathered.body, earlier.if_lost(gathered.title, settings.tag))
        except SovereignError as err:  # keep the model that was refused: it is what to debug
            record["error"] = err.line()
            step.set_output("snapshot-file", str(write(directory, name, json.dumps(record, indent=2), step)))
            raise
        record["response"] = response
    path = write(directory, name, json.dumps(record, indent=2), step)
    step.set_output("snapshot-file", str(path))
    return path, response


def reuse(step: Step, found: earlier.Earlier) -> dict[str, Any]:
    """The earlier run's snapshot as this run's answer; its delete key was only ever in that run's answer."""
    step.set_output("snapshot-url", found.url)
    step.set_output("snapshot-key", found.key)
    step.set_output("delete-url", "")
    when = f" at {found.created}" if found.created else ""
    step.notice(f"snapshot {found.id} was made for this release by an earlier run{when}: reused, not made again")
    return {"id": found.id, "key": found.key, "url": found.url, "created": found.created, "reused": True}


def snapshot(step: Step, settings: Settings, now_ms: int) -> None:
    readers = Grafana(settings.url, settings.api_key, retry_posts=True)  # GETs and read-only /api/ds/query
    creator = Grafana(settings.url, settings.api_key)  # POST /api/snapshots: never blindly retried
    probed_version = probe(readers, step) if settings.health_probe else ""  # what /api/health said
    try:
        dashboard = fetch_dashboard(readers, settings.uid)
    except SovereignError as err:
        if not settings.dry_run or settings.api_key:
            raise
        dry_run_without_token(step, settings, err)
        return
    gathered = gather(step, settings, readers, dashboard, now_ms, probed_version=probed_version)
    path, response = publish(step, settings, (readers, creator), gathered, now_ms)

    png = ""
    if settings.render_png:
        png = save_png(
            step,
            readers,
            settings,
            frontend=gathered.frontend,
            dashboard=gathered.dashboard,
            time_range=gathered.time_range,
        )
    step.set_output("png-file", png)
    url = str((response or {}).get("url") or "")
    outcomes = gathered.outcomes
    step.summary(
        render_summary(
            settings,
            gathered.title,
            outcomes,
            snapshot_url=url,
            time_range=gathered.time_range,
            png=png,
            reused=bool((response or {}).get("reused")),
        )
    )
    preview.refresh(path.parent, settings.tag, step)
    skipped = sum(o.status == "skipped" for o in outcomes)
    embedded = sum(o.status == "embedded" for o in outcomes)
    step.info(f"grafana-snapshot: {embedded} panel(s) with data, {skipped} skipped; wrote {path}")


def dry_run_without_token(step: Step, settings: Settings, err: SovereignError) -> None:
    """A dry-run with no token: the dashboard could not be read, so say what would be done and stop."""
    reason = err.what.removesuffix("; no snapshot was created")
    step.notice(f"dry-run without grafana-api-key: {reason}; the snapshot model needs a token to be built")
    title = earlier.cut(settings.name or f"Release {settings.tag} — <title of dashboard {settings.uid}>")
    would = {"name": title, "expires": settings.expires, "external": settings.external}
    record = {"schema": SCHEMA, "dry_run": True, "dashboard_uid": settings.uid, "request": would, "response": None}
    name = file_name("grafana-snapshot", settings.tag, "json")
    path = write(settings.artifacts_dir, name, json.dumps(record, indent=2), step)
    step.set_output("snapshot-file", str(path))
    step.set_output("png-file", "")
    step.summary(
        heading("grafana-snapshot", settings.tag, dry_run=True)
        + f"Dashboard {code(settings.uid)} could not be read without a token: {escape(reason)}\n"
    )
    preview.refresh(path.parent, settings.tag, step)


def create(step: Step, client: Grafana, body: Mapping[str, Any], if_lost: str) -> dict[str, Any]:
    """The one write: POST /api/snapshots. The delete key is masked the moment it arrives;
    ``if_lost`` is the error's fix when the answer is lost (the snapshot may exist)."""
    answer = client.json("POST", "/api/snapshots", "snapshot creation", if_lost=if_lost, json=body)
    if not isinstance(answer, dict):
        raise SovereignError("Grafana answered the snapshot creation without a snapshot", "check Grafana's logs")
    delete_key = str(answer.pop("deleteKey", "") or "")
    delete_url = str(answer.get("deleteUrl") or "")
    if delete_key:
        step.mask(delete_key)
        answer["deleteUrl"] = delete_url.replace(delete_key, "***")
    step.set_output("snapshot-url", str(answer.get("url") or ""))
    step.set_output("snapshot-key", str(answer.get("key") or ""))
    step.set_output("delete-url", delete_url)  # redacted by Step: the key in it is a secret
    step.info(f"snapshot created: {answer.get('url')}")
    return answer


def save_png(
    step: Step,
    client: Grafana,
    settings: Settings,
    *,
    frontend: Mapping[str, Any],
    dashboard: Mapping[str, Any],
    time_range: TimeRange,
) -> str:
    if not frontend.get("rendererAvailable"):
        step.notice("render-png: Grafana reports no image renderer (rendererAvailable is false), so no PNG was saved")
        return ""
    image = render_png(client, settings, dashboard, time_range)
    settings.artifacts_dir.mkdir(parents=True, exist_ok=True)
    path = settings.artifacts_dir / file_name("grafana-snapshot", settings.tag, "png")
    path.write_bytes(image)  # binary: artifacts.write only handles text
    step.info(f"image saved: {path} ({len(image)} bytes)")
    return str(path)
