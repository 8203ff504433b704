"""Each change listed once: backports tied to their originals, and what the previous release already shipped.

Three ties, all read from what git or GitHub recorded, never guessed from titles:

* a ``(cherry picked from commit <sha>)`` trailer (``git cherry-pick -x``, backport bots);
* a backport bot's title ``original title (#A) (#B)``: it backports #A;
* the same patch (``git log --cherry-mark``), when the previous release is on another branch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sovereign.notes import reverts
from sovereign.notes.group import enclosing, introducers
from sovereign.notes.model import Change, Collected, Commit

CHERRY_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,40})\)")
BACKPORT_TITLE = re.compile(r"\(#(\d+)\)\s*\(#\d+\)\s*$")  # "title (#original) (#backport)"


def picked_from(commit: Commit) -> list[str]:
    return CHERRY_PICKED.findall(commit.body)


class ShaIndex:
    """Full commit ids found by any prefix of 7 or more hex digits (trailers may abbreviate)."""

    def __init__(self, shas: Iterable[str]) -> None:
        self.by_start: dict[str, list[str]] = {}
        for sha in shas:
            self.by_start.setdefault(sha[:7], []).append(sha)

    def find(self, prefix: str) -> str | None:
        hits = [sha for sha in self.by_start.get(prefix[:7], []) if sha.startswith(prefix)]
        return hits[0] if len(hits) == 1 else None


def _ref(change: Change) -> str:
    return f"#{change.pr.number}" if change.pr else change.head.sha[:7]


def _own(change: Change) -> list[Commit]:
    return [c for c in change.commits if not c.is_merge]


def fold_copies(changes: list[Change], commits: list[Commit], tip: str) -> list[Change]:
    """Cherry-picked commits a merged pull request brought in belong to that pull request.

    A backport PR's branch holds a copy of the original squash commit, subject
    ``title (#A)``: it would otherwise be listed as #A beside the backport's own
    entry. Only copies (with a trailer) move; a maintenance branch merged back
    keeps its own pull requests.
    """
    owner = introducers(commits, tip)
    heads = {c.head.sha: c for c in changes if c.pr is not None}
    kept: list[Change] = []
    for change in changes:
        own = _own(change)
        merges = {enclosing(owner, c.sha, heads) for c in own}
        merge = merges.pop() if len(merges) == 1 else None
        target = heads.get(merge) if merge else None
        if own and target is not None and target is not change and all(picked_from(c) for c in own):
            target.commits.extend(change.commits)
        else:
            kept.append(change)
    return kept


def already_released(
    changes: list[Change], found: Collected, previous: str | None
) -> tuple[list[Change], list[tuple[Change, str]]]:
    """Changes whose every commit the previous release already holds (same patch, or cherry-picked
    there), or whose pull request it backported. Only when the previous release is on another branch;
    a backport that was reverted on that branch does not count."""
    if previous is None or not (found.earlier or found.same_patch):
        return changes, []
    undone = reverts.reverted_within(found.earlier)  # backported, then reverted there: not released
    earlier = [c for c in found.earlier if c.sha not in undone]
    index = ShaIndex(c.sha for c in found.commits)
    shipped = set(found.same_patch)
    shipped.update(sha for c in earlier for pick in picked_from(c) if (sha := index.find(pick)))
    numbers = {int(m.group(1)) for c in earlier if (m := BACKPORT_TITLE.search(c.subject))}
    kept: list[Change] = []
    gone: list[tuple[Change, str]] = []
    for change in changes:
        own = _own(change)
        whole = change.head.sha in shipped  # a merge cherry-picked as one (``git cherry-pick -m 1 -x``)
        if whole or (own and all(c.sha in shipped for c in own)) or (change.pr and change.pr.number in numbers):
            gone.append((change, f"already released in {previous}"))
        else:
            kept.append(change)
    return kept, gone


def backports(changes: list[Change]) -> tuple[list[Change], list[tuple[Change, str]]]:
    """A backport and its original both in the range (a maintenance branch merged back): the original stays."""
    index = ShaIndex(c.sha for change in changes for c in change.commits)
    by_sha = {c.sha: change for change in changes for c in change.commits}
    by_number = {change.pr.number: change for change in changes if change.pr}
    kept: list[Change] = []
    gone: list[tuple[Change, str]] = []
    for change in changes:
        own = _own(change)
        picks = [index.find(p) for c in own for p in picked_from(c)]
        originals = {id(o): o for sha in picks if sha and (o := by_sha[sha]) is not change}
        if not (own and len(picks) == len(own) and all(picks) and originals):
            numbered = BACKPORT_TITLE.search(change.head.subject)
            original = by_number.get(int(numbered.group(1))) if numbered else None
            originals = {id(original): original} if original is not None and original is not change else {}
        if originals:
            refs = ", ".join(_ref(o) for o in originals.values())
            gone.append((change, f"backport of {refs}, listed once"))
        else:
            kept.append(change)
    return kept, gone
