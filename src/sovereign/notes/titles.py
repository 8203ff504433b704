"""An entry's title as a maintainer would write it: no branch marker, no merge boilerplate."""

from __future__ import annotations

import re

from sovereign.notes.model import Change, Commit

# Backport markers in front of a title: `[9.0.x] `, `[PR #12/ab12cd34 backport][9.0.x] `,
# `[3.12] `, `[stable/5.0.x] `, `[backport 2.1] `. A bracket that names no version stays.
_MARKER = re.compile(
    r"^(?:\s*\[(?:PR\s+#\d+/[0-9a-f]+\s+backport"
    r"|(?:backport[ -])?(?:stable/|release[-/])?v?\d+(?:\.(?:\d+|x))+(?:[-/]stable)?)\]\s*)+",
    re.I,
)
# Messages git or GitHub write for a merge: they say nothing about the change.
BOILERPLATE = re.compile(
    r"^(?:Merge pull request #\d+ from (?P<pr_branch>\S+)"
    r"|Merge pull request #\d+\s*$"
    r"|Merge (?:remote-tracking )?branch '(?P<branch>[^']+)'"
    r"|Merge commit '[0-9a-f]+'"
    r"|Merge commit from fork\s*$)"
)
# Git trailers (`Signed-off-by: …`, `Co-authored-by: …`): hyphenated keys, unlike a `component: title`.
_TRAILER = re.compile(r"^(?:[A-Za-z]+(?:-[A-Za-z]+)+: .+|\(cherry picked from commit [0-9a-f]+\))$")


def strip_markers(title: str) -> str:
    """``title`` without leading backport-branch markers."""
    return _MARKER.sub("", title, count=1).strip() or title.strip()


def _first_line(commit: Commit) -> str:
    """The body's first line that is prose (not a trailer), or ""."""
    line = next((raw.strip() for raw in commit.body.splitlines() if raw.strip()), "")
    return "" if _TRAILER.match(line) or BOILERPLATE.match(line) else line


def _readable(branch: str, from_pull_request: bool) -> str:
    """``octo/fix-empty-input`` -> ``fix empty input``: the branch's last part, words spaced."""
    if from_pull_request and "/" in branch:
        branch = branch.split("/", 1)[1]  # owner/branch
    last = branch.rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[-_]+", " ", last).strip() or branch


def title(change: Change) -> str:
    """The change's title; a merge's boilerplate is replaced by what the merge brought.

    In order: the PR or head commit's title; the merge or squash body's first
    line (GitHub writes the PR title there); the merged branch's single commit's
    subject; the branch name made readable (with no branch, the oldest commit's subject).
    """
    written = strip_markers(change.title)
    found = BOILERPLATE.match(written)
    if found is None:
        return written
    body = _first_line(change.head)
    if body:
        return strip_markers(body)
    work = [c for c in change.commits[1:] if not c.is_merge and not BOILERPLATE.match(c.subject)]
    branch = found.group("pr_branch") or found.group("branch")
    if work and (len(work) == 1 or not branch):
        return strip_markers(work[-1].subject)  # with no branch name, the oldest commit starts the story
    return _readable(branch, bool(found.group("pr_branch"))) if branch else written
