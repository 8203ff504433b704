"""The gate: every check runs on the settings and is reported; any failure fails the step."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from sovereign import artifacts, preview, semver, tags
from sovereign.errors import Failed, SovereignError
from sovereign.gha import Step, quote
from sovereign.markdown import code, escape, heading, table
from sovereign.sentinel.bump_check import BumpCheck, check_bump
from sovereign.sentinel.checks import (
    WARN,
    Check,
    Context,
    check_branch,
    check_commit,
    check_newer,
    check_not_released,
    check_signed,
    check_tag_exists,
    check_version_files,
    run_check,
)
from sovereign.sentinel.required_checks import check_required
from sovereign.sentinel.settings import Settings

if TYPE_CHECKING:
    from sovereign.github import GitHub

STRICT_TAG = rf"v{semver.NUM}\.{semver.NUM}\.{semver.NUM}"
STRICT_PRERELEASE_TAG = rf"{STRICT_TAG}(?:-{semver.PRERELEASE})?"


@dataclass(frozen=True)
class TagCheck:
    check: Check
    version: tags.AnyVersion | None


def _why_not_strict(tag: str) -> str:
    """The most useful reason a tag is not strict vMAJOR.MINOR.PATCH."""
    if tag != tag.strip():
        return "it has leading or trailing whitespace or a line break"
    if not tag.isascii():
        bad = next(ch for ch in tag if not ch.isascii())
        return f"it contains the non-ASCII character {quote(bad)} (only ASCII digits count)"
    if not tag.startswith("v"):
        return "it does not start with 'v'"
    core = re.split(r"[-+]", tag[1:], maxsplit=1)[0]
    numbers = core.split(".")
    if len(numbers) != 3:
        return f"it has {len(numbers)} number(s); three are needed: MAJOR.MINOR.PATCH"
    for number in numbers:
        if not number.isdigit():
            return f"{quote(number)} is not a number"
        if len(number) > 1 and number.startswith("0"):
            return f"{quote(number)} has a leading zero"
    if "+" in tag:
        return "build metadata (+...) is not allowed in a release tag"
    if "-" in tag:
        return "it has a prerelease part that is not valid semver"
    return "it has characters after MAJOR.MINOR.PATCH"


def _pep440_tag(tag: str) -> TagCheck:
    """Tag format under version-scheme: pep440: an optional ``v``, then a whole PEP 440 version."""
    version = tags.parse_version(tag.removeprefix("v"), "pep440")
    if version is None or not tag.isascii():
        what = f"tag {quote(tag)} is not v or nothing followed by a PEP 440 version (1.2, 1.2.3rc1, 2.0.post1)"
        return TagCheck(
            Check("tag-format", "fail", what, "push a tag such as 1.2.3 or v1.2rc1, or set tag-pattern"), None
        )
    return TagCheck(Check("tag-format", "pass", ""), version)


def check_tag(tag: str, pattern: re.Pattern[str] | None, allow_prerelease: bool, scheme: str = "semver") -> TagCheck:
    """Tag format: strict vX.Y.Z by default (semver numbers, ASCII, whole string); PEP 440 with pep440."""
    name = "tag-format"
    if tag.startswith("-"):
        return TagCheck(
            Check(name, "fail", f"tag {quote(tag)} starts with '-'", "tags must not look like options"), None
        )
    if pattern:
        match = pattern.fullmatch(tag)
        if not match:
            return TagCheck(
                Check(
                    name,
                    "fail",
                    f"tag {quote(tag)} does not match tag-pattern {quote(pattern.pattern)}",
                    "push a tag that matches the pattern, or fix tag-pattern",
                ),
                None,
            )
        group = match.groupdict().get("version")
        split = None if group else tags.split_tag(tag, scheme)
        version = tags.parse_version(group, scheme) if group else split[1] if split else None
        if version is None:
            kind = "semver version MAJOR.MINOR.PATCH" if scheme == "semver" else "PEP 440 version"
            return TagCheck(
                Check(
                    name,
                    "fail",
                    f"tag {quote(tag)} matches tag-pattern but holds no {kind}",
                    "make the pattern require a version, e.g. a named group (?P<version>...)",
                ),
                None,
            )
    elif scheme == "pep440":
        found = _pep440_tag(tag)
        if found.version is None:
            return found
        version = found.version
    else:
        regex_text = STRICT_PRERELEASE_TAG if allow_prerelease else STRICT_TAG
        if not re.fullmatch(regex_text, tag):
            if not allow_prerelease and re.fullmatch(STRICT_PRERELEASE_TAG, tag):
                return TagCheck(
                    Check(
                        name,
                        "fail",
                        f"tag {quote(tag)} is a prerelease",
                        "set allow-prerelease: true to release prereleases",
                    ),
                    None,
                )
            return TagCheck(
                Check(
                    name,
                    "fail",
                    f"tag {quote(tag)} is not a release tag vMAJOR.MINOR.PATCH: {_why_not_strict(tag)}",
                    "push a tag such as v1.2.3, or set tag-pattern",
                ),
                None,
            )
        version = semver.parse(tag[1:])
        assert version is not None  # the strict pattern is a subset of semver
    if version.is_prerelease and not allow_prerelease:
        return TagCheck(
            Check(
                name,
                "fail",
                f"tag {quote(tag)} is a prerelease ({version})",
                "set allow-prerelease: true to release prereleases",
            ),
            version,
        )
    kind = "prerelease" if version.is_prerelease else "release"
    return TagCheck(Check(name, "pass", f"{tag} is a valid {kind} tag (version {version})"), version)


def _skipped(checks: list[Check]) -> str:
    skipped = [c.name for c in checks if c.result == "skip"]
    return f" ({len(skipped)} skipped: {', '.join(skipped)})" if skipped else ""


def render_summary(tag: str, checks: list[Check], dry_run: bool, previous: str | None = None) -> str:
    icon = {"pass": "✅ pass", "fail": "❌ fail", "skip": "⏭️ skip", WARN: "⚠️ warn"}
    failed = sum(c.result == "fail" for c in checks)
    warned = sum(c.result == WARN for c in checks)
    warnings = f" ({warned} warning(s))" if warned else ""
    verdict = "❌ the release is blocked" if failed else "✅ the release may proceed" + warnings + _skipped(checks)
    rows = [
        [escape(c.name), icon[c.result], escape(c.reason) + (f" — {escape(c.fix)}" if c.fix else "")] for c in checks
    ]
    head = heading("sentinel", tag, dry_run) + f"{verdict}\n\n"
    tail = f"\nPrevious release tag: {code(previous)}\n" if previous else ""
    return head + table(["check", "result", "detail"], rows) + "\n" + tail


def _client(settings: Settings, environ: Mapping[str, str]) -> tuple[GitHub | None, SovereignError | None, str]:
    """The GitHub client when a token and a repository are there, else why not.

    A bad repository or API URL is kept to be reported by each check that needs the API.
    """
    if not settings.github_token:
        return None, None, "no github-token was given"
    if not settings.repository:
        return None, None, "no repository (owner/name) was given"
    from sovereign.github import GitHub  # noqa: PLC0415 - requests only when the API can be used

    try:
        return GitHub(settings.github_token, settings.repository, environ), None, ""
    except SovereignError as err:
        return None, err, ""


def _run_checks(ctx: Context, settings: Settings) -> tuple[str | None, list[Check], BumpCheck]:
    """Every check after tag-format, in order; an adapter failure fails only its own check."""
    checks: list[Check] = [run_check("tag-exists", lambda: check_tag_exists(ctx))]
    previous: str | None = None
    try:
        newer, previous = check_newer(ctx, settings.require_newer)
    except SovereignError as err:
        newer = Check("require-newer", "fail", err.what, err.fix)
    checks.append(newer)
    bump = check_bump(
        ctx, settings.bump_check, settings.config, settings.repository or ctx.environ.get("GITHUB_REPOSITORY", "")
    )
    checks.append(bump.check)
    checks.append(run_check("require-commit", lambda: check_commit(ctx, settings.require_commit)))
    checks.append(run_check("require-branch", lambda: check_branch(ctx, settings.require_branch)))
    checks.extend(check_version_files(ctx, list(settings.version_files)))
    checks.append(run_check("require-signed", lambda: check_signed(ctx, settings.require_signed)))
    checks.append(run_check("not-already-released", lambda: check_not_released(ctx)))
    try:
        checks.extend(check_required(ctx, list(settings.required_checks), settings.checks_timeout))
    except SovereignError as err:
        checks.append(Check("required-checks", "fail", err.what, err.fix))
    return previous, checks, bump


def gate(
    step: Step,
    settings: Settings,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Every check, in order, reported; ``clock``/``sleep`` are injectable so tests never wait."""
    tag = settings.tag
    tag_check = check_tag(tag, settings.tag_pattern, settings.allow_prerelease, settings.version_scheme)
    version = tag_check.version if tag_check.check.result == "pass" else None
    github, problem, no_api = _client(settings, step.environ)
    ctx = Context(
        tag=tag,
        version=version,
        workspace=settings.workspace,
        environ=step.environ,
        github=github,
        github_problem=problem,
        no_api=no_api,
        log=step.info,
        progress=lambda text, line: step.progress(text, log=line),
        clock=clock,
        sleep=sleep,
        scheme=settings.version_scheme,
    )

    previous, more, bump = _run_checks(ctx, settings)
    checks = [tag_check.check, *more]

    for check in checks:
        step.info(f"{check.result.upper():4}  {check.name}: {check.reason}")
        if check.result == WARN:
            step.warning(f"{check.name}: {check.reason}" + (f" — {check.fix}" if check.fix else ""))
    if github is not None:
        step.info(f"sentinel: {github.rate_note()}")
    report: dict[str, object] = {"tag": tag, "previous_tag": previous, "checks": [asdict(c) for c in checks]}
    if bump.report:
        report["bump"] = bump.report
    report_text = json.dumps(report, ensure_ascii=False)
    step.set_output("report", report_text)
    saved = artifacts.write(
        settings.artifacts_dir, artifacts.file_name("sentinel", tag, "json"), report_text + "\n", step
    )
    step.set_output("report-file", str(saved))
    step.set_output("previous-tag", previous or "")
    if version is not None:
        step.set_output("tag", tag)
        step.set_output("version", str(version))
        step.set_output("major", str(version.major))
        step.set_output("minor", str(version.minor))
        step.set_output("patch", str(version.patch))
        step.set_output("prerelease", ".".join(version.prerelease))
        step.set_output("is-prerelease", "true" if version.is_prerelease else "false")
    step.summary(render_summary(tag, checks, settings.dry_run, previous))
    preview.refresh(saved.parent, tag, step)

    failures = [c for c in checks if c.result == "fail"]
    if failures:
        raise Failed([SovereignError(f"{c.name}: {c.reason}", c.fix) for c in failures])
    step.info(f"sentinel: {tag} passed {sum(c.result == 'pass' for c in checks)} check(s){_skipped(checks)}")
