"""grafana-snapshot's declaration: its inputs, read into Settings once, then the snapshot (snapshot.py)."""

from __future__ import annotations

import time
from collections.abc import Mapping

from sovereign.artifacts import artifacts_dir
from sovereign.gha import TAG_INPUT, Input, Inputs, Stage, Step, release_tag
from sovereign.grafana import API_KEY_INPUT
from sovereign.grafana_snapshot.settings import Settings, check
from sovereign.grafana_snapshot.snapshot import snapshot


def read_settings(inputs: Inputs, environ: Mapping[str, str], now_ms: int) -> Settings:
    """Every input parsed and checked here, before any request: bad input fails first."""
    dry_run = inputs.flag("dry-run")
    settings = Settings(
        tag=release_tag(inputs.raw("tag"), environ),
        url=inputs.text("grafana-url"),
        uid=inputs.text("dashboard-uid"),
        api_key=inputs.secret("grafana-api-key"),
        name=inputs.text("name"),
        time_from=inputs.text("time-from") or "now-6h",
        time_to=inputs.text("time-to") or "now",
        expires=inputs.integer("expires"),
        embed_data=inputs.flag("embed-data"),
        health_probe=inputs.flag("health-probe"),
        external=inputs.flag("external"),
        render_png=inputs.flag("render-png"),
        dry_run=dry_run,
        artifacts_dir=artifacts_dir(inputs.text("artifacts-dir"), environ),
    )
    return check(settings, now_ms)


clock = time.time  # seconds; tests pin it


def run(step: Step, inputs: Inputs) -> None:
    now_ms = int(clock() * 1000)
    snapshot(step, read_settings(inputs, step.environ, now_ms), now_ms)


STAGE = Stage(
    name="grafana-snapshot",
    description="A health probe, then a Grafana dashboard snapshot with each panel's data embedded.",
    own_inputs=(
        Input("grafana-url", "Grafana's base URL (https://, or http:// for loopback)", required=True),
        API_KEY_INPUT,
        Input("dashboard-uid", "UID of the dashboard to snapshot (from its URL /d/<uid>/...)", required=True),
        TAG_INPUT,
        Input("name", "the snapshot's name (default: Release <tag> — <dashboard title>)"),
        Input("time-from", "start of the range, Grafana syntax (now-6h, now-1d/d, epoch ms, ISO date)", "now-6h"),
        Input("time-to", "end of the range, Grafana syntax", "now"),
        Input("expires", "seconds until the snapshot expires; 0 never", "0"),
        Input("embed-data", "query each panel's data and embed it in the snapshot", "true", boolean=True),
        Input("health-probe", "check Grafana's health and the dashboard before anything else", "true", boolean=True),
        Input("external", "publish to the external snapshot server Grafana is configured with", "false", boolean=True),
        Input("render-png", "also save a PNG when Grafana has an image renderer", "false", boolean=True),
    ),
    main=run,
)
