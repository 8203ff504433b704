"""The commits of a release from local git: one ``git log`` over the range, read as bytes."""

from __future__ import annotations

import re

from sovereign.gitrepo import GitRepo
from sovereign.notes.model import Commit, PullRequest

# %x1e starts a record, %x1f separates fields; the message comes last so any
# byte in it is kept. -z is not used: NUL may not appear in a message anyway.
_FORMAT = "%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%at%x1f%B"
_MERGE_PR = re.compile(r"^Merge pull request #(\d+) from \S+")
_SQUASH_PR = re.compile(r"\(#(\d+)\)\s*$")


def log(repo: GitRepo, tag_commit: str, previous_commit: str | None) -> list[Commit]:
    """Every commit reachable from the tag and not from the previous tag, newest first."""
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
    return parse_log(raw)


def parse_log(raw: bytes) -> list[Commit]:
    commits: list[Commit] = []
    for record in raw.decode("utf-8", "replace").split("\x1e")[1:]:
        sha, parents, name, email, when, message = record.split("\x1f", 5)
        subject, _, body = message.strip("\n").partition("\n")
        commits.append(
            Commit(
                sha=sha,
                parents=tuple(parents.split()),
                author=name,
                email=email,
                time=int(when or 0),
                subject=subject.strip(),
                body=body.strip("\n"),
            )
        )
    return commits


def prs_from_messages(commits: list[Commit], pull_url: str) -> dict[str, PullRequest]:
    """The pull requests local history names: GitHub's merge and squash messages.

    ``Merge pull request #12 from owner/branch`` (title in the body) and
    ``Title (#12)``, on a squash commit or on a merge commit (GitHub's "default
    merge message: pull request title"). Rebase merges leave no trace in git;
    with ``source: git`` their commits stay direct commits, still listed.
    """
    found: dict[str, PullRequest] = {}
    for commit in commits:
        merge = _MERGE_PR.match(commit.subject)
        if merge and commit.is_merge:
            number = int(merge.group(1))
            title = commit.body.strip().splitlines()[0].strip() if commit.body.strip() else commit.subject
            found[commit.sha] = PullRequest(number, title, f"{pull_url}/{number}", merge_commit=commit.sha)
            continue
        squash = _SQUASH_PR.search(commit.subject)
        if squash:
            number = int(squash.group(1))
            title = commit.subject[: squash.start()].rstrip()
            found[commit.sha] = PullRequest(number, title, f"{pull_url}/{number}", merge_commit=commit.sha)
    return found
