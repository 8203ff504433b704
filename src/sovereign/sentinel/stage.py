"""sentinel: the release gate. Every check runs and is reported; any failure fails the step."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from sovereign import artifacts, preview, semver
from sovereign.errors import Failed, SovereignError
from sovereign.gha import (
    GITHUB_TOKEN_INPUT,
    REPOSITORY_INPUT,
    TAG_INPUT,
    Input,
    Inputs,
    Stage,
    Step,
    quote,
    release_tag,
)
from sovereign.markdown import code, escape, heading, table
from sovereign.sentinel.checks import (
    Check,
    Context,
    check_branch,
    check_commit,
    check_newer,
    check_not_released,
    check_signed,
    check_version_files,
    run_check,
)
from sovereign.sentinel.required_checks import check_required, split_names

if TYPE_CHECKING:
    from sovereign.github import GitHub

STRICT_TAG = rf"v{semver.NUM}\.{semver.NUM}\.{semver.NUM}"
STRICT_PRERELEASE_TAG = rf"{STRICT_TAG}(?:-{semver.PRERELEASE})?"


@dataclass(frozen=True)
class TagCheck:
    check: Check
    version: semver.Version | None


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


def check_tag(tag: str, pattern: str, allow_prerelease: bool) -> TagCheck:
    """Tag format: strict vX.Y.Z by default (semver numbers, ASCII, whole string)."""
    name = "tag-format"
    if tag.startswith("-"):
        return TagCheck(
            Check(name, "fail", f"tag {quote(tag)} starts with '-'", "tags must not look like options"), None
        )
    if pattern:
        try:
            regex = re.compile(pattern)
        except re.error as err:
            raise SovereignError(
                f"input 'tag-pattern' is not a valid regular expression: {err}", "fix the pattern"
            ) from None
        match = regex.fullmatch(tag)
        if not match:
            return TagCheck(
                Check(
                    name,
                    "fail",
                    f"tag {quote(tag)} does not match tag-pattern {quote(pattern)}",
                    "push a tag that matches the pattern, or fix tag-pattern",
                ),
                None,
            )
        group = match.groupdict().get("version")
        version = semver.parse(group) if group else semver.from_tag(tag)
        if version is None:
            return TagCheck(
                Check(
                    name,
                    "fail",
                    f"tag {quote(tag)} matches tag-pattern but holds no semver version MAJOR.MINOR.PATCH",
                    "make the pattern require a version, e.g. a named group (?P<version>...)",
                ),
                None,
            )
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


def render_summary(tag: str, checks: list[Check], dry_run: bool, previous: str | None = None) -> str:
    icon = {"pass": "✅ pass", "fail": "❌ fail", "skip": "⏭️ skip"}
    failed = sum(c.result == "fail" for c in checks)
    verdict = "❌ the release is blocked" if failed else "✅ the release may proceed"
    rows = [
        [escape(c.name), icon[c.result], escape(c.reason) + (f" — {escape(c.fix)}" if c.fix else "")] for c in checks
    ]
    head = heading("sentinel", tag, dry_run) + f"{verdict}\n\n"
    tail = f"\nPrevious release tag: {code(previous)}\n" if previous else ""
    return head + table(["check", "result", "detail"], rows) + "\n" + tail


def _client(step: Step, inputs: Inputs) -> tuple[GitHub | None, SovereignError | None, str]:
    """The GitHub client when a token and a repository are there, else why not.

    A bad repository or API URL is kept to be reported by each check that needs the API.
    """
    if not inputs.secret("github-token"):
        return None, None, "no github-token was given"
    if not inputs.text("repository"):
        return None, None, "no repository (owner/name) was given"
    from sovereign.github import GitHub  # noqa: PLC0415 - requests only when the API can be used

    try:
        return GitHub(inputs.secret("github-token"), inputs.text("repository"), step.environ), None, ""
    except SovereignError as err:
        return None, err, ""


def _run_checks(ctx: Context, inputs: Inputs) -> tuple[str | None, list[Check]]:
    """Every check after tag-format, in order; an adapter failure fails only its own check."""
    checks: list[Check] = []
    previous: str | None = None
    try:
        newer, previous = check_newer(ctx, inputs.flag("require-newer"))
    except SovereignError as err:
        newer = Check("require-newer", "fail", err.what, err.fix)
    checks.append(newer)
    require_commit, require_signed = inputs.flag("require-commit"), inputs.flag("require-signed")
    branch, files = inputs.text("require-branch"), inputs.items("version-files")
    checks.append(run_check("require-commit", lambda: check_commit(ctx, require_commit)))
    checks.append(run_check("require-branch", lambda: check_branch(ctx, branch)))
    checks.extend(check_version_files(ctx, files))
    checks.append(run_check("require-signed", lambda: check_signed(ctx, require_signed)))
    checks.append(run_check("not-already-released", lambda: check_not_released(ctx)))
    try:
        names = split_names(inputs.raw("required-checks"))
        checks.extend(check_required(ctx, names, inputs.integer("checks-timeout")))
    except SovereignError as err:
        checks.append(Check("required-checks", "fail", err.what, err.fix))
    return previous, checks


def gate(
    step: Step,
    inputs: Inputs,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Every check, in order, reported; ``clock``/``sleep`` are injectable so tests never wait."""
    dry_run = inputs.flag("dry-run")
    allow_prerelease = inputs.flag("allow-prerelease")
    pattern = inputs.raw("tag-pattern")
    tag = release_tag(inputs.raw("tag"), step.environ)
    for name in ("require-newer", "require-commit", "require-signed"):
        inputs.flag(name)  # a bad boolean is a usage error before any check runs
    inputs.integer("checks-timeout")

    tag_check = check_tag(tag, pattern, allow_prerelease)
    version = tag_check.version if tag_check.check.result == "pass" else None
    github, problem, no_api = _client(step, inputs)
    ctx = Context(
        tag=tag,
        version=version,
        workspace=artifacts.workspace(step.environ),
        environ=step.environ,
        github=github,
        github_problem=problem,
        no_api=no_api,
        log=step.info,
        clock=clock,
        sleep=sleep,
    )

    previous, more = _run_checks(ctx, inputs)
    checks = [tag_check.check, *more]

    for check in checks:
        step.info(f"{check.result.upper():4}  {check.name}: {check.reason}")
    if github is not None:
        step.info(f"sentinel: {github.rate_note()}")
    report = {"tag": tag, "previous_tag": previous, "checks": [asdict(c) for c in checks]}
    report_text = json.dumps(report, ensure_ascii=False)
    step.set_output("report", report_text)
    saved = artifacts.write(
        artifacts.artifacts_dir(inputs.text("artifacts-dir"), step.environ),
        artifacts.file_name("sentinel", tag, "json"),
        report_text + "\n",
        step,
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
    step.summary(render_summary(tag, checks, dry_run, previous))
    preview.refresh(saved.parent, tag, step)

    failures = [c for c in checks if c.result == "fail"]
    if failures:
        raise Failed([SovereignError(f"{c.name}: {c.reason}", c.fix) for c in failures])
    step.info(f"sentinel: {tag} passed {sum(c.result == 'pass' for c in checks)} check(s), skipped the rest")


def run(step: Step, inputs: Inputs) -> None:
    gate(step, inputs)


STAGE = Stage(
    name="sentinel",
    description="The release gate: is this tag a sound release?",
    own_inputs=(
        TAG_INPUT,
        Input("tag-pattern", "a regular expression the whole tag must match (default: strict vMAJOR.MINOR.PATCH)"),
        Input("allow-prerelease", "also accept semver prereleases such as v1.2.3-rc.1", "false", boolean=True),
        Input("require-newer", "the tag must be above every release tag by semver precedence", "true", boolean=True),
        Input("require-commit", "the tag must point at GITHUB_SHA (when set)", "true", boolean=True),
        Input("require-branch", "when set, the tagged commit must be reachable from this branch"),
        Input("version-files", "files whose version must equal the tag's (one per line or comma)"),
        Input(
            "required-checks",
            "check-run or status names that must have concluded success on the tagged commit "
            "(one per line or comma; commas inside parentheses, as in matrix names, do not split)",
        ),
        Input("checks-timeout", "seconds to wait for pending required checks", "0"),
        Input("require-signed", "the tag must be annotated with a signature GitHub verified", "false", boolean=True),
        GITHUB_TOKEN_INPUT,
        REPOSITORY_INPUT,
    ),
    main=run,
)
