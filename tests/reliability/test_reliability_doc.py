"""docs/reliability.md is generated from the tables in table.py and the outcomes of this
run's tests: a row in the doc is a test that passed. This check runs last (see conftest).

Refresh after changing a table or a behaviour:

    SOVEREIGN_REFRESH_DOCS=1 .venv/bin/pytest -q -p no:cacheprovider tests/reliability
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from table import (
    ACTION_HOSTILE,
    ADAPTERS,
    CANARY_FORMS,
    CANARY_MODE_TEXT,
    CANARY_MODES,
    CANARY_PLACES,
    CANARY_STAGES,
    FAULTS,
    HOSTILE,
    OUTCOMES,
    READ_TIMEOUT,
    TOTAL_WAIT_CAP,
    WAIT_CAP,
    cells,
    expect,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
REFRESH = "SOVEREIGN_REFRESH_DOCS=1 .venv/bin/pytest -q -p no:cacheprovider tests/reliability"
MARK = {"passed": "✅", "failed": "❌ FAILED", "skipped": "⏭️ skipped", "xfailed": "⚠️ known bug"}


def outcome(test: str, ident: str) -> str | None:
    return OUTCOMES.get(f"tests/reliability/{test}[{ident}]")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def fault_section(results: dict[str, str]) -> list[str]:
    counts = Counter(results.values())
    lines = [
        "## 1. Fault matrix",
        "",
        f"{len(results)} cells: every HTTP adapter against every fault, on a scripted server on a real "
        f"loopback socket (`tests/localserver.py`); {counts['passed']} passed. Each cell asserts the outcome, "
        "the exact number of requests the server saw, and the waits (recorded, not slept): no single wait above "
        f"{WAIT_CAP:.0f} s and at most {TOTAL_WAIT_CAP:.0f} s in all per call, so a release never hangs. "
        f"Read-timeout cells run with a {READ_TIMEOUT} s read timeout.",
        "",
        "Legend: `ok·N` retried (or answered) and succeeded after N requests; `fail·N` failed with a clear "
        "error after N requests (0: nothing listened). Test: `tests/reliability/test_fault_matrix.py`.",
        "",
        "| fault | " + " | ".join(a.key for a in ADAPTERS) + " |",
        "|---|" + "---|" * len(ADAPTERS),
    ]
    for fault in FAULTS:
        row = [_cell(fault.title)]
        for adapter in ADAPTERS:
            if fault.github_only and adapter.family != "github":
                row.append("—")
                continue
            wanted = expect(adapter, fault)
            text = f"{'ok' if wanted.ok else 'fail'}·{wanted.requests}"
            result = results[f"{adapter.key}-{fault.key}"]
            row.append(text if result == "passed" else f"{text} {MARK[result]}")
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Adapters (how each cell's code is reached; `read` retries after a 5xx or a cut answer, "]
    lines[-1] += (
        "`query` is a read-only POST that is retried too, `write` is never sent twice once it may have arrived):"
    )
    lines += [""] + [f"* `{a.key}` — {a.title}, {a.kind}" for a in ADAPTERS]
    lines += [
        "",
        "The error each failing cell asserts (a substring of its one `::error` line; after `…`, a second one: "
        "a write whose answer was lost says what may exist and that a re-run is safe):",
        "",
    ]
    lines += ["| adapter | fault | error |", "|---|---|---|"]
    for adapter, fault in cells():
        wanted = expect(adapter, fault)
        if not wanted.ok:
            words = wanted.message + (f" … {wanted.lost}" if wanted.lost else "")
            lines.append(f"| {adapter.key} | {fault.key} | {_cell(words)} |")
    return lines


def hostile_section(results: dict[str, str], action_results: dict[str, str]) -> list[str]:
    every = list(results.values()) + list(action_results.values())
    by_stage = Counter(case.stage for case in HOSTILE)
    by_kind = Counter(case.kind for case in HOSTILE)
    lines = [
        "## 2. Hostile inputs",
        "",
        f"{len(HOSTILE)} cases through `<stage>/main.py` as a process and {len(ACTION_HOSTILE)} through the "
        f"composite-action harness (action.yml, `env:` mapping, bootstrap); {every.count('passed')} of "
        f"{len(every)} passed, {every.count('xfailed')} show a known bug (⚠️). Every case asserts: the exit code (1 refused, 2 usage error, 0 the value is inert), "
        "one `::error title=<stage>::` line naming the problem, no traceback and no `internal error`, nothing on "
        "stderr, a canary file that a shell would create never exists, no workflow command outside a "
        "`::stop-commands::` fence, and no file written or changed outside the artifacts directory. "
        "Test: `tests/reliability/test_hostile_inputs.py`. A case marked ⚠️ shows a bug in a module this suite "
        "does not own; it runs as a strict xfail, so fixing the bug turns it red until the mark is removed.",
        "",
        "By stage: " + ", ".join(f"{stage} {n}" for stage, n in by_stage.items()) + ".",
        "By kind: " + ", ".join(f"{kind} {n}" for kind, n in sorted(by_kind.items())) + ".",
        "",
        "| # | stage | kind | input | expected | result |",
        "|---|---|---|---|---|---|",
    ]
    for number, case in enumerate(HOSTILE, 1):
        wanted = {0: "inert, exit 0", 1: "exit 1", 2: "usage, exit 2"}[case.exit]
        if case.message:
            wanted += f": `{_cell(case.message)}`"
        result = MARK[results[f"{case.stage}-{case.key}"]]
        if case.known_bug:
            result += f": {_cell(case.known_bug)}"
        lines.append(f"| {number} | {case.stage} | {case.kind} | {_cell(case.what)} | {wanted} | {result} |")
    lines += ["", "Through the action harness:", "", "| action | input | expected | result |", "|---|---|---|---|"]
    for case in ACTION_HOSTILE:
        wanted = "inert, exit 0" if not case.exit else f"exit {case.exit}: `{_cell(case.message)}`"
        lines.append(f"| {case.action} | {_cell(case.what)} | {wanted} | {MARK[action_results[case.key]]} |")
    return lines


def canary_section(results: dict[tuple[str, str], str]) -> list[str]:
    counts = Counter(results.values())
    lines = [
        "## 3. Secret-leak canaries",
        "",
        f"{len(results)} runs (every stage and the ritual × {len(CANARY_MODES)} modes); {counts['passed']} passed. "
        "Canary secrets: `github-token`, `grafana-api-key`, `metrics-token` (with `metrics-user`: basic auth), "
        "the Slack, Discord and Teams webhook URLs, and the snapshot delete key Grafana hands back. The services are "
        "one hostile local server that echoes the `Authorization` header (and, on failure, the request path) in its "
        "answers. Each run is a process with `GITHUB_ACTIONS=true`; the `::add-mask::` lines of the secret inputs "
        "must come before any other output, and exactly the `::add-mask::` lines are exempt from the scan. "
        "Test: `tests/reliability/test_canaries.py`.",
        "",
        f"Searched: {', '.join(CANARY_PLACES)}. Forms: {', '.join(CANARY_FORMS)}.",
        "",
    ]
    lines += [f"* **{mode}**: {text}" for mode, text in CANARY_MODE_TEXT.items()]
    lines += ["", "| stage | " + " | ".join(CANARY_MODES) + " |", "|---|" + "---|" * len(CANARY_MODES)]
    for stage in CANARY_STAGES:
        lines.append(f"| {stage} | " + " | ".join(MARK[results[(stage, mode)]] for mode in CANARY_MODES) + " |")
    return lines


FINDINGS = """## What these tests found (and the fixes)

* A read timeout that outlived its retries was reported as "could not connect" (urllib3 wraps it in a
  `ConnectionError`): `sovereign.http.call` now says "did not answer in time".
* A GitHub answer that was not JSON (a proxy's or login page's 200) raised a raw `JSONDecodeError`;
  a list where an object was expected raised `AttributeError`: `sovereign.github` now reports both in words.
* A URL with a line break (`https://host/\\r\\nX-Evil: 1`) passed the URL policy: `check_url` now refuses
  whitespace and control characters.
* Undecodable bytes in an input (invalid UTF-8 in env or argv) crashed the output writer: every stage now refuses
  them by input name before anything else, and `GITHUB_OUTPUT`/`GITHUB_STEP_SUMMARY` are written with
  `backslashreplace`.
* A 100,000-digit tag crashed the sentinel (`int()` digit limit, then a file name too long): tags are limited to
  200 characters in sentinel and grafana-push.
* grafana-push read `changelog-json` from anywhere (`/etc/passwd`): it now stays in the workspace, as notify's does.
"""


def render(
    faults: dict[str, str], hostile: dict[str, str], action: dict[str, str], canary: dict[tuple[str, str], str]
) -> str:
    head = [
        "# Reliability and security, proven by tests",
        "",
        "<!-- Generated by tests/reliability/test_reliability_doc.py from tests/reliability/table.py and the",
        f"     outcomes of the tests it lists. Do not edit by hand: run `{REFRESH}`. -->",
        "",
        "Every row below is a test in `tests/reliability/`, run by `python3 tasks.py test` (and so by `.ci/run`). "
        "Injection-proof metadata (zizmor, regular and auditor personas, on every action.yml and workflow) is "
        "part of the same command. Start-up cost: [bench/results/startup.md](../bench/results/startup.md).",
        "",
    ]
    body = [*fault_section(faults), "", *hostile_section(hostile, action), "", *canary_section(canary)]
    return "\n".join([*head, *body, "", FINDINGS])


@pytest.mark.reliability_doc
def test_reliability_doc_matches_the_tests() -> None:
    faults = {f"{a.key}-{f.key}": outcome("test_fault_matrix.py::test_cell", f"{a.key}-{f.key}") for a, f in cells()}
    hostile = {
        f"{c.stage}-{c.key}": outcome("test_hostile_inputs.py::test_hostile_input", f"{c.stage}-{c.key}")
        for c in HOSTILE
    }
    action = {
        c.key: outcome("test_hostile_inputs.py::test_hostile_action_input", f"action-{c.key}") for c in ACTION_HOSTILE
    }
    canary = {
        (s, m): outcome("test_canaries.py::test_no_canary_leaks", f"{s}-{m}")
        for s in CANARY_STAGES
        for m in CANARY_MODES
    }
    every = [*faults.values(), *hostile.values(), *action.values(), *canary.values()]
    if None in every:
        pytest.skip("not every row ran in this session (a -k or file selection): the doc is checked on full runs")
    text = render(faults, hostile, action, canary)  # type: ignore[arg-type]
    if os.environ.get("SOVEREIGN_REFRESH_DOCS") == "1":
        DOC.write_text(text, encoding="utf-8")
    assert DOC.exists() and DOC.read_text(encoding="utf-8") == text, f"docs/reliability.md is stale: run `{REFRESH}`"
    assert "failed" not in every, "a row failed: see its test above"
