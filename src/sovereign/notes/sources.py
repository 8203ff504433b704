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
from sovereign.notes.model import Collected, Commit

if TYPE_CHECKING:
    from sovereign.github import GitHub

SHALLOW_FIX = "check out the full history: actions/checkout with `fetch-depth: 0` (or use source: auto with a token)"


@dataclass(frozen=True)
class Range:
    tag: str
    tag_commit: str
    previous: tags.Previous
    previous_commit: str | None
    diverged: bool = False  # the previous release is not an ancestor: it is on another branch
    merge_base: str | None = None  # API: where the two branches meet (the history walk stops there)
    expected: int | None = None  # API: how many commits the compare API counts in the range


def choose_previous(tag: str, given: str, names: dict[str, str], scheme: str = "semver") -> tags.Previous:
    """The previous tag: ``given`` when set (it must exist), else the scheme's choice (:func:`tags.previous_tag`).

    ``names`` maps every tag to its commit.
    """
    if given:
        if given not in names:
            raise SovereignError(
                f"input 'previous-tag': tag {quote(given)} does not exist", "give an existing tag, or leave it empty"
            )
        if given == tag:
            raise SovereignError(
                f"input 'previous-tag' is the release's own tag {quote(tag)}", "give an earlier tag, or leave it empty"
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
    found = tags.previous_tag(tag, split[1], candidates)
    return tags.note_ignored(found, tags.unreadable(tag, names, candidates, scheme), scheme)


def _on_another_branch(previous: tags.Previous, tag: str, how: str) -> tags.Previous:
    """``previous`` with its reason saying what a previous release off the tag's history means for the range."""
    note = (
        f"; it is not an ancestor of {tag} (another branch): the range is {previous.tag}..{tag}, "
        f"and commits already released in {previous.tag} are left out ({how})"
    )
    return tags.Previous(previous.tag, previous.reason + note, previous.ignored)


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
    previous = choose_previous(tag, given_previous, names, scheme)
    previous_commit = names[previous.tag] if previous.tag else None
    diverged = previous_commit is not None and not repo.is_ancestor(previous_commit, commit)
    if diverged:
        previous = _on_another_branch(previous, tag, "same patch, or named by a cherry-pick or backport")
    return Range(tag, commit, previous, previous_commit, diverged)


def local_commits(repo: GitRepo, span: Range, pull_url: str) -> Collected:
    logged = collect.log(repo, span.tag_commit, span.previous_commit, span.diverged)
    prs = collect.prs_from_messages(logged.commits, pull_url)
    return Collected(logged.commits, prs, "git", earlier=logged.earlier, same_patch=logged.same_patch)


def api_range(gh: GitHub, tag: str, given_previous: str, scheme: str = "semver") -> Range:
    from sovereign.notes import pulls  # noqa: PLC0415 - only API runs pay for it

    remote = pulls.remote_tags(gh)
    if tag not in remote:
        raise SovereignError(f"tag {quote(tag)} does not exist in {gh.repository} on GitHub", "push the tag first")
    commit = remote[tag].commit
    names = {name: t.commit for name, t in remote.items()}
    previous = choose_previous(tag, given_previous, names, scheme)
    if previous.tag is None:
        return Range(tag, commit, previous, None)
    previous_commit = names[previous.tag]
    compared = pulls.compare(gh, previous_commit, commit)
    diverged = compared.status == "diverged"
    if diverged:
        # Without the diffs, patch ids cannot be compared: only what the messages say ties a backport.
        how = "named by a cherry-pick or backport; from the API alone, same-patch copies cannot be recognised"
        previous = _on_another_branch(previous, tag, how)
    return Range(tag, commit, previous, previous_commit, diverged, compared.merge_base, compared.ahead_by)


def api_commits(gh: GitHub, span: Range, pull_url: str, progress: Callable[[str], None] | None = None) -> Collected:
    from sovereign.notes import pulls  # noqa: PLC0415 - only API runs pay for it

    stop = span.merge_base if span.diverged else span.previous_commit
    commits, prs = pulls.history(gh, span.tag_commit, stop, pull_url, progress, expected=span.expected)
    earlier: list[Commit] = []
    if span.diverged and span.previous_commit:
        earlier, _ = pulls.history(gh, span.previous_commit, stop, pull_url)
    # What GitHub says wins; merge and squash messages fill in what it does not know.
    found = {**collect.prs_from_messages(commits, pull_url), **prs}
    return Collected(commits, found, "github", earlier=earlier)
