"""``required-checks``: named check runs and commit statuses green on the tagged commit.

Both lists are read in full (paginated) and only the newest entry per name is
kept: a re-run that passed replaces the failure before it. Pending or missing
checks are polled until ``checks-timeout``, with growing pauses; the sentinel's
own job, and any job of this same run still going, are never waited for (that
would wait for ourselves, or for a job that could wait for us).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sovereign.console import duration
from sovereign.gha import quote
from sovereign.sentinel.checks import FAIL, PASS, POLL_FIRST, POLL_MAX, SKIP, Check, Context, tag_not_found

if TYPE_CHECKING:
    from sovereign.github import GitHub

SUCCESS, PENDING, FAILURE = "success", "pending", "failure"


@dataclass(frozen=True)
class Seen:
    """The newest report of one name, as a check run or a commit status."""

    name: str
    kind: str  # "check run" | "status"
    state: str  # SUCCESS | PENDING | FAILURE
    detail: str  # conclusion or state in GitHub's words
    url: str
    stamp: tuple[int, str]  # newest wins: GitHub's ids only grow (a queued re-run has no start time yet)


def split_names(raw: str) -> list[str]:
    """One name per line or comma, but a comma inside parentheses stays: ``test (ubuntu, 3.12)``."""
    names: list[str] = []
    for line in raw.splitlines():
        depth, current = 0, ""
        for ch in line:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if ch == "," and depth <= 0:
                names.append(current)
                current, depth = "", 0
            else:
                current += ch
        names.append(current)
    return list(dict.fromkeys(n.strip() for n in names if n.strip()))


def _check_run(item: Mapping[str, Any]) -> Seen:
    status = str(item.get("status") or "")
    conclusion = str(item.get("conclusion") or "")
    if status != "completed":
        state, detail = PENDING, status or "pending"
    else:
        state, detail = (SUCCESS if conclusion == "success" else FAILURE), conclusion or "no conclusion"
    stamp = (int(item.get("id") or 0), str(item.get("started_at") or ""))
    url = str(item.get("html_url") or item.get("details_url") or "")
    return Seen(str(item.get("name", "")), "check run", state, detail, url, stamp)


def _status(item: Mapping[str, Any]) -> Seen:
    state_text = str(item.get("state") or "")
    state = {"success": SUCCESS, "pending": PENDING}.get(state_text, FAILURE)
    stamp = (int(item.get("id") or 0), str(item.get("updated_at") or item.get("created_at") or ""))
    return Seen(str(item.get("context", "")), "status", state, state_text, str(item.get("target_url") or ""), stamp)


def newest_by_name(items: Iterable[Seen]) -> dict[str, list[Seen]]:
    """For each name, the newest check run and the newest status (either may be absent)."""
    newest: dict[tuple[str, str], Seen] = {}
    for seen in items:
        key = (seen.name, seen.kind)
        if key not in newest or seen.stamp > newest[key].stamp:
            newest[key] = seen
    grouped: dict[str, list[Seen]] = {}
    for (name, _kind), seen in sorted(newest.items()):
        grouped.setdefault(name, []).append(seen)
    return grouped


def fetch(gh: GitHub, ref: str) -> dict[str, list[Seen]]:
    """Both lists in full; an answer without its expected keys is an error, never an empty list
    (a missing ``check_runs`` would let a same-named green status hide a failed run)."""
    runs = gh.paginate(
        gh.repo_path("commits", ref, "check-runs"),
        "the check runs",
        params={"filter": "all"},
        key="check_runs",
        item_keys=("id", "name", "status", "conclusion"),
    )
    statuses = gh.paginate(
        gh.repo_path("commits", ref, "statuses"), "the commit statuses", item_keys=("id", "context", "state")
    )
    return newest_by_name([*(_check_run(r) for r in runs), *(_status(s) for s in statuses)])


def _in_this_run(seen: Seen, run_id: str) -> bool:
    return bool(run_id) and f"/actions/runs/{run_id}/" in seen.url + "/"


def judge(name: str, seen: list[Seen], environ: Mapping[str, str], final: bool) -> Check | None:
    """The verdict on one required name, or None while it is still worth waiting for it."""
    check = f"required-checks:{name}"
    job, run_id = environ.get("GITHUB_JOB", ""), environ.get("GITHUB_RUN_ID", "")
    if job and name == job:
        return Check(check, SKIP, f"{quote(name)} is the sentinel's own job: never waited for")
    if not seen:
        if final:
            return Check(
                check,
                FAIL,
                f"{quote(name)} not found on the tagged commit (no check run or status of that name)",
                "check the name (as shown on the commit's checks), or raise checks-timeout if it starts late",
            )
        return None
    failing = [s for s in seen if s.state == FAILURE]
    if failing:
        first = failing[0]
        where = f": {first.url}" if first.url else ""
        return Check(check, FAIL, f"{quote(name)} {first.kind} concluded {first.detail}{where}", "fix it and re-run it")
    pending = [s for s in seen if s.state == PENDING]
    if pending and any(_in_this_run(s, run_id) for s in pending):
        return Check(
            check,
            FAIL,
            f"{quote(name)} is a job of this same workflow run, still {pending[0].detail}: never waited for",
            "make the sentinel's job depend on it (needs:), or remove it from required-checks",
        )
    if pending:
        if final:
            return Check(
                check,
                FAIL,
                f"{quote(name)} is still {pending[0].detail} ({pending[0].kind}) at the deadline",
                "raise checks-timeout, or re-run once it has finished",
            )
        return None
    kinds = " and ".join(s.kind for s in seen)
    return Check(check, PASS, f"{quote(name)} concluded success ({kinds})")


def check_required(ctx: Context, names: list[str], timeout: int) -> list[Check]:
    if not names:
        return [Check("required-checks", SKIP, "not requested (required-checks is empty)")]
    gh = ctx.api("required-checks", explicit=True)
    if isinstance(gh, Check):
        return [gh]
    commit, _ = ctx.tagged_commit()
    if commit is None:
        return [tag_not_found(ctx, "required-checks")]
    started = ctx.clock()
    deadline = started + timeout
    pause = POLL_FIRST
    while True:
        seen = fetch(gh, commit)
        final = ctx.clock() >= deadline
        verdicts = {name: judge(name, seen.get(name, []), ctx.environ, final) for name in names}
        waiting = [name for name, verdict in verdicts.items() if verdict is None]
        if not waiting:
            return [v for v in verdicts.values() if v is not None]
        wait = max(0.0, min(pause, deadline - ctx.clock()))
        ctx.progress(
            f"waiting for {', '.join(waiting)} ({duration(ctx.clock() - started)} of {duration(timeout)})",
            f"required-checks: waiting {wait:.0f}s for {', '.join(quote(n) for n in waiting)}",
        )
        ctx.sleep(wait)
        pause = min(pause * 1.5, POLL_MAX)
