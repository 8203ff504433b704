"""Where the release's range and commits come from: the local checkout, or the GitHub API.

Both answer the same three questions: which commit is the tag, which earlier
tag it is compared with (and why), and which commits lie between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sovereign import tags
from sovereign.errors import SovereignError
from sovereign.gha import quote
from sovereign.gitrepo import GitRepo
from sovereign.notes import collect
from sovereign.notes.model import Collected

if TYPE_CHECKING:
    from sovereign.github import GitHub

SHALLOW_FIX = "check out the full history: actions/checkout with `fetch-depth: 0` (or use source: auto with a token)"


@dataclass(frozen=True)
class Range:
    tag: str
    tag_commit: str
    previous: tags.Previous
    previous_commit: str | None


def choose_previous(
    tag: str,
    given: str,
    names: dict[str, str],
    is_ancestor: Callable[[str], bool],
    scheme: str = "semver",
) -> tags.Previous:
    """The previous tag: ``given`` when set (it must exist and be an ancestor), else the scheme's choice.

    ``names`` maps every tag to its commit; ``is_ancestor(commit)`` asks about the release's commit.
    """
    if given:
        if given not in names:
            raise SovereignError(
                f"input 'previous-tag': tag {quote(given)} does not exist", "give an existing tag, or leave it empty"
            )
        if not is_ancestor(names[given]):
            raise SovereignError(
                f"input 'previous-tag': {quote(given)} is not an ancestor of {quote(tag)}",
                "give a tag on the release's history, or leave it empty for the automatic choice",
            )
        return tags.Previous(given, f"{given} was given as previous-tag")
    split = tags.split_tag(tag, scheme)
    if split is None:
        pep440 = scheme == "semver" and tags.split_tag(tag, "pep440") is not None
        raise SovereignError(
            f"tag {quote(tag)} holds no {scheme} version, so the previous tag cannot be chosen",
            "set version-scheme: pep440 for PEP 440 tags such as 1.0rc1, or set previous-tag"
            if pep440
            else "tag releases as vMAJOR.MINOR.PATCH, or set previous-tag",
        )
    candidates = tags.release_tags(tag, names, scheme)
    found = tags.previous_tag(tag, split[1], candidates, lambda name: is_ancestor(names[name]))
    return tags.note_ignored(found, tags.unreadable(tag, names, candidates, scheme), scheme)


def local_range(repo: GitRepo, tag: str, given_previous: str, scheme: str = "semver") -> Range:
    if tag.startswith("-"):
        raise SovereignError(f"tag {quote(tag)} starts with '-'", "tags must not look like options")
    commit = repo.commit_of(f"refs/tags/{tag}")
    if commit is None:
        raise SovereignError(
            f"tag {quote(tag)} does not exist in the checkout",
            "push the tag first, or fetch tags (actions/checkout with fetch-depth: 0 fetches them)",
        )
    names = {name: t.commit for name, t in repo.tags().items()}
    previous = choose_previous(tag, given_previous, names, lambda c: repo.is_ancestor(c, commit), scheme)
    return Range(tag, commit, previous, names[previous.tag] if previous.tag else None)


def local_commits(repo: GitRepo, span: Range, pull_url: str) -> Collected:
    commits = collect.log(repo, span.tag_commit, span.previous_commit)
    return Collected(commits, collect.prs_from_messages(commits, pull_url), "git")


def api_range(gh: GitHub, tag: str, given_previous: str, scheme: str = "semver") -> Range:
    from sovereign.notes import pulls  # noqa: PLC0415 - only API runs pay for it

    remote = pulls.remote_tags(gh)
    if tag not in remote:
        raise SovereignError(f"tag {quote(tag)} does not exist in {gh.repository} on GitHub", "push the tag first")
    commit = remote[tag].commit
    names = {name: t.commit for name, t in remote.items()}
    previous = choose_previous(tag, given_previous, names, lambda c: pulls.is_ancestor(gh, c, commit), scheme)
    return Range(tag, commit, previous, names[previous.tag] if previous.tag else None)


def api_commits(gh: GitHub, span: Range, pull_url: str, progress: Callable[[str], None] | None = None) -> Collected:
    from sovereign.notes import pulls  # noqa: PLC0415 - only API runs pay for it

    commits, prs = pulls.history(gh, span.tag_commit, span.previous_commit, pull_url, progress)
    # What GitHub says wins; merge and squash messages fill in what it does not know.
    return Collected(commits, {**collect.prs_from_messages(commits, pull_url), **prs}, "github")
