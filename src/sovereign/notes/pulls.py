"""Pull-request data and API-only history from GitHub's GraphQL API, in batches.

Request budget: one query per 100 commits (``associatedPullRequests`` on
aliased ``object(oid:)`` lookups, or 100 history nodes with their pull requests
inline), plus a constant few (tags, one ancestry check). It never depends on the
size of the repository: no per-commit calls, no listing every closed PR.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sovereign.errors import SovereignError
from sovereign.github import GitHub
from sovereign.notes.model import Commit, PullRequest

BATCH = 100
_SHA = re.compile(r"[0-9a-f]{40}")

PR_FIELDS = """
fragment PR on PullRequest {
  number
  title
  merged
  body
  author { login __typename }
  labels(first: 50) { nodes { name } }
  mergeCommit { oid }
}
"""

HISTORY_QUERY = (
    """
query($owner: String!, $name: String!, $oid: GitObjectID!, $after: String) {
  repository(owner: $owner, name: $name) {
    object(oid: $oid) {
      ... on Commit {
        history(first: 100, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes {
            oid
            message
            authoredDate
            author { name email user { login } }
            parents(first: 20) { nodes { oid } }
            associatedPullRequests(first: 5) { nodes { ...PR } }
          }
        }
      }
    }
  }
}
"""
    + PR_FIELDS
)

TAGS_QUERY = """
query($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    refs(refPrefix: "refs/tags/", first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        name
        target {
          oid
          ... on Tag { target { oid ... on Tag { target { oid } } } }
        }
      }
    }
  }
}
"""


def associated_query(shas: list[str]) -> str:
    """One query looking up the pull requests of up to 100 commits, by alias."""
    for sha in shas:  # spliced into the query text, so only bare hex is allowed
        if not _SHA.fullmatch(sha):
            raise ValueError(f"not a full commit id: {sha!r}")
    lookups = "\n".join(
        f'    c{i}: object(oid: "{sha}") {{ ... on Commit {{ author {{ user {{ login }} }} '
        f"associatedPullRequests(first: 5) {{ nodes {{ ...PR }} }} }} }}"
        for i, sha in enumerate(shas)
    )
    return (
        "query($owner: String!, $name: String!) {\n  repository(owner: $owner, name: $name) {\n"
        + lookups
        + "\n  }\n}\n"
        + PR_FIELDS
    )


def _owner_name(gh: GitHub) -> dict[str, str]:
    owner, name = gh.repository.split("/", 1)
    return {"owner": owner, "name": name}


def _login(actor: dict[str, Any]) -> str:
    """An actor's login; GraphQL gives a bot's without ``[bot]``: added, so it reads as in git and REST."""
    login = str(actor.get("login") or "")
    return login + "[bot]" if actor.get("__typename") == "Bot" and not login.endswith("[bot]") else login


def _pull(node: dict[str, Any], pull_url: str) -> PullRequest:
    labels = tuple(str(n["name"]) for n in ((node.get("labels") or {}).get("nodes") or []) if n)
    merge = node.get("mergeCommit") or {}
    number = int(node["number"])
    return PullRequest(
        number=number,
        title=str(node.get("title") or ""),
        url=f"{pull_url}/{number}",
        author=_login(node.get("author") or {}) or "ghost",
        labels=labels,
        body=str(node.get("body") or ""),
        merge_commit=str(merge.get("oid") or ""),
    )


def choose(sha: str, nodes: Iterable[dict[str, Any] | None], in_range: set[str], pull_url: str) -> PullRequest | None:
    """The merged PR that brought ``sha`` in: the one it is the merge commit of, else one merged in range."""
    merged = [n for n in nodes if n and n.get("merged")]
    if not merged:
        return None

    def rank(node: dict[str, Any]) -> int:
        oid = (node.get("mergeCommit") or {}).get("oid")
        return 0 if oid == sha else 1 if oid in in_range else 2

    return _pull(min(merged, key=rank), pull_url)


def pull_requests(
    gh: GitHub, shas: list[str], pull_url: str, progress: Callable[[str], None] | None = None
) -> tuple[dict[str, PullRequest], dict[str, str]]:
    """The merged pull request of each commit that has one, and each commit author's login, 100 commits per query."""
    found: dict[str, PullRequest] = {}
    logins: dict[str, str] = {}
    in_range = set(shas)
    for start in range(0, len(shas), BATCH):
        batch = shas[start : start + BATCH]
        data = gh.graphql(associated_query(batch), _owner_name(gh), "pull requests of the release's commits")
        repo = data.get("repository") or {}
        for i, sha in enumerate(batch):
            node = repo.get(f"c{i}") or {}
            login = ((node.get("author") or {}).get("user") or {}).get("login")
            if login:  # a bot is no User: its commits keep their [bot] name
                logins[sha] = str(login)
            prs = (node.get("associatedPullRequests") or {}).get("nodes") or []
            pr = choose(sha, prs, in_range, pull_url)
            if pr is not None:
                found[sha] = pr
        if progress:
            progress(f"pull requests: {min(start + BATCH, len(shas))}/{len(shas)} commits looked up")
    return found, logins


@dataclass(frozen=True)
class RemoteTag:
    name: str
    commit: str


def remote_tags(gh: GitHub) -> dict[str, RemoteTag]:
    """Every tag of the repository with its peeled commit, 100 per query."""
    tags: dict[str, RemoteTag] = {}
    after: str | None = None
    while True:
        data = gh.graphql(TAGS_QUERY, {**_owner_name(gh), "after": after}, "the repository's tags")
        refs = ((data.get("repository") or {}).get("refs")) or {}
        for node in refs.get("nodes") or []:
            target = node.get("target") or {}
            while target.get("target"):  # annotated tags point at a tag object
                target = target["target"]
            tags[str(node["name"])] = RemoteTag(str(node["name"]), str(target.get("oid", "")))
        page = refs.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            return tags
        after = page.get("endCursor")


def is_ancestor(gh: GitHub, ancestor: str, descendant: str) -> bool:
    body = gh.get_json(
        gh.repo_path("compare", f"{ancestor}...{descendant}"), "comparing two tags", params={"per_page": 1}
    )
    return body.get("status") in ("ahead", "identical")


def _commit(node: dict[str, Any]) -> Commit:
    message = str(node.get("message") or "")
    subject, _, body = message.strip("\n").partition("\n")
    author = node.get("author") or {}
    when = str(node.get("authoredDate") or "")
    try:
        stamp = int(dt.datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp()) if when else 0
    except ValueError:
        stamp = 0
    return Commit(
        sha=str(node["oid"]),
        parents=tuple(str(p["oid"]) for p in ((node.get("parents") or {}).get("nodes") or [])),
        author=str(author.get("name") or ""),
        email=str(author.get("email") or ""),
        time=stamp,
        subject=subject.strip(),
        body=body.strip("\n"),
        login=str((author.get("user") or {}).get("login") or ""),
    )


def _history_pages(gh: GitHub, tip: str, progress: Callable[[str], None] | None) -> Iterator[dict[str, Any]]:
    after: str | None = None
    read = 0
    while True:
        data = gh.graphql(HISTORY_QUERY, {**_owner_name(gh), "oid": tip, "after": after}, "the release's history")
        history = (((data.get("repository") or {}).get("object")) or {}).get("history")
        if history is None:
            raise SovereignError(f"GitHub has no commit {tip[:12]}", "push the tag, or check the repository name")
        nodes = history.get("nodes") or []
        read += len(nodes)
        if progress and (history.get("pageInfo") or {}).get("hasNextPage"):  # a one-page range needs no progress
            progress(f"commits {read:,} read from GitHub's history")
        yield from nodes
        page = history.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            return
        after = page.get("endCursor")


def history(
    gh: GitHub, tip: str, previous: str | None, pull_url: str, progress: Callable[[str], None] | None = None
) -> tuple[list[Commit], dict[str, PullRequest]]:
    """The commits reachable from ``tip`` and not from ``previous``, with their PRs, from the API alone.

    GitHub lists history children before parents, as ``git log`` does. The walk
    keeps the commits still wanted (parents of commits in the range) and those
    known to be below ``previous``, and stops as soon as nothing is wanted, so
    it reads about as many commits as the range holds, not the whole history.
    """
    below: set[str] = {previous} if previous else set()
    wanted: set[str] = {tip} - below
    commits: list[Commit] = []
    nodes: dict[str, list[dict[str, Any] | None]] = {}
    for node in _history_pages(gh, tip, progress):
        commit = _commit(node)
        if commit.sha in below:
            wanted.discard(commit.sha)
            below.update(commit.parents)
            wanted.difference_update(commit.parents)
        elif commit.sha in wanted:
            wanted.discard(commit.sha)
            commits.append(commit)
            nodes[commit.sha] = (node.get("associatedPullRequests") or {}).get("nodes") or []
            wanted.update(p for p in commit.parents if p not in below)
        if not wanted:
            break
    in_range = {c.sha for c in commits}
    prs = {sha: pr for sha, found in nodes.items() if (pr := choose(sha, found, in_range, pull_url)) is not None}
    return commits, prs
