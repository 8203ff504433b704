"""Where a run reads what changed (local git, the API, or both), and the reading itself.

The changelog and the sentinel's bump check read the same way, so they see the
same commits and pull requests, and classify them alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import quote as urlquote

from sovereign import tags
from sovereign.errors import SovereignError
from sovereign.gha import quote
from sovereign.gitrepo import GitRepo
from sovereign.notes import bump, sources
from sovereign.notes.model import Collected

if TYPE_CHECKING:
    from sovereign.github import GitHub


@dataclass(frozen=True)
class Plan:
    """How this run gets its data, decided before anything is read."""

    use_git: bool
    use_api: bool
    why: str


def plan(source: str, repo: GitRepo, has_token: bool) -> Plan:
    # One git call answers both "is this a checkout?" (empty when not) and "is it shallow?".
    shallow = repo.run("rev-parse", "--is-shallow-repository", check=False).strip()
    local = bool(shallow)
    if source == "github":
        if not has_token:
            raise SovereignError("source: github needs a token", "set github-token (it defaults to github.token)")
        return Plan(False, True, "source: github — everything from the API")
    if not local:
        if source == "auto" and has_token:
            return Plan(False, True, "no git checkout in the workspace: history from the API")
        raise SovereignError(
            "the workspace is not a git checkout", "add actions/checkout with fetch-depth: 0 before this step"
        )
    if shallow == b"true":
        if source == "auto" and has_token:
            return Plan(False, True, "the checkout is shallow: history from the API (fetch-depth: 0 avoids this)")
        raise SovereignError("the checkout is shallow: the release's history is incomplete", sources.SHALLOW_FIX)
    if source == "git":
        return Plan(True, False, "source: git — local history only, no API calls")
    if has_token:
        return Plan(True, True, "local history, pull-request data from the API")
    return Plan(True, False, "local history; no token, so pull requests come from merge and squash messages only")


@dataclass(frozen=True)
class Reader:
    """Reads a range and its commits the way ``plan`` chose."""

    plan: Plan
    repo: GitRepo
    gh: GitHub | None  # None: no token

    def tag_range(self, tag: str, given: str, scheme: str) -> sources.Range:
        """The release's range: ``tag`` and the tag it is compared with (``given``, else the scheme's choice)."""
        if self.plan.use_git:
            return sources.local_range(self.repo, tag, given, scheme)
        assert self.gh is not None
        return sources.api_range(self.gh, tag, given, scheme)

    def commits(self, span: sources.Range, pull_url: str, progress: Callable[[str], None]) -> Collected:
        """The range's commits and pull requests: git first, the API for what git cannot tell
        (pull requests, and each commit author's login, so one person is one contributor)."""
        gh = self.gh
        if self.plan.use_git:
            found = sources.local_commits(self.repo, span, pull_url)
            if self.plan.use_api and gh is not None and found.commits:
                from sovereign.notes import pulls  # noqa: PLC0415 - only API runs pay for it

                prs, logins = pulls.pull_requests(gh, [c.sha for c in found.commits], pull_url, progress)
                found.prs.update(prs)
                found.commits = [replace(c, login=logins.get(c.sha, c.login)) for c in found.commits]
                found.source = "git+github"
            return found
        assert gh is not None
        return sources.api_commits(gh, span, pull_url, progress)

    def stable_range(self, span: sources.Range, version: tags.AnyVersion, scheme: str) -> sources.Range:
        """``span`` compared with the last stable release instead: a prerelease (v2.0.0-rc.2) is compared
        with v1.5.0, not with v2.0.0-rc.1, so its bump counts every change since the last release."""
        if not version.is_prerelease:
            return span
        if self.plan.use_git:
            names = {name: t.commit for name, t in self.repo.tags().items()}
        else:
            assert self.gh is not None
            from sovereign.notes import pulls  # noqa: PLC0415 - only API runs pay for it

            names = {name: t.commit for name, t in pulls.remote_tags(self.gh).items()}
        releases = {n: v for n, v in tags.release_tags(span.tag, names, scheme).items() if not v.is_prerelease}
        stable = tags.previous_tag(span.tag, bump.stable(version), releases)
        if stable.tag is None:
            return sources.Range(span.tag, span.tag_commit, stable, None)
        # The same range rules as the release's own (another branch: already-released commits left out).
        return self.tag_range(span.tag, stable.tag, scheme)

    def unreleased_range(self, ref: str, given: str, scheme: str) -> sources.Range:
        """From the latest release (excluded) to ``ref``; the range's ``tag`` is ``ref``."""
        if ref.startswith("-"):
            raise SovereignError(f"input 'ref' {quote(ref)} starts with '-'", "give a branch, tag or commit")
        if self.plan.use_git:
            repo = self.repo
            found = repo.commit_of(ref)
            if found is None:
                raise SovereignError(
                    f"input 'ref': {quote(ref)} does not exist in the checkout",
                    "give a branch, tag or commit the checkout has (actions/checkout with fetch-depth: 0)",
                )
            commit = found
            names = {name: t.commit for name, t in repo.tags().items()}
            previous = latest_release(ref, given, names, lambda c: repo.is_ancestor(c, commit), scheme)
        else:
            gh = self.gh
            assert gh is not None
            from sovereign.notes import pulls  # noqa: PLC0415 - only API runs pay for it

            path = gh.repo_path("commits") + "/" + urlquote(ref, safe="/")
            commit = str(gh.get_json(path, f"the commit of {ref}").get("sha", ""))
            if not commit:
                raise SovereignError(f"GitHub has no commit for {quote(ref)}", "give a branch, tag or commit it has")
            names = {name: t.commit for name, t in pulls.remote_tags(gh).items()}
            previous = latest_release(ref, given, names, lambda c: pulls.is_ancestor(gh, c, commit), scheme)
        return sources.Range(ref, commit, previous, names[previous.tag] if previous.tag else None)


def reader(source: str, repo: GitRepo, gh: GitHub | None) -> Reader:
    return Reader(plan(source, repo, gh is not None), repo, gh)


def latest_release(
    ref: str, given: str, names: dict[str, str], is_ancestor: Callable[[str], bool], scheme: str
) -> tags.Previous:
    """The release ``ref``'s unreleased changes follow: ``given`` when set, else the highest
    stable version tag that is an ancestor of ``ref`` (any prefix the scheme reads)."""
    if given:
        return sources.choose_previous(ref, given, names, scheme)
    releases = []
    for name in names:
        split = tags.split_tag(name, scheme)
        if split is not None and not split[1].is_prerelease:
            releases.append((split[1], name))
    releases.sort(key=lambda pair: pair[0], reverse=True)
    for _, name in releases:
        if is_ancestor(names[name]):
            return tags.Previous(name, f"{name} is the highest release tag that is an ancestor of {ref}")
    if releases:
        return tags.Previous(None, f"none of the {len(releases)} release tags is an ancestor of {ref}: no release yet")
    return tags.Previous(None, "no release tag yet: everything from the root commit")
