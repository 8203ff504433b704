"""A realistic release history, built with real git, and a runner for the changelog stage.

``realistic(builder)`` is shared with the action tests: merge, squash and
rebase merges, direct pushes, breaking and security commits, a bot, a release
commit, a non-UTF-8 message, a prerelease between releases and a tag on a
side branch.
"""

from __future__ import annotations

from pathlib import Path

from gitfactory import RepoBuilder

from sovereign.changelog.stage import STAGE
from sovereign.gha import Step, execute

GHSA = "GHSA-2c3f-4g5h-6j7m"


def realistic(repo: RepoBuilder) -> dict[str, str]:
    """Build the history; returns the interesting commits by name."""
    shas: dict[str, str] = {}
    repo.commit("Initial commit", author="Alice <alice@example.com>")
    repo.tag("v1.0.0", annotated=True)
    # A maintenance branch with its own release: not an ancestor of v1.1.0, yet its previous release.
    repo.branch("release-1.0")
    repo.checkout("release-1.0")
    shas["backport"] = repo.commit("fix: backport crash fix", author="Bob <bob@example.com>")
    repo.tag("v1.0.1")
    repo.checkout("main")
    shas["direct"] = repo.commit("feat(api): add widgets endpoint", author="Alice <alice@example.com>")
    # PR #1 merged with a merge commit.
    repo.branch("feature-a")
    repo.checkout("feature-a")
    shas["a1"] = repo.commit("feat: part one of feature A", author="Carol <carol@example.com>")
    shas["a2"] = repo.commit("fix: part two of feature A", author="Carol <carol@example.com>")
    repo.checkout("main")
    shas["merge"] = repo.merge("feature-a", "Merge pull request #1 from octo/feature-a\n\nAdd feature A")
    # PR #2 squash-merged.
    shas["squash"] = repo.commit("fix(parser): handle empty input (#2)", author="Dave <dave@example.com>")
    # PR #3 rebase-merged: two commits that name no PR.
    shas["rebase1"] = repo.commit("perf: cache the index", author="Erin <erin@example.com>")
    shas["rebase2"] = repo.commit("docs: explain the index cache", author="Erin <erin@example.com>")
    repo.tag("v1.1.0-rc.1", annotated=True)
    shas["bang"] = repo.commit("feat!: drop Python 3.8", author="Alice <alice@example.com>")
    shas["footer"] = repo.commit(
        "refactor: rename the config key\n\nBREAKING CHANGE: `old_key` is now `new_key`.",
        author="Bob <bob@example.com>",
    )
    shas["ghsa"] = repo.commit(f"fix: reject path traversal\n\nFixes {GHSA}.", author="Bob <bob@example.com>")
    shas["dependabot"] = repo.commit(
        "build(deps): bump requests from 2.31.0 to 2.32.0\n\nBumps requests. Fixes CVE-2024-35195.",
        author="dependabot[bot] <support@github.com>",
    )
    shas["bot"] = repo.commit("chore: regenerate files", author="github-actions[bot] <bot@example.com>")
    # A bare merge of a local branch: its commit is listed, the merge is accounted for.
    repo.branch("hotfix")
    repo.checkout("hotfix")
    shas["hotfix"] = repo.commit("fix: hotfix for the widget", author="Carol <carol@example.com>")
    repo.checkout("main")
    shas["bare-merge"] = repo.merge("hotfix", "Merge branch 'hotfix'")
    # A message that is not UTF-8 (Latin-1 bytes, no encoding header).
    message = repo.path.parent / "latin1.txt"
    message.write_bytes(b"fix: caf\xe9 cr\xe8me ::warning::owned\n")
    repo.git("commit", "-q", "--allow-empty", "-F", str(message), env={**repo._dates()})
    shas["latin1"] = repo.head()
    shas["release"] = repo.commit("chore(release): v1.1.0", author="Alice <alice@example.com>")
    repo.tag("v1.1.0", annotated=True)
    return shas


def run_stage(workspace: Path, env: dict[str, str] | None = None, **flags: str) -> tuple[int, list[str], Step]:
    """The stage in-process, as ``sovereign changelog --repository octo/widget <flags>`` would run it."""
    lines: list[str] = []
    env = {
        "GITHUB_ACTIONS": "true",  # the log as the runner reads it
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_SERVER_URL": "https://github.example.com",
        **(env or {}),
    }
    step = Step("changelog", env, out=lines.append)
    cli: dict[str, str | None] = {"repository": "octo/widget", **flags}
    return execute(STAGE, cli, env, step), lines, step
