"""The sentinel's checks beyond the tag's format: each returns a :class:`Check`.

Local git answers whenever the checkout has what is needed (tags, history); the
GitHub API is asked only otherwise, and only when a token is there. The gate
fails closed: a check that is on but cannot run (no checkout, no history, no
token) fails with the fix. A skip means the check was turned off or does not
apply (outside Actions, a release event), or that ``tag-exists`` already failed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote as urlquote

from sovereign import tags
from sovereign.errors import SovereignError
from sovereign.gha import quote
from sovereign.gitrepo import GitRepo, Tag
from sovereign.release import DRAFT_MARKER
from sovereign.sentinel.version_files import VersionFileError, read_version, same_version

if TYPE_CHECKING:  # requests is imported only when a token is there
    from sovereign.github import GitHub

PASS, FAIL, SKIP, WARN = "pass", "fail", "skip", "warn"  # warn: reported, never blocks
API_ACCESS_FIX = "pass github-token (the default ${{ github.token }} works) with the permissions in sentinel/README.md"
HISTORY_FIX = "run actions/checkout with fetch-depth: 0, or give github-token"
# GitHub verification reasons that can change on their own if asked again.
TRANSIENT_VERIFICATION = frozenset({"gpgverify_unavailable", "gpgverify_error", "ocsp_pending", "ocsp_error"})
SIGNATURE_ATTEMPTS = 3
RELEASE_SCAN = 500  # newest releases searched for a draft of this tag
POLL_FIRST = 10.0  # seconds between polls of pending checks, growing …
POLL_MAX = 60.0  # … to at most this


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, pass/fail/skip, and why."""

    name: str
    result: str  # "pass" | "fail" | "skip" | "warn"
    reason: str
    fix: str = ""


@dataclass(frozen=True)
class ApiTag:
    commit: str
    annotated: bool
    tag_object: str  # the annotated tag object's sha ("" for a lightweight tag)
    verification: dict[str, Any]  # GitHub's verdict on the tag object's signature, as first read


@dataclass
class Context:
    """What the checks share: the tag, local git, the API client, time."""

    tag: str
    version: tags.AnyVersion | None
    workspace: Path
    environ: Mapping[str, str]
    github: GitHub | None  # None: no token
    github_problem: SovereignError | None = None  # the token is there but the client could not be built
    no_api: str = "no github-token was given"  # why github is None
    log: Callable[[str], None] = lambda _line: None
    # A wait shown to a person (first argument) and the line the runner's log has always had (second).
    progress: Callable[[str, str], None] = lambda _text, _line: None
    clock: Callable[[], float] = field(default=lambda: 0.0)
    sleep: Callable[[float], None] = field(default=lambda _s: None)
    scheme: str = "semver"  # how tags hold versions (tags.SCHEMES)

    # -- local git ---------------------------------------------------------------
    @functools.cached_property
    def git(self) -> GitRepo | None:
        repo = GitRepo(self.workspace)
        return repo if self.workspace.is_dir() and repo.is_repo() else None

    @functools.cached_property
    def shallow(self) -> bool:
        return self.git is not None and self.git.is_shallow()

    @functools.cached_property
    def head(self) -> str | None:
        """The checkout's HEAD commit: what a build in this workspace built."""
        return self.git.commit_of("HEAD") if self.git else None

    @property
    def no_history(self) -> str:
        """Why local git cannot answer history questions (only meaningful when it cannot)."""
        if self.git is None:
            return f"the workspace {self.workspace} is not a git checkout"
        return "the checkout is shallow (no history)"

    @functools.cached_property
    def local_tags(self) -> dict[str, Tag]:
        return self.git.tags() if self.git else {}

    @property
    def has_local_tag_list(self) -> bool:
        """Does the checkout hold the repository's tags (not just the one pushed)?"""
        if self.git is None:
            return False
        return not self.shallow or any(name != self.tag for name in self.local_tags)

    # -- the API -------------------------------------------------------------------
    def api(self, check: str, explicit: bool) -> GitHub | Check:
        """The client, or the check's skip/fail when there is none."""
        if self.github_problem is not None:
            return Check(check, FAIL, self.github_problem.what, self.github_problem.fix)
        if self.github is None:
            if explicit:
                return Check(check, FAIL, f"this check needs the GitHub API and {self.no_api}", API_ACCESS_FIX)
            return Check(check, SKIP, f"needs the GitHub API and {self.no_api}")
        return self.github

    @functools.cached_property
    def api_tag(self) -> ApiTag | None:
        """The tag as GitHub sees it, annotated tags peeled; None if it does not exist."""
        assert self.github is not None
        gh = self.github
        # GitHub reads the slashes of a ref name ("tags/pkg/v1") as path separators here.
        path = gh.repo_path("git", "ref") + "/" + urlquote(f"tags/{self.tag}", safe="/")
        what = f"tag {self.tag}"
        response = gh.request("GET", path, what, ok=(200, 404))
        if response.status_code == 404:
            return None
        obj = gh.expect(gh.read_object(response, what, ("object",))["object"], ("type", "sha"), what, path)
        tag_object = obj["sha"] if obj["type"] == "tag" else ""
        verification: dict[str, Any] = {}
        for depth in range(5):  # a tag of a tag of a commit: peel until a commit
            if obj["type"] != "tag":
                break
            tag_path = gh.repo_path("git", "tags", obj["sha"])
            body = gh.get_object(tag_path, f"annotated tag {self.tag}", ("object", "verification"))
            if depth == 0:
                verification = dict(body.get("verification") or {})
            obj = gh.expect(body["object"], ("type", "sha"), f"annotated tag {self.tag}", tag_path)
        if obj["type"] != "commit":
            raise SovereignError(f"tag {self.tag} points at a {obj['type']}, not a commit", "tag a commit")
        return ApiTag(obj["sha"], bool(tag_object), tag_object, verification)

    def tagged_commit(self) -> tuple[str | None, str]:
        """The commit the tag points at, and where that came from; None when no source has it."""
        local = self.local_tags.get(self.tag)
        if local is not None:
            return local.commit, "local git"
        if self.github is not None:
            found = self.api_tag
            return (found.commit if found else None), "the GitHub API"
        return None, "local git"


def run_check(name: str, body: Callable[[], Check]) -> Check:
    """A check whose adapter fails (API refused, git broken) fails with the reason."""
    try:
        return body()
    except SovereignError as err:
        return Check(name, FAIL, err.what, err.fix)


def tag_not_found(ctx: Context, name: str) -> Check:
    """A check that needs the tagged commit, when ``tag-exists`` has already failed the gate."""
    return Check(name, SKIP, f"not run: tag {quote(ctx.tag)} was not found (see tag-exists)")


# -- tag-exists ----------------------------------------------------------------------
def check_tag_exists(ctx: Context) -> Check:
    """The tag is in the checkout, else on GitHub; when neither can be asked, the gate is blocked."""
    name = "tag-exists"
    if ctx.version is None:
        return Check(name, SKIP, "the tag is not valid (see tag-format)")
    local = ctx.local_tags.get(ctx.tag)
    if local is not None:
        kind = "annotated" if local.annotated else "lightweight"
        return Check(name, PASS, f"{ctx.tag} is in the checkout ({kind}, commit {local.commit[:12]})")
    if ctx.github_problem is not None:
        return Check(name, FAIL, ctx.github_problem.what, ctx.github_problem.fix)
    if ctx.github is None:
        if ctx.git is None:
            what = f"{ctx.no_history} and {ctx.no_api}: tag {ctx.tag} cannot be verified"
            return Check(name, FAIL, what, HISTORY_FIX)
        return Check(
            name,
            FAIL,
            f"tag {ctx.tag} does not exist in the checkout, and GitHub was not asked ({ctx.no_api})",
            "check the tag's name; push it and fetch it (actions/checkout with fetch-depth: 0), or give github-token",
        )
    found = ctx.api_tag
    if found is None:
        where = "in the checkout or on GitHub" if ctx.git else "on GitHub (the workspace is not a git checkout)"
        return Check(
            name,
            FAIL,
            f"tag {ctx.tag} does not exist {where}",
            f"check the tag's name, or push it: git push origin {ctx.tag}",
        )
    return Check(name, PASS, f"{ctx.tag} exists on GitHub (commit {found.commit[:12]}; not in the checkout)")


# -- require-newer and previous-tag -------------------------------------------------
def _api_tag_names(gh: GitHub) -> list[str]:
    return [str(item["name"]) for item in gh.paginate(gh.repo_path("tags"), "the tag list", item_keys=("name",))]


def _compare_status(gh: GitHub, base: str, head: str) -> str:
    path = gh.repo_path("compare") + "/" + urlquote(f"{base}...{head}", safe="/")  # branch names keep their slashes
    return str(gh.get_object(path, f"comparing {base} with {head}", ("status",))["status"])


def check_newer(ctx: Context, required: bool) -> tuple[Check, str | None]:
    """``require-newer``: above every release tag by the scheme's precedence; also finds ``previous-tag``."""
    name = "require-newer"
    if ctx.version is None:
        return Check(name, SKIP, "the tag holds no valid version (see tag-format)"), None
    version = ctx.version
    if ctx.has_local_tag_list:
        names: Iterable[str] = ctx.local_tags
        source = "local git"
    else:
        gh = ctx.api(name, explicit=required)
        if isinstance(gh, Check):
            if gh.result == FAIL and ctx.github_problem is None:
                where = ctx.no_history if ctx.git is None else "the checkout is shallow and holds no other tags"
                what = f"{where}, and {ctx.no_api}: {ctx.tag} cannot be compared with the other release tags"
                return Check(name, FAIL, what, HISTORY_FIX), None
            return Check(name, gh.result, f"the checkout has no tags and {gh.reason}", gh.fix), None
        names = _api_tag_names(gh)
        source = "the GitHub API"
    names = list(names)
    candidates = tags.release_tags(ctx.tag, names, ctx.scheme)
    candidates.pop(ctx.tag, None)
    # The changelog's rule (ancestor or not), so both stages name the same previous release.
    previous = tags.previous_tag(ctx.tag, version, candidates)
    previous = tags.note_ignored(previous, tags.unreadable(ctx.tag, names, candidates, ctx.scheme), ctx.scheme)
    higher = sorted((v, n) for n, v in candidates.items() if not v < version)
    note = f"; previous-tag: {previous.reason}"
    if not required:
        return Check(name, SKIP, "require-newer is false" + note), previous.tag
    if higher:
        top = higher[-1][1]
        same = [n for v, n in higher if v == version]
        what = (
            f"{ctx.tag} equals the existing tag {same[0]} by {ctx.scheme} precedence"
            if same
            else f"{ctx.tag} is not newer than {top} (the highest of {len(higher)} tag(s) at or above it)"
        )
        fix = "release a higher version, or set require-newer: false"
        return Check(name, FAIL, f"{what} [tags from {source}]", fix), previous.tag
    what = f"{ctx.tag} is above all {len(candidates)} other release tag(s) [tags from {source}]"
    return Check(name, PASS, what + note), previous.tag


# -- require-commit ------------------------------------------------------------------
@dataclass(frozen=True)
class Built:
    """The commit this run built, and how the gate knows it."""

    commit: str
    label: str  # "GITHUB_SHA" | "the checkout's HEAD"
    note: str = ""  # why HEAD was used rather than GITHUB_SHA


def built_commit(ctx: Context, sha: str) -> Built:
    """The checkout's HEAD when the run was started by hand or HEAD is not GITHUB_SHA, else GITHUB_SHA.

    A ``workflow_dispatch`` run's GITHUB_SHA is the head of the branch it was
    started from, while the workflow checks out ``ref: <tag>``: what it builds is
    the checkout.
    """
    head = ctx.head
    dispatched = ctx.environ.get("GITHUB_EVENT_NAME") == "workflow_dispatch"
    if head is None:
        note = (
            "workflow_dispatch without a checkout: GITHUB_SHA is the branch it was started from" if dispatched else ""
        )
        return Built(sha, "GITHUB_SHA", note)
    if dispatched:
        return Built(
            head,
            "the checkout's HEAD",
            f"workflow_dispatch: GITHUB_SHA {sha[:12]} is the head of the branch it ran from",
        )
    if head.lower() != sha.lower():
        return Built(head, "the checkout's HEAD", f"it differs from GITHUB_SHA {sha[:12]}")
    return Built(sha, "GITHUB_SHA")


def check_commit(ctx: Context, required: bool) -> Check:
    name = "require-commit"
    if not required:
        return Check(name, SKIP, "require-commit is false")
    sha = ctx.environ.get("GITHUB_SHA", "").strip()
    if not sha:
        return Check(name, SKIP, "GITHUB_SHA is not set (not running in GitHub Actions)")
    commit, source = ctx.tagged_commit()
    if commit is None:
        return tag_not_found(ctx, name)
    built = built_commit(ctx, sha)
    note = f"; {built.note}" if built.note else ""
    if commit.lower() == built.commit.lower():
        return Check(name, PASS, f"{ctx.tag} points at {built.label} {built.commit[:12]} ({source}{note})")
    fix = (
        "run the release workflow on the tag push, or move the tag to the built commit"
        if built.label == "GITHUB_SHA" and not built.note
        else f"check out the tag (actions/checkout with ref: {ctx.tag} and fetch-depth: 0), "
        "or move the tag to the built commit"
    )
    return Check(
        name,
        FAIL,
        f"{ctx.tag} points at {commit[:12]}, but this run built {built.label} {built.commit[:12]} ({source}{note})",
        fix,
    )


# -- require-branch ------------------------------------------------------------------
# What `git check-ref-format --branch` refuses: no branch can have such a name.
_NOT_A_BRANCH = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|^/|/$|\.$|(?:^|/)\.|\.lock(?:/|$)|^@$")


def _branch_locally(ctx: Context, git: GitRepo, commit: str, branch: str) -> Check | None:
    """The verdict from a full local history, or None when the checkout lacks the branch."""
    name = "require-branch"
    for ref in (f"refs/remotes/origin/{branch}", f"refs/heads/{branch}"):
        tip = git.commit_of(ref)
        if tip is None:
            continue
        if git.is_ancestor(commit, tip):
            return Check(name, PASS, f"{ctx.tag} ({commit[:12]}) is reachable from {ref} (local history)")
        return Check(
            name,
            FAIL,
            f"{ctx.tag} ({commit[:12]}) is not reachable from {ref} (local history)",
            f"tag a commit that is on {branch}",
        )
    return None


def check_branch(ctx: Context, branch: str) -> Check:
    name = "require-branch"
    if not branch:
        return Check(name, SKIP, "not requested (require-branch is empty)")
    if branch.startswith("-"):
        return Check(name, FAIL, f"branch {quote(branch)} starts with '-'", "give a branch name")
    if _NOT_A_BRANCH.search(branch):
        return Check(name, FAIL, f"{quote(branch)} is not a valid branch name", "give the branch's name, e.g. main")
    commit, _ = ctx.tagged_commit()
    if commit is None:
        return tag_not_found(ctx, name)
    git = ctx.git
    full_history = git is not None and not ctx.shallow and ctx.tag in ctx.local_tags
    if full_history and git is not None:
        local = _branch_locally(ctx, git, commit, branch)
        if local is not None:
            return local
        if ctx.github is None and ctx.github_problem is None:
            return Check(
                name,
                FAIL,
                f"branch {quote(branch)} does not exist in the checkout "
                f"(neither refs/heads/{branch} nor refs/remotes/origin/{branch}); GitHub was not asked ({ctx.no_api})",
                "check the branch's name, or fetch it (actions/checkout with fetch-depth: 0), or give github-token",
            )
    gh = ctx.api(name, explicit=True)
    if isinstance(gh, Check):
        if ctx.github_problem is not None:
            return gh
        return Check(name, FAIL, f"{ctx.no_history}, and {ctx.no_api}: the branch cannot be checked", HISTORY_FIX)
    found = gh.request(
        "GET", gh.repo_path("branches") + "/" + urlquote(branch, safe="/"), f"branch {branch}", ok=(200, 404)
    )
    if found.status_code == 404:
        where = "in the checkout or on GitHub" if full_history else "on GitHub"
        return Check(name, FAIL, f"branch {quote(branch)} does not exist {where}", "check the branch's name")
    status = _compare_status(gh, commit, branch)
    if status in ("ahead", "identical"):
        return Check(name, PASS, f"{ctx.tag} ({commit[:12]}) is reachable from {branch} (compare API: {status})")
    return Check(
        name,
        FAIL,
        f"{ctx.tag} ({commit[:12]}) is not reachable from {branch} (compare API: {status})",
        f"tag a commit that is on {branch}",
    )


# -- version-files -------------------------------------------------------------------
def check_version_files(ctx: Context, files: list[str]) -> list[Check]:
    if not files:
        return [Check("version-files", SKIP, "not requested (version-files is empty)")]
    checks = []
    for file in files:
        name = f"version-files:{file}"
        if ctx.version is None:
            checks.append(Check(name, SKIP, "the tag holds no valid version (see tag-format)"))
            continue
        try:
            found = read_version(ctx.workspace, file)
        except VersionFileError as err:
            checks.append(Check(name, FAIL, f"{quote(file)} {err}", "fix the file or the version-files list"))
            continue
        if found.version is None:
            what = f"{quote(file)}: {found.dynamic} ({found.where}), so it cannot be compared with the tag"
            fix = f"remove {file} from version-files, or make its version static"
            checks.append(Check(name, FAIL, what, fix))
        elif same_version(found.version, ctx.version):
            checks.append(Check(name, PASS, f"{file} has version {found.version} ({found.where}), as the tag says"))
        else:
            checks.append(
                Check(
                    name,
                    FAIL,
                    f"{quote(file)} has version {quote(found.version, 40)} ({found.where}); "
                    f"the tag {ctx.tag} expects {ctx.version}",
                    f"set the version in {file} to {ctx.version}, or tag the commit that has it",
                )
            )
    return checks


# -- require-signed ------------------------------------------------------------------
def check_signed(ctx: Context, required: bool) -> Check:
    name = "require-signed"
    if not required:
        return Check(name, SKIP, "require-signed is false")
    local = ctx.local_tags.get(ctx.tag)
    if local is not None and not local.annotated:
        return Check(
            name, FAIL, f"{ctx.tag} is a lightweight tag: it cannot carry a signature", "push a signed tag: git tag -s"
        )
    gh = ctx.api(name, explicit=True)
    if isinstance(gh, Check):
        return gh
    found = ctx.api_tag
    if found is None:
        if local is None:
            return tag_not_found(ctx, name)
        return Check(name, FAIL, f"tag {quote(ctx.tag)} is in the checkout but not on GitHub", "push the tag first")
    if not found.annotated:
        return Check(
            name, FAIL, f"{ctx.tag} is a lightweight tag: it cannot carry a signature", "push a signed tag: git tag -s"
        )
    reason = ""
    verification = found.verification
    for attempt in range(1, SIGNATURE_ATTEMPTS + 1):
        if attempt > 1:
            tag_path = gh.repo_path("git", "tags", found.tag_object)
            body = gh.get_object(tag_path, f"the signature of {ctx.tag}", ("object", "verification"))
            verification = body.get("verification") or {}
        if verification.get("verified") is True:
            return Check(name, PASS, f"{ctx.tag} is annotated and its signature is verified by GitHub")
        reason = str(verification.get("reason") or "unsigned")
        if reason not in TRANSIENT_VERIFICATION or attempt == SIGNATURE_ATTEMPTS:
            break
        ctx.log(f"require-signed: verification is {reason}; asking again ({attempt}/{SIGNATURE_ATTEMPTS})")
        ctx.sleep(2.0 * attempt)
    return Check(
        name,
        FAIL,
        f"{ctx.tag}'s signature is not verified by GitHub (reason: {quote(reason, 60)})",
        "sign the tag with a key registered on the tagger's GitHub account (git tag -s)",
    )


# -- not-already-released ------------------------------------------------------------
def check_not_released(ctx: Context) -> Check:
    name = "not-already-released"
    if ctx.environ.get("GITHUB_EVENT_NAME") == "release":
        return Check(name, SKIP, "this run was started by a release event: the release is expected to exist")
    gh = ctx.api(name, explicit=False)
    if isinstance(gh, Check):
        return gh
    response = gh.request("GET", gh.repo_path("releases", "tags", ctx.tag), f"the release of {ctx.tag}", ok=(200, 404))
    if response.status_code == 200:
        return _released(ctx, gh.read_object(response, f"the release of {ctx.tag}", ("tag_name",)))
    # Drafts are only found by listing; the list is newest first, and a draft for
    # this tag is recent, so the scan stops after RELEASE_SCAN releases.
    releases = gh.paginate(gh.repo_path("releases"), "the release list", item_keys=("tag_name", "draft"))
    for seen, release in enumerate(releases, 1):
        if release.get("tag_name") == ctx.tag:
            return _released(ctx, release)
        if seen >= RELEASE_SCAN:
            break
    return Check(name, PASS, f"no GitHub Release exists for {ctx.tag}")


def _released(ctx: Context, release: Mapping[str, Any]) -> Check:
    if release.get("draft") and DRAFT_MARKER in str(release.get("body") or ""):
        return Check(
            "not-already-released",
            PASS,
            f"{ctx.tag} has only the draft the changelog keeps for the next version (draft-release): "
            "publish-release will publish it",
        )
    kind = "a draft release" if release.get("draft") else "a published release"
    found = f"{ctx.tag} already has {kind}: {release.get('html_url', '')}"
    attempt = ctx.environ.get("GITHUB_RUN_ATTEMPT", "1")
    if attempt.isdigit() and int(attempt) > 1:
        # A re-run of a ritual that failed after the changelog published: the
        # release is this run's own, and blocking would make the re-run impossible.
        return Check("not-already-released", SKIP, f"{found} — taken as this run's own (attempt {attempt} of the run)")
    return Check(
        "not-already-released",
        FAIL,
        found,
        "release a new version, or delete that release if it was a mistake",
    )
