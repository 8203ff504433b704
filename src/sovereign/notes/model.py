"""The changelog's plain data: commits, pull requests, and the changes made of them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str  # the author's name (git) or login (API, when GitHub knows the user)
    email: str
    time: int  # author time, seconds since the epoch
    subject: str
    body: str
    login: str = ""  # the GitHub login, when the API told us

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True)
class PullRequest:
    number: int
    title: str
    url: str
    author: str = ""  # the login; a bot's ends with [bot], as in git and REST
    labels: tuple[str, ...] = ()
    body: str = ""
    merge_commit: str = ""


@dataclass
class Change:
    """One line of the notes: a pull request with all its commits, or one direct commit."""

    commits: list[Commit]  # newest first; commits[0] is the merge, squash or newest rebased commit
    pr: PullRequest | None = None
    how: str = "direct push"  # "merge commit" | "squash merge" | "rebase merge" | "direct push"

    @property
    def head(self) -> Commit:
        return self.commits[0]

    @property
    def title(self) -> str:
        return self.pr.title if self.pr else self.head.subject

    @property
    def labels(self) -> tuple[str, ...]:
        return self.pr.labels if self.pr else ()

    @property
    def author(self) -> str:
        if self.pr and self.pr.author:
            return self.pr.author
        # A merge commit's author merged the work; the work's author wrote a commit under it.
        commit = next((c for c in self.commits if not c.is_merge), self.head)
        return commit.login or commit.author


@dataclass
class Collected:
    """What a source found in the range: every commit, and the PR of each that has one."""

    commits: list[Commit]  # newest first
    prs: dict[str, PullRequest] = field(default_factory=dict)  # commit sha -> its pull request
    source: str = "git"
    notes: list[str] = field(default_factory=list)
    # When the previous release is on another branch: its commits the range lacks, and the
    # range's commits git found with the same patch there (cherry-picks, backports).
    earlier: list[Commit] = field(default_factory=list)
    same_patch: set[str] = field(default_factory=set)
