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
from dataclasses import dataclass, field
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
            associatedPullRequests(first: 5) { pageInfo { hasNextPage endCursor } nodes { ...PR } }
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


_PAGE = "pageInfo { hasNextPage endCursor } nodes { ...PR }"


def associated_query(shas: list[str], paged: bool = False) -> str:
    """One query looking up the pull requests of up to 100 commits, by alias.

    ``paged``: the next 100 pull requests of each, after cursors given as variables ``$a0``… (a
    commit on many branches can be in more than 5 pull requests; the one that merged it must not be lost).
    """
    size = "first: 100" if paged else "first: 5"
    params = "".join(f", $a{i}: String" for i in range(len(shas))) if paged else ""

    def after(i: int) -> str:
        return f", after: $a{i}" if paged else ""

    for sha in shas:  # spliced into the query text, so only bare hex is allowed
        if not _SHA.fullmatch(sha):
            raise ValueError(f"not a full commit id: {sha!r}")
    lookups = "\n".join(
        f'    c{i}: object(oid: "{sha}") {{ ... on Commit {{ {"" if paged else "author { user { login } } "}'
        f"associatedPullRequests({size}{after(i)}) {{ {_PAGE} }} }} }}"
        for i, sha in enumerate(shas)
    )
    return f"query($owner: String!, $name: String!{params}) {{\n  repository(owner: $owner, name: $name) {{\n{lookups}\n  }}\n}}\n{PR_FIELDS}"


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


def _rank(sha: str, node: dict[str, Any], in_range: set[str]) -> int:
    """0: ``sha`` is the PR's merge commit; 1: the PR was merged in the range; 2: merged elsewhere."""
    oid = (node.get("mergeCommit") or {}).get("oid")
    return 0 if oid == sha else 1 if oid in in_range else 2


def choose(sha: str, nodes: Iterable[dict[str, Any] | None], in_range: set[str], pull_url: str) -> PullRequest | None:
    """The merged PR that brought ``sha`` in: the one it is the merge commit of, else one merged in range."""
    merged = [n for n in nodes if n and n.get("merged")]
    if not merged:
        return None
    return _pull(min(merged, key=lambda node: _rank(sha, node, in_range)), pull_url)


@dataclass
class Associated:
    """The pull requests of each commit, read page by page."""

    nodes: dict[str, list[dict[str, Any] | None]] = field(default_factory=dict)
    more: dict[str, str] = field(default_factory=dict)  # sha -> cursor of its next page

    def add(self, sha: str, connection: dict[str, Any] | None) -> None:
        connection = connection or {}
        self.nodes.setdefault(sha, []).extend(connection.get("nodes") or [])
        page = connection.get("pageInfo") or {}
        self.more.pop(sha, None)
        if page.get("hasNextPage") and page.get("endCursor"):
            self.more[sha] = str(page["endCursor"])

    def choose_all(self, gh: GitHub, in_range: set[str], pull_url: str) -> dict[str, PullRequest]:
        """Each commit's merged PR, paging on while a commit's merge commit is not found yet."""
        while True:
            pending = [
                sha
                for sha in self.more
                if not any(n and n.get("merged") and _rank(sha, n, in_range) == 0 for n in self.nodes[sha])
            ]
            self.more = {sha: self.more[sha] for sha in pending}
            if not pending:
                break
            for start in range(0, len(pending), BATCH):
                batch = pending[start : start + BATCH]
                cursors = {f"a{i}": self.more[sha] for i, sha in enumerate(batch)}
                data = _data(
                    gh.graphql(
                        associated_query(batch, paged=True),
                        {**_owner_name(gh), **cursors},
                        "more pull requests of commits in many",
                    )
                )
                repo = data.get("repository") or {}
                for i, sha in enumerate(batch):
                    self.add(sha, (repo.get(f"c{i}") or {}).get("associatedPullRequests"))
        return {sha: pr for sha, nodes in self.nodes.items() if (pr := choose(sha, nodes, in_range, pull_url))}


def _data(data: Any) -> dict[str, Any]:
    """GraphQL ``data`` as a mapping (``null`` when GitHub found nothing)."""
    return data if isinstance(data, dict) else {}


def pull_requests(
    gh: GitHub, shas: list[str], pull_url: str, progress: Callable[[str], None] | None = None
) -> tuple[dict[str, PullRequest], dict[str, str]]:
    """The merged pull request of each commit that has one, and each commit author's login, 100 commits per query."""
    found = Associated()
    logins: dict[str, str] = {}
    for start in range(0, len(shas), BATCH):
        batch = shas[start : start + BATCH]
        data = _data(gh.graphql(associated_query(batch), _owner_name(gh), "pull requests of the release's commits"))
        repo = data.get("repository") or {}
        for i, sha in enumerate(batch):
            node = repo.get(f"c{i}") or {}
            login = ((node.get("author") or {}).get("user") or {}).get("login")
            if login:  # a bot is no User: its commits keep their [bot] name
                logins[sha] = str(login)
            found.add(sha, node.get("associatedPullRequests"))
        if progress:
            progress(f"pull requests: {min(start + BATCH, len(shas))}/{len(shas)} commits looked up")
    return found.choose_all(gh, set(shas), pull_url), logins


@dataclass(frozen=True)
class RemoteTag:
    name: str
    commit: str


def remote_tags(gh: GitHub) -> dict[str, RemoteTag]:
    """Every tag of the repository with its peeled commit, 100 per query."""
    tags: dict[str, RemoteTag] = {}
    after: str | None = None
    while True:
        data = _data(gh.graphql(TAGS_QUERY, {**_owner_name(gh), "after": after}, "the repository's tags"))
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


@dataclass(frozen=True)
class Comparison:
    status: str  # ahead | identical | behind | diverged
    merge_base: str | None
    ahead_by: int | None  # commits reachable from the head and not from the base


def compare(gh: GitHub, base: str, head: str) -> Comparison:
    """How two commits relate, from one compare request (no commit list is read)."""
    body = gh.get_json(gh.repo_path("compare", f"{base}...{head}"), "comparing two tags", params={"per_page": 1})
    merge_base = (body.get("merge_base_commit") or {}).get("sha")
    ahead = body.get("ahead_by")
    return Comparison(
        str(body.get("status") or ""),
        str(merge_base) if merge_base else None,
        ahead if isinstance(ahead, int) else None,
    )


def is_ancestor(gh: GitHub, ancestor: str, descendant: str) -> bool:
    """Whether ``ancestor`` is in ``descendant``'s history (the unreleased range's latest release)."""
    return compare(gh, ancestor, descendant).status in ("ahead", "identical")


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
        data = _data(
            gh.graphql(HISTORY_QUERY, {**_owner_name(gh), "oid": tip, "after": after}, "the release's history")
        )
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


class Walk:
    """Which commits of a history stream are reachable from ``tip`` and not from ``stop``.

    The stream lists children before parents only as far as commit dates
    allow: with a skewed clock, a parent can come before one of its children.
    So no commit is judged by where it arrives: every commit read is kept, a
    commit joins the range when a commit of the range names it as a parent
    (now or later), and leaves it again if it turns out to be below ``stop``.
    """

    def __init__(self, tip: str, stop: str | None) -> None:
        self.seen: dict[str, Commit] = {}
        self.order: list[str] = []
        self.below: set[str] = set()
        self.in_range: set[str] = set()
        self.wanted: set[str] = set()  # parents of the range not read yet
        if stop:
            self._sink(stop)
        self._want(tip)

    def add(self, commit: Commit) -> None:
        self.seen[commit.sha] = commit
        self.order.append(commit.sha)
        if commit.sha in self.below:
            for parent in commit.parents:
                self._sink(parent)
        elif commit.sha in self.wanted:
            self._want(commit.sha)

    def complete(self, expected: int | None) -> bool:
        """Nothing left to read: every parent of the range is read or below ``stop``, and, when the
        compare API counted the range, no more commits are in it than it counted."""
        return not self.wanted and (expected is None or len(self.in_range) <= expected)

    def commits(self) -> list[Commit]:
        return [self.seen[sha] for sha in self.order if sha in self.in_range]

    def _want(self, sha: str) -> None:
        stack = [sha]
        while stack:
            current = stack.pop()
            if current in self.below or current in self.in_range:
                continue
            if current not in self.seen:
                self.wanted.add(current)
                continue
            self.wanted.discard(current)
            self.in_range.add(current)
            stack.extend(self.seen[current].parents)

    def _sink(self, sha: str) -> None:
        stack = [sha]
        while stack:
            current = stack.pop()
            if current in self.below:
                continue
            self.below.add(current)
            self.in_range.discard(current)
            self.wanted.discard(current)
            if current in self.seen:
                stack.extend(self.seen[current].parents)


def history(
    gh: GitHub,
    tip: str,
    stop: str | None,
    pull_url: str,
    progress: Callable[[str], None] | None = None,
    *,
    expected: int | None = None,
) -> tuple[list[Commit], dict[str, PullRequest]]:
    """The commits reachable from ``tip`` and not from ``stop``, with their PRs, from the API alone.

    The walk stops as soon as the range is complete (see :class:`Walk`), so it
    reads about as many commits as the range holds, not the whole history.
    ``expected`` (the compare API's count) keeps it reading while a skewed
    clock may still hide a commit below ``stop``.
    """
    walk = Walk(tip, stop)
    associated = Associated()
    for node in _history_pages(gh, tip, progress):
        commit = _commit(node)
        walk.add(commit)
        associated.add(commit.sha, node.get("associatedPullRequests"))
        if walk.complete(expected):
            break
    commits = walk.commits()
    in_range = {c.sha for c in commits}
    associated.nodes = {sha: associated.nodes[sha] for sha in in_range}
    associated.more = {sha: cursor for sha, cursor in associated.more.items() if sha in in_range}
    return commits, associated.choose_all(gh, in_range, pull_url)
