"""What one grafana-snapshot run does: its inputs parsed and checked once, before any request.

``stage.py`` reads the runner's inputs into a ``Settings`` and passes it through
``check``; everything below takes the settings (or plain values), never the inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sovereign.errors import SovereignError
from sovereign.gha import Secret, quote
from sovereign.grafana_snapshot import timerange
from sovereign.http import check_url

_UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class Settings:
    tag: str
    url: str
    uid: str
    api_key: Secret
    name: str  # empty: "Release <tag> — <dashboard title>"
    time_from: str  # Grafana's time syntax, resolved against the dashboard's week start later
    time_to: str
    expires: int  # seconds; 0 never
    embed_data: bool
    health_probe: bool
    external: bool
    render_png: bool
    dry_run: bool
    artifacts_dir: Path


def check(settings: Settings, now_ms: int) -> Settings:
    """Refuse what the input types alone let through; returns ``settings`` unchanged."""
    if not _UID.match(settings.uid):
        raise SovereignError(
            f"input 'dashboard-uid' {quote(settings.uid)} is not a Grafana dashboard UID",
            "copy the UID from the dashboard's URL (/d/<uid>/...): letters, digits, - and _, at most 40",
        )
    timerange.resolve(settings.time_from, settings.time_to, now_ms)
    if not settings.api_key and not settings.dry_run:
        raise SovereignError(
            "input 'grafana-api-key' is required to create a snapshot",
            "pass a service-account token (Viewer on the dashboard, may create snapshots): see the README",
        )
    check_url(settings.url, "input 'grafana-url'")  # the Grafana client checks it too, but only once built
    return settings
