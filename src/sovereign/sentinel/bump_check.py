"""``bump-check``: is the tag's bump over the previous release at least what its changes call for?

The changes are read and classified by :mod:`sovereign.notes`, the code the
changelog uses, with the changelog's config: the gate and the notes never
disagree on what is breaking or a feature. A bigger bump than needed is fine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sovereign import tags
from sovereign.errors import SovereignError
from sovereign.github_env import server_url
from sovereign.gitrepo import GitRepo
from sovereign.notes import bump, gather
from sovereign.notes.classify import Item, classify
from sovereign.notes.config import Config
from sovereign.notes.group import group
from sovereign.sentinel.checks import FAIL, PASS, SKIP, WARN, Check, Context

NAME = "bump-check"
SHOWN = 5  # commits named in the check's reason; the report lists them all


@dataclass(frozen=True)
class BumpCheck:
    check: Check
    report: dict[str, Any] = field(default_factory=dict)  # needed/actual bump and the deciding commits


def _named(items: tuple[Item, ...]) -> str:
    shown = [f"{i.change.head.sha[:7]} {i.change.title}" for i in items[:SHOWN]]
    more = f" … and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return "; ".join(shown) + more


def check_bump(ctx: Context, mode: str, config: Config | SovereignError | None, repository: str) -> BumpCheck:
    if mode == "off" or config is None:
        return BumpCheck(Check(NAME, SKIP, "bump-check is off"))
    if ctx.version is None:
        return BumpCheck(Check(NAME, SKIP, "the tag holds no valid version (see tag-format)"))
    if isinstance(config, SovereignError):  # only with warn: fail stopped at the inputs
        return BumpCheck(Check(NAME, WARN, f"the changelog's config cannot be read: {config.what}", config.fix))
    try:
        return _compare(ctx, ctx.version, mode, config, repository)
    except SovereignError as err:
        # Turned to fail, the check must run; with warn (the default) it steps aside, like other default checks.
        return BumpCheck(
            Check(NAME, FAIL if mode == "fail" else SKIP, f"the changes could not be read: {err.what}", err.fix)
        )


def _compare(ctx: Context, version: tags.AnyVersion, mode: str, config: Config, repository: str) -> BumpCheck:
    github = ctx.github if ctx.github_problem is None else None
    read = gather.reader("auto", GitRepo(ctx.workspace), github)
    span = read.stable_range(read.tag_range(ctx.tag, "", ctx.scheme), version, ctx.scheme)
    previous = tags.split_tag(span.previous.tag, ctx.scheme) if span.previous.tag else None
    if previous is None:
        return BumpCheck(Check(NAME, SKIP, f"no earlier release to compare with ({span.previous.reason})"))
    found = read.commits(span, f"{server_url(ctx.environ)}/{repository}/pull", ctx.log)
    classified = classify(group(found.commits, found.prs, span.tag_commit).changes, config)
    need = bump.needed(classified, config, previous[1])
    actual = bump.between(previous[1], version)
    expected = bump.next_tag(previous[0], bump.next_version(previous[1], need.level, ctx.scheme))
    report = {
        "needed": need.level,
        "actual": actual,
        "previous_tag": span.previous.tag,
        "next_tag": expected,
        "why": need.why,
        "commits": [i.change.head.sha for i in need.deciding],
    }
    over = f"{ctx.tag} is a {actual} bump over {span.previous.tag}"
    if bump.rank(actual) >= bump.rank(need.level):
        return BumpCheck(Check(NAME, PASS, f"{over}; the changes call for {need.level} ({need.why})"), report)
    calls = "calls" if len(need.deciding) == 1 else "call"
    what = f"{over}, but {need.why} {calls} for {need.level}: {_named(need.deciding)}"
    fix = f"release {expected} instead (a bigger bump is fine), or set bump-check: off if this is intended"
    return BumpCheck(Check(NAME, FAIL if mode == "fail" else WARN, what, fix), report)
