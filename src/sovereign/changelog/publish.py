"""Create or update the GitHub Release of a tag: found by tag first, so a re-run updates, never duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from sovereign.github import GitHub


@dataclass(frozen=True)
class Published:
    action: str  # "created" | "updated" | "would create" | "would update" | "would create or update"
    url: str
    request: dict[str, Any]  # what was (or would have been) sent


def _body(response: requests.Response) -> dict[str, Any]:
    """The answer as a JSON object, or {} (a release that was written must not fail on its echo)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def release_payload(tag: str, body: str, prerelease: bool, name: str = "") -> dict[str, Any]:
    return {"tag_name": tag, "name": name or tag, "body": body, "prerelease": prerelease}


def find(gh: GitHub, tag: str) -> dict[str, Any] | None:
    response = gh.request("GET", gh.repo_path("releases", "tags", tag), f"finding the release of {tag}", ok=(200, 404))
    found = _body(response) if response.status_code == 200 else {}
    return found if "id" in found else None


def publish(gh: GitHub | None, tag: str, body: str, prerelease: bool, dry_run: bool, *, name: str = "") -> Published:
    """Create the release, or update the existing one in place. ``gh`` is None in a dry run without a token.
    ``name``: the config's name-template rendered ("" names the release after its tag)."""
    payload = release_payload(tag, body, prerelease, name)
    existing = find(gh, tag) if gh is not None and gh.has_token else None
    if dry_run:
        if gh is None or not gh.has_token:
            return Published("would create or update", "", {"method": "POST or PATCH", "json": payload})
        if existing:
            path = gh.repo_path("releases", str(existing["id"]))
            return Published(
                "would update", str(existing.get("html_url", "")), {"method": "PATCH", "path": path, "json": payload}
            )
        return Published("would create", "", {"method": "POST", "path": gh.repo_path("releases"), "json": payload})
    assert gh is not None
    if existing:
        path = gh.repo_path("releases", str(existing["id"]))
        update = {k: v for k, v in payload.items() if k != "tag_name"}
        # The name is kept if someone set one by hand; the body and prerelease flag follow the tag.
        if existing.get("name"):
            update.pop("name")
        response = gh.request("PATCH", path, f"updating the release of {tag}", json=update)
        return Published(
            "updated", str(_body(response).get("html_url", "")), {"method": "PATCH", "path": path, "json": update}
        )
    path = gh.repo_path("releases")
    response = gh.request("POST", path, f"creating the release of {tag}", ok=(201,), json={**payload, "draft": False})
    return Published(
        "created", str(_body(response).get("html_url", "")), {"method": "POST", "path": path, "json": payload}
    )
