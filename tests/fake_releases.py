"""GitHub's release endpoints with state, for the unit tests (``responses``) and the action tests
(``localserver``): drafts are listed but never found by tag, a draft's tag can change, ids are kept."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote, urlsplit

REPO = "/repos/octo/widget"


class Releases:
    def __init__(self, html: str = "https://github.example.com/octo/widget") -> None:
        self.html = html
        self.items: list[dict[str, Any]] = []  # oldest first
        self.writes: list[tuple[str, dict[str, Any]]] = []
        self.next_id = 100

    @property
    def drafts(self) -> list[dict[str, Any]]:
        return [r for r in self.items if r["draft"]]

    def handle(self, method: str, url: str, body: bytes | str | None) -> tuple[int, Any] | None:
        """``(status, JSON)`` for a release request, or None when ``url`` is not one."""
        path = unquote(urlsplit(url).path)
        sent = json.loads(body) if body else {}
        if method == "GET" and path.startswith(f"{REPO}/releases/tags/"):
            tag = path.removeprefix(f"{REPO}/releases/tags/")
            found = [r for r in self.items if r["tag_name"] == tag and not r["draft"]]
            return (200, found[0]) if found else (404, {"message": "Not Found"})
        if method == "GET" and path == f"{REPO}/releases":
            return 200, list(reversed(self.items))  # newest first, drafts included (the token can push)
        if method == "POST" and path == f"{REPO}/releases":
            self.writes.append(("POST", sent))
            if any(r["tag_name"] == sent["tag_name"] and not r["draft"] for r in self.items):
                return 422, {"message": "Validation Failed", "errors": [{"code": "already_exists"}]}
            release = {"draft": False, "prerelease": False, "name": "", **sent, "id": self.next_id}
            self.next_id += 1
            self.items.append(release)
            return 201, self._shown(release)
        match = re.fullmatch(rf"{REPO}/releases/(\d+)", path)
        if method == "PATCH" and match:
            self.writes.append(("PATCH", sent))
            release = next((r for r in self.items if r["id"] == int(match.group(1))), None)
            if release is None:
                return 404, {"message": "Not Found"}
            release.update(sent)
            return 200, self._shown(release)
        return None

    def _shown(self, release: dict[str, Any]) -> dict[str, Any]:
        kind = "untagged-" + str(release["id"]) if release["draft"] else f"tag/{release['tag_name']}"
        return {**release, "html_url": f"{self.html}/releases/{kind}"}
