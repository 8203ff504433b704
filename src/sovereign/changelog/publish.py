"""Create or update the GitHub Release of a tag: found by tag first, so a re-run updates, never duplicates.

Also the one draft release of the next version (``draft-release``): found by the
marker in its body, never by its name, so a re-run or the next push updates it,
and a new next version renames and re-tags it. When the real tag is published,
that draft becomes its release instead of a second one being created.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from sovereign import tags
from sovereign.github import GitHub
from sovereign.release import DRAFT_MARKER

DRAFT_SCAN = 1000  # newest releases searched for our draft (drafts sort by creation, newest first)


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


def _line(tag: str, scheme: str) -> str:
    """The prefix of the tag's release line: ``v``, ``app-v``; releases of other lines are not ours to touch."""
    split = tags.split_tag(tag, scheme)
    return split[0] if split else ""


def find_draft(gh: GitHub, tag: str, scheme: str) -> dict[str, Any] | None:
    """Our draft for ``tag``'s release line: a draft whose body carries the marker (drafts are listed only
    to a token with push access, hence contents: write)."""
    line = _line(tag, scheme)
    for seen, release in enumerate(gh.paginate(gh.repo_path("releases"), "the release list"), 1):
        mine = release.get("draft") is True and DRAFT_MARKER in str(release.get("body") or "")
        if mine and _line(str(release.get("tag_name") or ""), scheme) == line and "id" in release:
            return dict(release)
        if seen >= DRAFT_SCAN:
            break
    return None


def draft_body(notes: str) -> str:
    return f"{notes.rstrip()}\n\n{DRAFT_MARKER}\n"


def keep_draft(gh: GitHub | None, tag: str, body: str, *, target: str, scheme: str, dry_run: bool) -> Published:
    """Create the draft of ``tag`` or update ours in place, renamed and re-tagged when the next version changed."""
    payload = {**release_payload(tag, draft_body(body), False), "draft": True, "target_commitish": target}
    existing = find_draft(gh, tag, scheme) if gh is not None and gh.has_token else None
    was = str(existing.get("tag_name") or "") if existing else ""
    renamed = f" (renamed from {was})" if existing and was != tag else ""
    if existing:
        path = gh.repo_path("releases", str(existing["id"])) if gh else ""
        request = {"method": "PATCH", "path": path, "json": payload}
        if dry_run:
            return Published(f"would update the draft{renamed}", str(existing.get("html_url", "")), request)
        assert gh is not None
        response = gh.request("PATCH", path, f"updating the draft release {tag}", json=payload)
        return Published(f"updated the draft{renamed}", str(_body(response).get("html_url", "")), request)
    if dry_run:
        path = gh.repo_path("releases") if gh else ""
        return Published("would create the draft", "", {"method": "POST", "path": path, "json": payload})
    assert gh is not None
    path = gh.repo_path("releases")
    response = gh.request("POST", path, f"creating the draft release {tag}", ok=(201,), json=payload)
    return Published(
        "created the draft", str(_body(response).get("html_url", "")), {"method": "POST", "path": path, "json": payload}
    )


def publish(
    gh: GitHub | None, tag: str, body: str, prerelease: bool, dry_run: bool, *, scheme: str = "semver", name: str = ""
) -> Published:
    """Create the release, or update the existing one in place, or publish our draft of it (a stable
    release takes over the draft ``draft-release`` kept). ``gh`` is None in a dry run without a token.
    ``name``: the config's name-template rendered ("" names the release after its tag)."""
    payload = release_payload(tag, body, prerelease, name)
    existing = find(gh, tag) if gh is not None and gh.has_token else None
    draft = None
    if gh is not None and gh.has_token and not existing and not prerelease:
        draft = find_draft(gh, tag, scheme)
    if draft:
        path = gh.repo_path("releases", str(draft["id"])) if gh else ""
        takeover = {**payload, "draft": False}
        request = {"method": "PATCH", "path": path, "json": takeover}
        was = str(draft.get("tag_name") or "")
        if dry_run:
            return Published(f"would publish the draft of {was}", str(draft.get("html_url", "")), request)
        assert gh is not None
        response = gh.request("PATCH", path, f"publishing the draft release of {tag}", json=takeover)
        return Published(f"published the draft of {was}", str(_body(response).get("html_url", "")), request)
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
        response = gh.request(
            "PATCH",
            path,
            f"updating the release of {tag}",
            if_lost=f"the release of {tag} may have been updated anyway; re-running is safe: it updates it again",
            json=update,
        )
        return Published(
            "updated", str(_body(response).get("html_url", "")), {"method": "PATCH", "path": path, "json": update}
        )
    path = gh.repo_path("releases")
    response = gh.request(
        "POST",
        path,
        f"creating the release of {tag}",
        ok=(201,),
        if_lost=f"the release of {tag} may have been created anyway; re-running is safe: it finds and updates it",
        json={**payload, "draft": False},
    )
    return Published(
        "created", str(_body(response).get("html_url", "")), {"method": "POST", "path": path, "json": payload}
    )
