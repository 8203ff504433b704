"""Commits grouped into changes: each pull request once, each direct push on its own.

A merge commit's pull request also owns the commits its merge brought in (the
commits reachable from its second parent that the mainline did not have yet),
so a merged branch is one entry whether or not the API knows each commit.
GitHub's merge of a private security-advisory fork (``Merge commit from fork``)
has no pull request anyone can see, yet is one change: it owns its commits too.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field

from sovereign.notes.model import Change, Commit, PullRequest

ADVISORY_MERGE = "Merge commit from fork"


def is_advisory_merge(commit: Commit) -> bool:
    """GitHub's merge of a security advisory's private fork: exactly this message, two parents."""
    return commit.is_merge and commit.subject == ADVISORY_MERGE


@dataclass
class Grouped:
    changes: list[Change]
    bare_merges: list[Commit] = field(default_factory=list)  # merges without a PR: their commits are listed


def introducers(commits: list[Commit], tip: str) -> dict[str, str]:
    """For every commit off the mainline, the merge that brought it in: the innermost one.

    The mainline is the first-parent chain from ``tip``. A merge's branch is the
    first-parent chain from its second parent; a merge on that branch brings in
    its own branch in turn. So a pull request merged into a maintenance branch
    that was then merged into the mainline owns its commits, and the outer merge
    owns the pull request's merge (see :func:`enclosing`). Merges are visited
    oldest first, so a commit reachable from several merges belongs to the first
    one that brought it in. Linear in the number of commits.
    """
    by_sha = {c.sha: c for c in commits}
    mainline = _chain(by_sha, tip, set())
    owner: dict[str, str] = {}
    taken = set(mainline)
    pending = [mainline]  # first-parent chains, newest first, whose merges bring in branches
    while pending:
        chain = pending.pop()
        for merge in reversed(chain):
            for parent in by_sha[merge].parents[1:]:
                branch = _chain(by_sha, parent, taken)
                taken.update(branch)
                owner.update(dict.fromkeys(branch, merge))
                pending.append(branch)
    return owner


def _chain(by_sha: dict[str, Commit], start: str, taken: set[str]) -> list[str]:
    """The first-parent chain from ``start`` (newest first) up to a commit outside the range or taken."""
    chain: list[str] = []
    sha: str | None = start
    while sha is not None and sha in by_sha and sha not in taken:
        chain.append(sha)
        parents = by_sha[sha].parents
        sha = parents[0] if parents else None
    return chain


def enclosing(owner: dict[str, str], sha: str, claims: Container[str]) -> str | None:
    """The innermost merge around ``sha`` that ``claims`` holds (a pull request's merge), or None."""
    seen: set[str] = set()
    current = owner.get(sha)
    while current is not None and current not in seen:
        if current in claims:
            return current
        seen.add(current)
        current = owner.get(current)
    return None


def _how(pr: PullRequest, commits: list[Commit]) -> str:
    if any(c.is_merge and (c.sha == pr.merge_commit or not pr.merge_commit) for c in commits):
        return "merge commit"
    if len(commits) == 1 and (commits[0].sha == pr.merge_commit or f"(#{pr.number})" in commits[0].subject):
        return "squash merge"
    return "rebase merge"


def group(commits: list[Commit], prs: dict[str, PullRequest], tip: str) -> Grouped:
    """Changes in the order of their newest commit (newest first)."""
    owner = introducers(commits, tip)
    by_number: dict[int, Change] = {}
    advisories = {c.sha: Change([], how="merge commit") for c in commits if is_advisory_merge(c) and c.sha not in prs}
    claims = prs.keys() | advisories.keys()  # owners are merges: only a merge with a PR or an advisory claims
    changes: list[Change] = []
    bare_merges: list[Commit] = []
    for commit in commits:
        pr = prs.get(commit.sha)
        around = enclosing(owner, commit.sha, claims) if pr is None else None
        if around is not None:
            pr = prs.get(around)
        advisory = advisories.get(commit.sha) or (advisories.get(around or "") if pr is None else None)
        if advisory is not None:
            if commit.sha in advisories:
                changes.append(advisory)
                advisory.commits.insert(0, commit)  # the merge heads its change
            else:
                advisory.commits.append(commit)
        elif pr is not None:
            change = by_number.get(pr.number)
            if change is None:
                change = by_number[pr.number] = Change([], pr)
                changes.append(change)
            change.commits.append(commit)
        elif commit.is_merge:
            bare_merges.append(commit)
        else:
            changes.append(Change([commit]))
    for change in by_number.values():
        pr = change.pr
        assert pr is not None
        # The merge (or squash) commit heads the change, so its sha is the entry's commit.
        head = [c for c in change.commits if c.sha == pr.merge_commit]
        change.commits = head + [c for c in change.commits if c.sha != pr.merge_commit]
        change.how = _how(pr, change.commits)
    return Grouped(changes, bare_merges)
