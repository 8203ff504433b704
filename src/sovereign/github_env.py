"""The runner's GitHub settings, without importing requests (start-up time is
measured: a ``source: git`` changelog or a dry-run never needs the network)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sovereign.errors import SovereignError
from sovereign.gha import quote

REPOSITORY_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")


def api_url(environ: Mapping[str, str]) -> str:
    return (environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/")


def graphql_url(environ: Mapping[str, str]) -> str:
    return environ.get("GITHUB_GRAPHQL_URL") or api_url(environ) + "/graphql"


def server_url(environ: Mapping[str, str]) -> str:
    return (environ.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")


def check_repository(repository: str) -> str:
    if not REPOSITORY_RE.fullmatch(repository) or repository.endswith((".", "/..")):
        raise SovereignError(
            f"input 'repository' must be owner/name, got {quote(repository)}",
            "set repository: owner/name (it defaults to GITHUB_REPOSITORY)",
        )
    return repository


def run_url(environ: Mapping[str, str]) -> str:
    """The URL of this workflow run, or "" outside Actions."""
    repo, run = environ.get("GITHUB_REPOSITORY", ""), environ.get("GITHUB_RUN_ID", "")
    return f"{server_url(environ)}/{repo}/actions/runs/{run}" if repo and run else ""
