"""GitHub REST and GraphQL, at GITHUB_API_URL / GITHUB_GRAPHQL_URL (GHES works).

Counts the requests it makes and reads the rate limit from ``x-ratelimit-*``
headers, so stages can report both. Errors come back in words: 401 token
invalid, 403 rate limited until <time> or missing permission, 404 not found.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote as urlquote

import requests

from sovereign.errors import SovereignError
from sovereign.gha import Secret
from sovereign.github_env import REPOSITORY_RE, api_url, check_repository, graphql_url, run_url, server_url
from sovereign.http import call, check_url, json_message, lost_if_5xx, new_session

__all__ = ["REPOSITORY_RE", "GitHub", "api_url", "check_repository", "graphql_url", "run_url", "server_url"]

_NEXT_RE = re.compile(r'<([^>]+)>;\s*rel="next"')
UNEXPECTED_SHAPE_FIX = (
    "check that GITHUB_API_URL points at the GitHub API (not a proxy or a cache), then re-run; "
    "an answer of another shape is never read as an empty result"
)


class GitHub:
    """A small client: one Session, a request counter, the last rate-limit reading."""

    def __init__(self, token: Secret, repository: str, environ: Mapping[str, str]) -> None:
        self.repository = check_repository(repository)
        self.api = check_url(api_url(environ), "GITHUB_API_URL")
        self.graphql_endpoint = check_url(graphql_url(environ), "GITHUB_GRAPHQL_URL")
        self._token = token
        self._session = new_session()
        self._query_session = new_session(retry_posts=True)  # GraphQL reads are safe to resend
        for session in (self._session, self._query_session):
            session.headers["Accept"] = "application/vnd.github+json"
            session.headers["X-GitHub-Api-Version"] = "2022-11-28"
            if token:
                session.headers["Authorization"] = f"Bearer {token.reveal()}"
        self.requests = 0
        self.rate_remaining: int | None = None
        self.rate_reset: int | None = None

    @property
    def has_token(self) -> bool:
        return bool(self._token)

    def repo_path(self, *parts: str) -> str:
        """``/repos/owner/name/<parts>`` with each part URL-quoted."""
        return "/repos/" + self.repository + "".join("/" + urlquote(p, safe="") for p in parts)

    def _track(self, response: requests.Response) -> None:
        self.requests += 1
        remaining = response.headers.get("x-ratelimit-remaining")
        reset = response.headers.get("x-ratelimit-reset")
        if remaining is not None and remaining.isdigit():
            self.rate_remaining = int(remaining)
        if reset is not None and reset.isdigit():
            self.rate_reset = int(reset)

    def _error(self, response: requests.Response, what: str) -> SovereignError:
        status = response.status_code
        message = json_message(response)
        detail = f" ({message})" if message else ""
        if status == 401:
            return SovereignError(
                f"GitHub rejected the token for {what}{detail}", "check github-token: it is invalid or expired"
            )
        if status in (403, 429) and (response.headers.get("x-ratelimit-remaining") == "0"):
            reset = response.headers.get("x-ratelimit-reset", "")
            when = (
                dt.datetime.fromtimestamp(int(reset), tz=dt.timezone.utc).strftime("%H:%M:%S UTC")
                if reset.isdigit()
                else "later"
            )
            return SovereignError(
                f"GitHub API rate limit exhausted during {what}",
                f"rate limited until {when}: re-run then, or use a token with a higher limit",
            )
        if status in (403, 429) and response.headers.get("retry-after"):
            return SovereignError(f"GitHub's secondary rate limit hit during {what}", "wait a few minutes and re-run")
        if status == 403:
            return SovereignError(
                f"GitHub refused {what}{detail}",
                "the token lacks a permission: see the stage README for the permissions block",
            )
        if status == 404:
            return SovereignError(
                f"GitHub found nothing for {what}{detail}",
                f"check that {self.repository} exists and the token can read it",
            )
        return SovereignError(f"GitHub answered HTTP {status} for {what}{detail}", "try again later")

    def request(
        self, method: str, path: str, what: str, ok: tuple[int, ...] = (200,), *, if_lost: str = "", **kwargs: Any
    ) -> requests.Response:
        """``if_lost`` (for writes): what may have happened if the answer is lost, and whether a re-run is safe."""
        url = path if path.startswith(("https://", "http://")) else self.api + path
        response = call(self._session, method, url, f"GitHub ({what})", if_lost=if_lost, **kwargs)
        self._track(response)
        if response.status_code not in ok:
            raise lost_if_5xx(self._error(response, what), response, if_lost)
        return response

    @staticmethod
    def _json(response: requests.Response, what: str) -> Any:
        """The body as JSON; a proxy's or login page's answer is a clear error, not a traceback."""
        try:
            return response.json()
        except ValueError:
            raise SovereignError(
                f"GitHub answered {what} with something that is not JSON",
                "check GITHUB_API_URL / GITHUB_GRAPHQL_URL point at the GitHub API (not a proxy or login page)",
            ) from None

    def get_json(self, path: str, what: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._json(self.request("GET", path, what, params=params), what)

    def _endpoint(self, path: str) -> str:
        return "GET " + path.removeprefix(self.api).split("?", 1)[0]

    def expect(self, body: Any, keys: tuple[str, ...], what: str, path: str) -> dict[str, Any]:
        """``body`` as an object holding every one of ``keys``.

        An answer of another shape is an error naming the endpoint, never read as
        "nothing there": an empty list where a failed check run hides would pass a gate.
        """
        if not isinstance(body, dict):
            raise SovereignError(
                f"GitHub answered {what} ({self._endpoint(path)}) with a {type(body).__name__}, not an object",
                UNEXPECTED_SHAPE_FIX,
            )
        missing = [key for key in keys if key not in body]
        if missing:
            raise SovereignError(
                f"GitHub's answer to {what} ({self._endpoint(path)}) has no {', '.join(map(repr, missing))}",
                UNEXPECTED_SHAPE_FIX,
            )
        return body

    def get_object(
        self, path: str, what: str, keys: tuple[str, ...], params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """GET a JSON object that must hold ``keys``."""
        return self.expect(self.get_json(path, what, params), keys, what, path)

    def read_object(self, response: requests.Response, what: str, keys: tuple[str, ...]) -> dict[str, Any]:
        """A response already received, read as a JSON object that must hold ``keys``."""
        return self.expect(self._json(response, what), keys, what, response.url or "")

    def paginate(
        self,
        path: str,
        what: str,
        params: Mapping[str, Any] | None = None,
        key: str | None = None,
        item_keys: tuple[str, ...] = (),
    ) -> Iterator[dict[str, Any]]:
        """Every item over all pages (100 per page), following ``Link: rel="next"``.

        ``key``: the pages are objects holding the list under that key (and
        ``total_count``); ``item_keys``: what every item must hold. Any other
        shape is an error naming the endpoint, never an empty list.
        """
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        while url:
            response = self.request("GET", url, what, params=query)
            body = self._json(response, what)
            items = self.expect(body, (key, "total_count"), what, url)[key] if key else body
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise SovereignError(
                    f"GitHub answered {what} ({self._endpoint(url)}) with a document that is not a list of objects",
                    UNEXPECTED_SHAPE_FIX,
                )
            for item in items:
                yield self.expect(item, item_keys, f"an item of {what}", url)
            match = _NEXT_RE.search(response.headers.get("Link", ""))
            url, query = (match.group(1), None) if match else (None, None)
            if url:
                check_url(url, "GitHub's next-page link")
                if not url.startswith(self.api):
                    raise SovereignError("GitHub's next-page link points to another host", "check GITHUB_API_URL")

    def graphql(self, query: str, variables: Mapping[str, Any], what: str) -> Any:
        response = call(
            self._query_session,
            "POST",
            self.graphql_endpoint,
            f"GitHub GraphQL ({what})",
            json={"query": query, "variables": dict(variables)},
        )
        self._track(response)
        if response.status_code != 200:
            raise self._error(response, what)
        body = self._json(response, what)
        if not isinstance(body, dict):
            raise SovereignError(f"GitHub GraphQL answered {what} without a JSON object", "check GITHUB_GRAPHQL_URL")
        errors = body.get("errors")
        if errors:
            raise SovereignError(
                f"GitHub GraphQL refused {what}: {_graphql_message(errors)[:200]}",
                "check the repository name and the token's access",
            )
        if "data" not in body:
            raise SovereignError(f"GitHub GraphQL answered {what} without data", "check GITHUB_GRAPHQL_URL")
        return body["data"]

    def rate_note(self) -> str:
        if self.rate_remaining is None:
            return f"{self.requests} GitHub request(s)"
        return f"{self.requests} GitHub request(s), rate limit remaining {self.rate_remaining}"


def _graphql_message(errors: object) -> str:
    """The first error's message, whatever shape ``errors`` has (a list of objects, a string, an object)."""
    first = errors[0] if isinstance(errors, list) else errors
    if isinstance(first, dict):
        first = first.get("message", first)
    return " ".join(str(first).split())  # one line, so it cannot start a workflow command
