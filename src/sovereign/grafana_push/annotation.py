"""The release marker in Grafana: one annotation per (repository, tag), never stacked.

A re-run finds the marker it made before by its tags (``release``, the
repository, the tag, on the same dashboard or organisation-wide) and updates it
with ``PUT /api/annotations/<id>``, keeping its time, instead of posting another.
The creating ``POST`` is never retried after a 5xx: that is how duplicates happen;
when its answer is lost, the error says the marker may exist and a re-run will find it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as url_quote

from sovereign.errors import SovereignError
from sovereign.grafana import Grafana
from sovereign.release import Changelog

RELEASE_TAG = "release"
SEARCH_LIMIT = 100


@dataclass(frozen=True)
class Marker:
    tags: tuple[str, ...]
    text: str
    dashboard_uid: str
    time_ms: int


@dataclass(frozen=True)
class Published:
    id: int
    action: str  # "created" or "updated"
    duplicates: tuple[int, ...] = ()  # older markers for the same tag, left alone


def identity_tags(repository: str, tag: str) -> tuple[str, ...]:
    return (RELEASE_TAG, repository, tag)


def marker_tags(repository: str, tag: str, extra: Sequence[str]) -> tuple[str, ...]:
    """``release``, the repository, the tag, then the user's tags; each once."""
    tags: list[str] = []
    for item in (*identity_tags(repository, tag), *extra):
        if item not in tags:
            tags.append(item)
    return tuple(tags)


def _link(url: str, label: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(label)}</a>'


def _count(changelog: Changelog, key: str) -> int | None:
    value: Any = changelog.get(key)
    return len(value) if isinstance(value, list) else None


def default_text(repository: str, tag: str, changelog: Changelog | None, environ: Mapping[str, str]) -> str:
    """Release title, the release's numbers, and links to the release, the changes and the run."""
    server = environ.get("GITHUB_SERVER_URL", "").rstrip("/")
    lines = [f"<b>{html.escape(repository)} {html.escape(tag)}</b>"]
    data: dict[str, Any] = dict(changelog or {})
    stats: dict[str, Any] = data["stats"] if isinstance(data.get("stats"), dict) else {}
    numbers = []
    for value, unit in (
        (stats.get("commits"), "commit(s)"),
        (stats.get("prs"), "pull request(s)"),
        (_count(changelog or {}, "contributors"), "contributor(s)"),
        (_count(changelog or {}, "breaking"), "breaking"),
        (_count(changelog or {}, "security"), "security"),
    ):
        if isinstance(value, int) and not isinstance(value, bool):
            numbers.append(f"{value} {unit}")
    if numbers:
        lines.append(html.escape(" · ".join(numbers)))
    links = []
    release_url = str(data.get("release_url") or "")
    if not release_url and server:
        release_url = f"{server}/{repository}/releases/tag/{url_quote(tag, safe='')}"
    if release_url:
        links.append(_link(release_url, "release"))
    compare_url = str(data.get("compare_url") or "")
    previous = data.get("previous_tag")
    if not compare_url and server and isinstance(previous, str) and previous:
        compare_url = f"{server}/{repository}/compare/{url_quote(previous, safe='')}...{url_quote(tag, safe='')}"
    if compare_url:
        label = f"changes since {previous}" if isinstance(previous, str) and previous else "changes"
        links.append(_link(compare_url, label))
    run_id, run_repository = environ.get("GITHUB_RUN_ID", ""), environ.get("GITHUB_REPOSITORY", "") or repository
    if server and run_id:
        links.append(_link(f"{server}/{run_repository}/actions/runs/{run_id}", "run"))
    if links:
        lines.append(" · ".join(links))
    return "<br>".join(lines)


def create_payload(marker: Marker) -> dict[str, Any]:
    """The ``POST /api/annotations`` body; a dashboard is named by UID (the numeric id is deprecated)."""
    payload: dict[str, Any] = {"time": marker.time_ms, "tags": list(marker.tags), "text": marker.text}
    if marker.dashboard_uid:
        payload["dashboardUID"] = marker.dashboard_uid
    return payload


def update_payload(marker: Marker, existing: Mapping[str, Any]) -> dict[str, Any]:
    """The ``PUT /api/annotations/<id>`` body: the marker keeps the time it was first placed at."""
    time_ms = existing.get("time") if isinstance(existing.get("time"), int) else marker.time_ms
    time_end = existing.get("timeEnd") if isinstance(existing.get("timeEnd"), int) else time_ms
    return {"time": time_ms, "timeEnd": time_end, "tags": list(marker.tags), "text": marker.text}


def search_params(repository: str, tag: str, dashboard_uid: str) -> list[tuple[str, str]]:
    params = [("tags", t) for t in identity_tags(repository, tag)]
    params += [("type", "annotation"), ("limit", str(SEARCH_LIMIT))]
    if dashboard_uid:
        params.append(("dashboardUID", dashboard_uid))
    return params


def same_marker(item: Mapping[str, Any], repository: str, tag: str, dashboard_uid: str) -> bool:
    """All identity tags, and the same place: that dashboard, or organisation-wide."""
    tags = item.get("tags")
    if not isinstance(tags, list) or not set(identity_tags(repository, tag)) <= set(tags):
        return False
    if not isinstance(item.get("id"), int):
        return False
    if dashboard_uid:
        return item.get("dashboardUID") == dashboard_uid
    return not item.get("dashboardUID") and not item.get("dashboardId")


def find_existing(grafana: Grafana, repository: str, tag: str, dashboard_uid: str) -> list[dict[str, Any]]:
    """This release's markers, oldest first (Grafana's tag search may match more: filtered here)."""
    found = grafana.json(
        "GET",
        "/api/annotations",
        "searching for this release's annotation",
        params=search_params(repository, tag, dashboard_uid),
    )
    items = found if isinstance(found, list) else []
    matches = [dict(i) for i in items if isinstance(i, dict) and same_marker(i, repository, tag, dashboard_uid)]
    return sorted(matches, key=lambda i: int(i["id"]))


def publish(grafana: Grafana, marker: Marker, existing: Sequence[Mapping[str, Any]], repository: str) -> Published:
    """Update the oldest existing marker, or create one."""
    if existing:
        first = existing[0]
        grafana.request(
            "PUT",
            f"/api/annotations/{int(first['id'])}",
            "updating the release annotation",
            json=update_payload(marker, first),
        )
        return Published(int(first["id"]), "updated", tuple(int(i["id"]) for i in existing[1:]))
    answer = grafana.json(
        "POST",
        "/api/annotations",
        "creating the release annotation",
        if_lost=f"the release annotation for {repository} may have been created anyway; "
        "re-running is safe: it finds that annotation by its tags and updates it",
        json=create_payload(marker),
    )
    new_id = answer.get("id") if isinstance(answer, dict) else None
    if not isinstance(new_id, int):
        raise SovereignError(
            f"Grafana created the annotation for {repository} but returned no id",
            "check grafana-url points at Grafana's HTTP API",
        )
    return Published(new_id, "created")
