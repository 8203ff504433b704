"""The snapshot's name, and the snapshot an earlier run made under it.

Grafana stores a snapshot's name as VARCHAR(255) (MySQL, Postgres), so a longer
one is cut to 255 characters, ending in "…". A re-run (after a lost answer, or
"Re-run jobs") first lists the snapshots of that name, ``GET
/api/dashboard/snapshots?query=<name>`` (a service account sees the ones it
made), and reuses one instead of making a second. Only a name that carries the
tag is trusted: a fixed name is the same for every release, so a snapshot of
that name may belong to an earlier release.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as url_quote

from sovereign.errors import SovereignError
from sovereign.gha import Step
from sovereign.grafana import Grafana

NAME_MAX = 255  # characters: Grafana's dashboard_snapshot.name column
LIST_LIMIT = 1000


def cut(text: str, limit: int = NAME_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def snapshot_name(step: Step, name: str, tag: str, dashboard_title: str) -> str:
    """The given name, else ``Release <tag> — <dashboard title>``; at most 255 characters."""
    full = name or f"Release {tag} — {dashboard_title}"
    if len(full) > NAME_MAX:
        step.notice(f"the snapshot name is {len(full)} characters long; cut to {NAME_MAX} (Grafana stores no more)")
    return cut(full)


def carries_tag(name: str, tag: str) -> bool:
    return tag in name


def if_lost(name: str, tag: str) -> str:
    """What to tell the operator when the creating POST's answer is lost."""
    if carries_tag(name, tag):
        return (
            f"the snapshot {name!r} may have been created anyway; re-running is safe: it finds it by name and reuses it"
        )
    return (
        f"the snapshot {name!r} may have been created anyway; its name does not carry the tag {tag}, "
        "so a re-run makes another: look in Grafana (Dashboards → Snapshots) first"
    )


@dataclass(frozen=True)
class Earlier:
    id: int
    key: str
    url: str
    created: str


_FRACTION = re.compile(r"(\.\d+)(?=[Z+-]|$)")


def _expired(item: Mapping[str, Any], now_ms: int) -> bool:
    """Grafana answers 404 for a snapshot past its expiry, until its cleanup deletes it."""
    text = _FRACTION.sub("", str(item.get("expires") or "")).replace("Z", "+00:00")
    try:
        expires = dt.datetime.fromisoformat(text)
    except ValueError:
        return False  # unknown: Grafana still lists it, so it is there
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.timezone.utc)
    return expires.timestamp() * 1000 <= now_ms


def _matches(item: Any, name: str, external: bool, now_ms: int) -> bool:
    return (
        isinstance(item, dict)
        and item.get("name") == name
        and isinstance(item.get("id"), int)
        and isinstance(item.get("key"), str)
        and bool(item["key"])
        and bool(item.get("external")) == external
        and not _expired(item, now_ms)
    )


def find(step: Step, client: Grafana, *, name: str, tag: str, external: bool, now_ms: int) -> Earlier | None:
    """This release's snapshot from an earlier run, or None (then one is made, and the log says why)."""
    try:
        listed = client.json(
            "GET",
            "/api/dashboard/snapshots",
            "listing snapshots",
            params={"query": name, "limit": str(LIST_LIMIT)},
        )
    except SovereignError as err:
        step.warning(
            f"could not look for an earlier snapshot named {name!r} ({err.what}): "
            "if an earlier run made one, this run makes a second"
        )
        return None
    found = sorted(
        (i for i in (listed if isinstance(listed, list) else []) if _matches(i, name, external, now_ms)),
        key=lambda i: int(i["id"]),
    )
    if not found:
        return None
    if not carries_tag(name, tag):
        step.warning(
            f"{len(found)} snapshot(s) named {name!r} exist already; the name does not carry the tag {tag}, "
            "so they may be another release's: a new one is made (put the tag in `name` to have re-runs reuse it)"
        )
        return None
    first = found[0]
    if len(found) > 1:
        others = ", ".join(str(i["id"]) for i in found[1:])
        step.warning(f"Grafana holds more snapshots named {name!r} (ids {others}): the oldest is reused")
    key = str(first["key"])
    url = str(first.get("externalUrl") or "") if external else ""
    return Earlier(
        int(first["id"]),
        key,
        url or f"{client.url}/dashboard/snapshot/{url_quote(key, safe='')}",
        str(first.get("created") or ""),
    )
