"""Library panels made plain panels, so their data can be embedded. Pure: no I/O.

A dashboard saves a library panel as a reference (``libraryPanel: {uid, name}``)
with no queries of its own; Grafana's UI snapshots it without data. Inlining
the library element's model (``GET /api/library-elements/<uid>``) gives the
snapshot a panel it can show, data included.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from sovereign.grafana_snapshot.panels import Panel, all_panels

_KEEP = ("id", "gridPos")  # where the dashboard put the panel wins over the library's


def references(dashboard: Mapping[str, Any]) -> Iterator[tuple[Panel, str]]:
    """Every library-panel reference (collapsed rows included), with its library element UID."""
    for panel in all_panels([p for p in dashboard.get("panels") or [] if isinstance(p, dict)]):
        ref = panel.get("libraryPanel")
        if isinstance(ref, dict) and ref.get("uid") and not panel.get("targets"):
            yield panel, str(ref["uid"])


def library_uids(dashboard: Mapping[str, Any]) -> list[str]:
    return sorted({uid for _, uid in references(dashboard)})


def inline(dashboard: Mapping[str, Any], models: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A copy of the dashboard with each referenced library panel replaced by its model."""
    result = copy.deepcopy(dict(dashboard))
    for panel, uid in list(references(result)):
        model = models.get(uid)
        if model is None:
            continue
        kept = {k: panel[k] for k in _KEEP if k in panel}
        panel.clear()
        panel.update({k: copy.deepcopy(v) for k, v in model.items() if k != "libraryPanel"})
        panel.update(kept)
    return result
