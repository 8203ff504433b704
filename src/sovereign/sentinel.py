"""sentinel: the release gate. Every check runs and is reported; any failure fails the step."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from sovereign import semver
from sovereign.errors import Failed, SovereignError
from sovereign.gha import TAG_INPUT, Input, Inputs, Stage, Step, quote, release_tag
from sovereign.markdown import escape, table

STRICT_TAG = rf"v{semver.NUM}\.{semver.NUM}\.{semver.NUM}"
STRICT_PRERELEASE_TAG = rf"{STRICT_TAG}(?:-{semver.PRERELEASE})?"


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, pass/fail/skip, and why."""

    name: str
    result: str  # "pass" | "fail" | "skip"
    reason: str
    fix: str = ""


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


def render_summary(tag: str, checks: list[Check], dry_run: bool) -> str:
    icon = {"pass": "✅ pass", "fail": "❌ fail", "skip": "⏭️ skip"}
    failed = sum(c.result == "fail" for c in checks)
    verdict = "❌ the release is blocked" if failed else "✅ the release may proceed"
    rows = [[c.name, icon[c.result], escape(c.reason) + (f" — {escape(c.fix)}" if c.fix else "")] for c in checks]
    head = f"## Sovereign sentinel — `{escape(tag)}`{' (dry-run)' if dry_run else ''}\n\n{verdict}\n\n"
    return head + table(["check", "result", "why"], rows) + "\n"


def run(step: Step, inputs: Inputs) -> None:
    dry_run = inputs.flag("dry-run")
    allow_prerelease = inputs.flag("allow-prerelease")
    pattern = inputs.raw("tag-pattern")
    tag = release_tag(inputs, step.environ)

    tag_check = check_tag(tag, pattern, allow_prerelease)
    checks = [tag_check.check]
    version = tag_check.version

    for check in checks:
        step.info(f"{check.result.upper():4}  {check.name}: {check.reason}")
    report = {"tag": tag, "checks": [asdict(c) for c in checks]}
    step.set_output("report", json.dumps(report, ensure_ascii=False))
    if version is not None and tag_check.check.result == "pass":
        step.set_output("tag", tag)
        step.set_output("version", str(version))
        step.set_output("major", str(version.major))
        step.set_output("minor", str(version.minor))
        step.set_output("patch", str(version.patch))
        step.set_output("prerelease", ".".join(version.prerelease))
        step.set_output("is-prerelease", "true" if version.is_prerelease else "false")
    step.summary(render_summary(tag, checks, dry_run))

    failures = [c for c in checks if c.result == "fail"]
    if failures:
        raise Failed([SovereignError(f"{c.name}: {c.reason}", c.fix) for c in failures])
    step.info(f"sentinel: {tag} passed {len(checks)} check(s)")


STAGE = Stage(
    name="sentinel",
    description="The release gate: is this tag a sound release?",
    own_inputs=(
        TAG_INPUT,
        Input("tag-pattern", "a regular expression the whole tag must match (default: strict vMAJOR.MINOR.PATCH)"),
        Input("allow-prerelease", "also accept semver prereleases such as v1.2.3-rc.1", "false", boolean=True),
    ),
    main=run,
)
