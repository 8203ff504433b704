"""The whole ritual in one process: each stage fed by the ones before it.

sentinel -> changelog -> grafana-push -> grafana-snapshot -> notify. The first
failure halts the ritual; when notify is configured it then broadcasts a
``failure`` naming the stage that failed, and the ritual exits 1.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from sovereign.artifacts import artifacts_dir
from sovereign.cli import load
from sovereign.errors import SovereignError
from sovereign.gha import Input, Inputs, Stage, Step, execute
from sovereign.github_env import check_repository, repository_or_origin
from sovereign.markdown import escape, table

ORDER = ("sentinel", "changelog", "grafana-push", "grafana-snapshot", "notify")
WEBHOOKS = ("slack-webhook-url", "discord-webhook-url", "teams-webhook-url")
NEEDS_REPOSITORY = ("changelog", "grafana-push")  # the others use it when there is one
# Output names two stages share: the ritual gives these a "<stage>-" prefix
# (tests/static checks this against the stages' action.yml files).
CLASHING_OUTPUTS = frozenset({"previous-tag", "report-file"})

# What a finished stage hands to the later ones: (stage, its output) -> input.
FEEDS: dict[tuple[str, str], str] = {
    ("changelog", "json-file"): "changelog-json",
    ("changelog", "release-url"): "release-url",
    ("grafana-snapshot", "snapshot-url"): "snapshot-url",
}


def _configured(name: str, inputs: Inputs) -> str:
    """Why ``name`` should be skipped, or "" to run it."""
    dry_run = inputs.flag("dry-run")
    if (
        name == "grafana-push"
        and not dry_run
        and not (inputs.raw("grafana-url").strip() or inputs.raw("metrics-url").strip())
    ):
        return "no grafana-url or metrics-url is configured"
    if name == "grafana-snapshot" and not (inputs.raw("grafana-url").strip() and inputs.raw("dashboard-uid").strip()):
        return "it needs grafana-url and dashboard-uid (a dashboard to capture)"
    if name == "notify" and not dry_run and not any(inputs.raw(w).strip() for w in WEBHOOKS):
        return "no webhook URL is configured"
    return ""


@dataclass
class Outcome:
    stage: str
    result: str  # "success" | "failure" | "skipped"
    seconds: float = 0.0
    note: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


def stage_inputs() -> tuple[Input, ...]:
    """The union of every stage's own inputs (first definition wins), plus ``stages``."""
    seen: dict[str, Input] = {}
    for name in ORDER:
        for item in load(name).own_inputs:
            seen.setdefault(item.name, item)
    stages = Input("stages", "which stages to run, in the ritual's order", ",".join(ORDER))
    return (stages, *seen.values())


def _repository(inputs: Inputs, environ: Mapping[str, str], chosen: list[str]) -> str:
    """The repository every stage uses, checked before the sentinel runs rather than when a later stage needs it."""
    repository = repository_or_origin(inputs.text("repository"), environ)
    needing = [n for n in NEEDS_REPOSITORY if n in chosen and not _configured(n, inputs)]
    if repository or needing:
        try:
            check_repository(repository)
        except SovereignError as err:
            who = f" ({' and '.join(needing)} need it)" if needing and not repository else ""
            raise SovereignError(err.what + who, err.fix) from None
    return repository


def _run_one(name: str, step: Step, values: dict[str, str]) -> Outcome:
    stage = load(name)
    child = step.child(name)
    cli: dict[str, str | None] = {i.name: values[i.name] for i in stage.inputs if i.name in values}
    started = time.monotonic()
    code = execute(stage, cli, child.environ, child)
    result = "success" if code == 0 else "failure"
    return Outcome(name, result, time.monotonic() - started, outputs=child.outputs)


def _links(outcome: Outcome) -> str:
    keys = ("release-url", "compare-url", "snapshot-url", "markdown-file", "json-file", "annotation-id", "sent")
    found = [f"{k}: {outcome.outputs[k]}" for k in keys if outcome.outputs.get(k)]
    return escape("; ".join(found)) if found else ""


def run(step: Step, inputs: Inputs) -> None:
    chosen = inputs.items("stages")
    unknown = [s for s in chosen if s not in ORDER]
    if unknown or not chosen:
        raise SovereignError(
            f"input 'stages' names unknown stage(s): {', '.join(unknown) or '(none given)'}",
            f"use a comma-separated subset of {','.join(ORDER)}",
        )
    values = {item.name: inputs.raw(item.name) for item in RITUAL.inputs}
    values["repository"] = _repository(inputs, step.environ, chosen)
    outcomes: list[Outcome] = []
    failed: Outcome | None = None
    for name in ORDER:
        if name not in chosen:
            continue
        why = _configured(name, inputs)
        if why:
            step.notice(f"{name} skipped: {why}")
            outcomes.append(Outcome(name, "skipped", note=why))
            continue
        with step.group(f"Sovereign {name}"):
            outcome = _run_one(name, step, values)
        outcomes.append(outcome)
        for (source, output), target in FEEDS.items():
            if source == name and outcome.outputs.get(output) and not inputs.raw(target).strip():
                values[target] = outcome.outputs[output]
        if outcome.result == "failure":
            failed = outcome
            break
    done = {o.stage for o in outcomes}
    outcomes += [
        Outcome(n, "not run", note="halted by an earlier failure") for n in ORDER if n in chosen and n not in done
    ]

    if failed and failed.stage != "notify" and "notify" in chosen and any(values.get(w, "").strip() for w in WEBHOOKS):
        step.info(f"ritual: {failed.stage} failed; broadcasting the failure")
        values.update(
            status="failure",
            title=f"{values.get('repository') or 'release'} {values.get('tag', '')}: {failed.stage} failed".strip(),
        )
        with step.group("Sovereign notify (failure broadcast)"):
            broadcast = _run_one("notify", step, values)
        broadcast.note = "failure broadcast"
        outcomes = [o for o in outcomes if o.stage != "notify"] + [broadcast]

    _report(step, outcomes)
    step.set_output("artifacts-dir", str(artifacts_dir(inputs.text("artifacts-dir"), step.environ)))
    if failed:
        raise SovereignError(
            f"the ritual halted: {failed.stage} failed", f"see the {failed.stage} errors above; fix and re-run"
        )


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def _report(step: Step, outcomes: list[Outcome]) -> None:
    icon = {"success": "✅", "failure": "❌", "skipped": "⏭️", "not run": "⏸️"}
    for outcome in outcomes:
        for key, value in outcome.outputs.items():
            step.set_output(f"{outcome.stage}-{key}" if key in CLASHING_OUTPUTS else key, value)
    rows = [
        [
            o.stage,
            f"{icon.get(o.result, '')} {o.result}",
            f"{o.seconds:.1f} s" if o.seconds else "",
            escape(o.note) or _links(o),
        ]
        for o in outcomes
    ]
    step.summary("## Sovereign release ritual\n\n" + table(["stage", "result", "time", "details"], rows) + "\n")
    for o in outcomes:
        step.info(f"ritual: {o.stage:<16} {o.result:<8} {_duration(o.seconds):>8}  {o.note}")


def _ritual_stage() -> Stage:
    return Stage("ritual", "The whole release ritual, each stage fed by the ones before it.", stage_inputs(), run)


RITUAL = _ritual_stage()
STAGE = RITUAL
