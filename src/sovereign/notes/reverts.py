"""Reverts: titled as reverts, and cancelled out with what they revert when both are in the release.

A revert is ``Revert "…"`` (git's and GitHub's message, possibly behind
``[9.0.x]`` branch prefixes) or a conventional ``revert: …``. It names what it
reverts by git's ``This reverts commit <sha>`` line, else by the quoted title.
"""

from __future__ import annotations

import re

from sovereign.notes.model import Change, Commit

REVERT_TITLE = re.compile(r'^(?:\[[^\]]*\]\s*)*Revert\s+"(?P<title>.+)"(?:\s*\(#\d+\))*\s*$')
_REVERTS_COMMIT = re.compile(r"\bThis reverts commit ([0-9a-f]{7,40})\b")
_PR_NUMBERS = re.compile(r"(?:\s*\(#\d+\))+\s*$")


def titled(description: str) -> str:
    """A conventional ``revert: x`` keeps saying what it is: ``Revert "x"``."""
    if REVERT_TITLE.match(description) or description.lower().startswith("revert"):
        return description
    return f'Revert "{description}"'


def _plain(title: str) -> str:
    return _PR_NUMBERS.sub("", title).strip()


def _targets(change: Change) -> tuple[list[str], str]:
    """The commit ids a revert names, and the title it quotes ("" when it is not a revert)."""
    texts = [c.body for c in change.commits] + ([change.pr.body] if change.pr else [])
    shas = [sha for text in texts for sha in _REVERTS_COMMIT.findall(text)]
    quoted = next((m.group("title") for t in (change.title, change.head.subject) if (m := REVERT_TITLE.match(t))), "")
    return shas, _plain(quoted)


def _ref(change: Change) -> str:
    return f"#{change.pr.number}" if change.pr else change.head.sha[:7]


def _is(change: Change, sha: str) -> bool:
    """``sha`` (maybe abbreviated) is the change: its head, or its only commit that is not a merge."""
    own = [c.sha for c in change.commits if not c.is_merge]
    return change.head.sha.startswith(sha) or (len(own) == 1 and own[0].startswith(sha))


def cancel(changes: list[Change]) -> tuple[list[Change], list[tuple[Change, str]]]:
    """``changes`` without the reverts whose target is also in them, nor those targets.

    Newest first, so a revert of a revert cancels with the revert it undoes and
    the original change stays, as the code does.
    """
    gone: dict[int, str] = {}  # id(change) -> reason
    for revert in changes:
        if id(revert) in gone:
            continue
        shas, quoted = _targets(revert)
        if not shas and not quoted:
            continue
        live = [c for c in changes if c is not revert and id(c) not in gone]
        target = next((c for c in live for sha in shas if _is(c, sha)), None)
        if target is None and quoted and not shas:
            target = next((c for c in live if quoted in (_plain(c.title), _plain(c.head.subject))), None)
        if target is not None:
            gone[id(target)] = f"reverted in this release (by {_ref(revert)})"
            gone[id(revert)] = f"reverted in this release (reverts {_ref(target)})"
    kept = [c for c in changes if id(c) not in gone]
    return kept, [(c, gone[id(c)]) for c in changes if id(c) in gone]


def reverted_within(commits: list[Commit]) -> set[str]:
    """The commits of ``commits`` that another of them reverts (``This reverts commit <sha>``)."""
    shas = [c.sha for c in commits]
    named = {sha for c in commits for sha in _REVERTS_COMMIT.findall(c.body)}
    return {sha for sha in shas if any(sha.startswith(n) for n in named)}
