"""The commits of a release from local git: one ``git log`` over the range, read as bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sovereign.gitrepo import GitRepo
from sovereign.notes import reverts
from sovereign.notes.model import Commit, PullRequest

# %x1e starts a record, %x1f separates fields; the message comes last so any
# byte in it is kept. -z is not used: NUL may not appear in a message anyway.
# %m is "=" for a commit whose patch is on the other side (--cherry-mark), else "<", ">" or "-".
_FORMAT = "%x1e%m%x1f%H%x1f%P%x1f%aN%x1f%aE%x1f%at%x1f%B"
# GitHub writes "from owner/branch" and the title in the body; a merge made by hand or by
# another tool may put the title on the subject line: `Merge pull request #12 - Title`.
_MERGE_PR = re.compile(r"^Merge pull request #(\d+)(?: from \S+|[\s,:;-]+(?P<title>.*\S))?")
_SQUASH_PR = re.compile(r"\(#(\d+)\)\s*$")


@dataclass
class Logged:
    """The range's commits, and what the previous release holds that the range does not."""

    commits: list[Commit]  # reachable from the tag and not from the previous release, newest first
    earlier: list[Commit] = field(default_factory=list)  # reachable from the previous release only
    same_patch: set[str] = field(default_factory=set)  # range commits whose patch the previous release has


def log(repo: GitRepo, tag_commit: str, previous_commit: str | None, diverged: bool = False) -> Logged:
    """Every commit reachable from the tag and not from the previous release, newest first.

    When the previous release is not an ancestor (a maintenance branch), the
    same single ``git log`` walks both sides (``prev...tag``) and marks the
    commits whose patch is on both (``--cherry-mark``): cherry-picks and
    backports already released. Only then, as patch ids cost a diff per commit.
    """
    if diverged and previous_commit:
        revs = ["--left-right", "--cherry-mark", f"{previous_commit}...{tag_commit}"]
    else:
        revs = [tag_commit] + ([f"^{previous_commit}"] if previous_commit else [])
    raw = repo.run(
        "-c",
        "log.showSignature=false",
        "log",
        "--no-color",
        "--encoding=UTF-8",
        f"--format={_FORMAT}",
        *revs,
        "--",
    )
    marked = parse_log(raw)
    commits = [c for _, c in marked]
    if not (diverged and previous_commit):
        return Logged(commits)
    # "=" hides the side, so the range is what the tag reaches within the walk.
    by_sha = {c.sha: c for c in commits}
    reach: set[str] = set()
    stack = [tag_commit]
    while stack:
        sha = stack.pop()
        if sha in by_sha and sha not in reach:
            reach.add(sha)
            stack.extend(by_sha[sha].parents)
    earlier = [c for c in commits if c.sha not in reach]
    same = {c.sha for mark, c in marked if mark == "=" and c.sha in reach}
    undone = reverts.reverted_within(earlier)
    if same and undone:  # a backport reverted on its branch does not release the original
        copies = [c.sha for mark, c in marked if mark == "=" and c.sha not in reach]
        ids = _patch_ids(repo, [*same, *copies])
        kept = {ids[sha] for sha in copies if sha not in undone and sha in ids}
        same = {sha for sha in same if ids.get(sha) in kept}
    return Logged([c for c in commits if c.sha in reach], earlier, same)


def _patch_ids(repo: GitRepo, shas: list[str]) -> dict[str, str]:
    """``git patch-id --stable`` of each commit: sha -> patch id."""
    patches = repo.run("show", "--no-color", "--no-ext-diff", "--no-textconv", "--format=commit %H", "-p", *shas)
    ids = repo.run("patch-id", "--stable", stdin=patches).decode().split()
    return dict(zip(ids[1::2], ids[0::2], strict=True))


def parse_log(raw: bytes) -> list[tuple[str, Commit]]:
    """``(mark, commit)`` for every record of :data:`_FORMAT`."""
    commits: list[tuple[str, Commit]] = []
    for record in raw.decode("utf-8", "replace").split("\x1e")[1:]:
        mark, sha, parents, name, email, when, message = record.split("\x1f", 6)
        subject, _, body = message.strip("\n").partition("\n")
        commit = Commit(
            sha=sha,
            parents=tuple(parents.split()),
            author=name,
            email=email,
            time=int(when or 0),
            subject=subject.strip(),
            body=body.strip("\n"),
        )
        commits.append((mark, commit))
    return commits


def prs_from_messages(commits: list[Commit], pull_url: str) -> dict[str, PullRequest]:
    """The pull requests local history names: GitHub's merge and squash messages.

    ``Merge pull request #12 from owner/branch`` (title in the body; after the
    number when there is no ``from``) and
    ``Title (#12)``, on a squash commit or on a merge commit (GitHub's "default
    merge message: pull request title"). Rebase merges leave no trace in git;
    with ``source: git`` their commits stay direct commits, still listed.
    """
    found: dict[str, PullRequest] = {}
    for commit in commits:
        merge = _MERGE_PR.match(commit.subject)
        if merge and commit.is_merge:
            number = int(merge.group(1))
            title = merge.group("title") or ""
            if not title:
                title = commit.body.strip().splitlines()[0].strip() if commit.body.strip() else commit.subject
            found[commit.sha] = PullRequest(number, title, f"{pull_url}/{number}", merge_commit=commit.sha)
            continue
        squash = _SQUASH_PR.search(commit.subject)
        if squash:
            number = int(squash.group(1))
            title = commit.subject[: squash.start()].rstrip()
            found[commit.sha] = PullRequest(number, title, f"{pull_url}/{number}", merge_commit=commit.sha)
    return found
