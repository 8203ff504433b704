"""The runner's GitHub settings, without importing requests (start-up time is
measured: a ``source: git`` changelog or a dry-run never needs the network)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from sovereign.artifacts import workspace
from sovereign.errors import SovereignError
from sovereign.gha import quote
from sovereign.gitrepo import GitRepo

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
            "set repository: owner/name (it defaults to GITHUB_REPOSITORY, then the checkout's origin remote)",
        )
    return repository


_SCP_LIKE = re.compile(r"(?:[^@/:]+@)?[^@/:]+:(?!//)(?P<path>.+)")  # git@host:owner/name.git


def repository_of_remote(url: str) -> str:
    """owner/name from a GitHub or GHES remote URL (https with or without .git, ssh://,
    git@host:owner/name.git), or "" for anything else (a local path, a deeper path)."""
    url = url.strip()
    if "://" in url:
        path = urlsplit(url).path
    else:
        match = _SCP_LIKE.fullmatch(url)
        path = match.group("path") if match else ""
    path = path.strip("/").removesuffix(".git")
    return path if path.count("/") == 1 and REPOSITORY_RE.fullmatch(path) else ""


def repository_or_origin(given: str, environ: Mapping[str, str]) -> str:
    """The ``repository`` input (it falls back to GITHUB_REPOSITORY), else the checkout's ``origin``
    remote, so a local run needs no flag; "" when neither says."""
    if given:
        return given
    remote = GitRepo(workspace(environ)).run("remote", "get-url", "origin", check=False)
    return repository_of_remote(remote.decode("utf-8", "replace"))


def run_url(environ: Mapping[str, str]) -> str:
    """The URL of this workflow run, or "" outside Actions."""
    repo, run = environ.get("GITHUB_REPOSITORY", ""), environ.get("GITHUB_RUN_ID", "")
    return f"{server_url(environ)}/{repo}/actions/runs/{run}" if repo and run else ""
