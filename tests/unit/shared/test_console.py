"""Output for a person outside Actions, and the runner's log left exactly as it was inside."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sovereign import console, gha
from sovereign.console import ACTIONS, PLAIN, Mode, describe, detect
from sovereign.errors import SovereignError
from sovereign.gha import Stage, Step, execute

NOTIFY_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "notify"
TERMINAL = Mode(actions=False, terminal=True, colour=False)
COLOUR = Mode(actions=False, terminal=True, colour=True)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def person(mode: Mode = PLAIN, verbose: bool = False) -> tuple[Step, list[str], list[str]]:
    """A Step writing for a person; returns it, its lines and its raw (progress) writes."""
    lines: list[str] = []
    raw: list[str] = []
    return Step("demo", {}, verbose, lines.append, mode=mode, write=raw.append), lines, raw


def fixture(name: str) -> dict:
    return json.loads((NOTIFY_FIXTURES / name).read_text(encoding="utf-8"))


# -- who reads the log ------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "stream", "expected"),
    [
        ({"GITHUB_ACTIONS": "true"}, Tty(), ACTIONS),
        ({}, io.StringIO(), PLAIN),
        ({"GITHUB_ACTIONS": "false"}, io.StringIO(), PLAIN),
        ({}, Tty(), COLOUR),
        ({"NO_COLOR": "1"}, Tty(), TERMINAL),
        ({"TERM": "dumb"}, Tty(), TERMINAL),
        ({"NO_COLOR": ""}, Tty(), COLOUR),  # no-color.org: only a non-empty value turns colour off
    ],
    ids=["actions", "pipe", "actions-false", "terminal", "no-color", "dumb", "no-color-empty"],
)
def test_detect_decides_the_mode_once(environ, stream, expected):
    assert detect(environ, stream) == expected


def test_a_step_takes_its_mode_from_its_environment():
    assert Step("x", {"GITHUB_ACTIONS": "true"}).in_actions
    assert not Step("x", {}).in_actions
    assert Step("x", {}, mode=ACTIONS).in_actions, "a caller (or a test) may choose the mode"
    assert Step("x", {}, mode=COLOUR).child("y").style == COLOUR, "a stage in the ritual writes as the ritual does"


# -- words instead of workflow commands ----------------------------------------------


def test_error_warning_notice_read_as_words():
    step, lines, _ = person()
    step.error("the tag is not semver", "use v1.2.3")
    step.warning("Grafana is slow")
    step.notice("slack skipped", "set slack-webhook-url")
    assert lines == [
        "error: the tag is not semver — fix: use v1.2.3",
        "warning: Grafana is slow",
        "notice: slack skipped — fix: set slack-webhook-url",
    ]


def test_inside_actions_the_annotation_is_the_same_line_as_before():
    lines: list[str] = []
    step = Step("demo", {"GITHUB_ACTIONS": "true"}, out=lines.append)
    step.error("the tag is not semver", "use v1.2.3")
    step.warning("a\nb")
    assert lines == ["::error title=demo::the tag is not semver — use v1.2.3", "::warning title=demo::a%0Ab"]


def test_no_workflow_command_syntax_reaches_a_person():
    step, lines, _ = person(verbose=True)
    step.mask("hunter2-secret")
    with step.group("Sovereign sentinel"):
        step.info("title ::set-output name=x::y with hunter2-secret")
        step.debug("looked at hunter2-secret")
    step.error("boom")
    text = "\n".join(lines)
    assert "::add-mask::" not in text and "::group::" not in text and "::endgroup::" not in text
    assert "::stop-commands::" not in text and "::error" not in text
    assert "hunter2-secret" not in text, "redaction does not depend on the runner"
    assert lines == [
        "",
        "── Sovereign sentinel",
        "title ::set-output name=x::y with ***",
        "debug: looked at ***",
        "error: boom",
    ]


def test_execute_reports_a_failure_in_words():
    def fail(step: Step, inputs: gha.Inputs) -> None:
        raise SovereignError("dashboard abc not found", "check dashboard-uid")

    step, lines, _ = person()
    assert execute(Stage("demo", "d", (), fail), {}, {}, step) == 1
    assert lines == ["error: dashboard abc not found — fix: check dashboard-uid"]


def test_colour_only_when_asked():
    step, lines, _ = person(COLOUR)
    step.error("bad", "fix it")
    step.warning("hmm")
    with step.group("Title"):
        pass
    assert lines[0] == "\x1b[31;1merror:\x1b[0m bad — \x1b[1mfix:\x1b[0m fix it"
    assert lines[1] == "\x1b[33;1mwarning:\x1b[0m hmm"
    assert lines[3] == "\x1b[1m── Title\x1b[0m"
    step.warning("hostile \x1b[2J text")
    assert lines[-1] == "\x1b[33;1mwarning:\x1b[0m hostile ?[2J text", "only our own escapes get through"
    plain, plain_lines, _ = person(TERMINAL)
    plain.error("bad", "fix it")
    assert "\x1b" not in plain_lines[0]


def test_colour_never_in_the_runners_log():
    lines: list[str] = []
    Step("demo", {"GITHUB_ACTIONS": "true"}, out=lines.append, mode=ACTIONS).error("bad")
    assert "\x1b" not in lines[0]


# -- payloads summarised -----------------------------------------------------------------


def test_payloads_are_described_in_a_line():
    slack = fixture("slack-v1.4.0.json")
    size = len(json.dumps(slack, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    assert describe(slack) == f"{size:,} bytes, 11 blocks: header, 7 sections, divider, context, actions"
    assert describe(fixture("discord-v1.4.0.json")).endswith(" bytes, 1 embed with 5 fields")
    teams = describe(fixture("teams-v1.4.0.json"))
    assert teams.endswith(" bytes, Adaptive Card, 15 elements: Container, 14 RichTextBlocks")
    assert describe("a 1\nb 2\n") == "8 bytes, 2 lines"
    assert describe({"time": 1, "tags": ["a"], "text": "é"}) == "35 bytes, 3 fields: time, tags, text"
    snapshot = {"dashboard": {"title": "Ops", "panels": [{}, {}]}, "name": "n"}
    assert describe(snapshot).endswith("bytes, dashboard 'Ops' with 2 panels")


def test_a_person_gets_the_summary_and_the_file_the_runner_gets_the_old_lines(tmp_path):
    slack = fixture("slack-v1.4.0.json")
    saved = tmp_path / "notify-v1.4.0.json"
    step, lines, _ = person()
    step.payload("slack (dry-run, not sent)", slack, saved, actions=["slack: the whole body"])
    assert lines == [f"slack (dry-run, not sent): {describe(slack)} — saved to {console.relative(saved)}"]

    verbose, verbose_lines, _ = person(verbose=True)
    verbose.payload("slack", slack, saved, actions=["unused"])
    assert json.loads("\n".join(verbose_lines[1:])) == slack, "--verbose adds the full JSON"

    runner: list[str] = []
    Step("notify", {"GITHUB_ACTIONS": "true"}, out=runner.append).payload("slack", slack, saved, actions=["old line"])
    assert runner == ["old line"]


def test_relative_paths_inside_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert console.relative(tmp_path / "a" / "b.json") == str(Path("a") / "b.json")
    assert console.relative("/elsewhere/x.json") == "/elsewhere/x.json"


# -- progress ----------------------------------------------------------------------------


def test_progress_redraws_one_line_on_a_terminal():
    step, lines, raw = person(TERMINAL)
    step.progress("commits 100/5,000")
    step.progress("commits 200/5,000")
    step.info("done reading")
    step.progress("panel queries 1/2", final=True)
    assert raw == [
        "\r\x1b[Kcommits 100/5,000",
        "\r\x1b[Kcommits 200/5,000",
        "\r\x1b[K",  # cleared before an ordinary line
        "\r\x1b[Kpanel queries 1/2\n",
    ]
    assert lines == ["done reading"]


def test_progress_is_an_occasional_plain_line_when_not_a_terminal(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(gha.time, "monotonic", lambda: now[0])
    step, lines, raw = person(PLAIN)
    for seconds in (0, 3, 6, 11, 12):
        now[0] = 100.0 + seconds
        step.progress(f"waiting for test ({seconds}s of 10m)")
        step.info("an ordinary line does not make the same wait print again")
    step.progress("waiting for test (13s of 10m)", final=True)
    shown = [line for line in lines if line.startswith("waiting")]
    assert shown == ["waiting for test (0s of 10m)", "waiting for test (11s of 10m)", "waiting for test (13s of 10m)"]
    assert raw == [], "no carriage return in a file or a pipe"
    step.progress("commits 100")
    step.progress("waiting for test (14s of 10m)")
    assert lines[-2:] == ["commits 100", "waiting for test (14s of 10m)"], "another wait shows at once"


def test_progress_in_actions_keeps_the_log_as_it_was():
    lines: list[str] = []
    step = Step("demo", {"GITHUB_ACTIONS": "true"}, out=lines.append)
    step.progress("waiting for test (10s of 5m)")
    step.progress("waiting for test (10s of 5m)", log="required-checks: waiting 15s for 'test'")
    step.progress("pull requests: 100/300 commits looked up", debug=True)
    assert lines == ["required-checks: waiting 15s for 'test'"]
    step.verbose = True
    step.progress("pull requests: 200/300 commits looked up", debug=True)
    assert lines[-1] == "debug: pull requests: 200/300 commits looked up"


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (45, "45s"), (130, "2m10s"), (600, "10m"), (61, "1m01s")])
def test_durations_read_at_a_glance(seconds, text):
    assert console.duration(seconds) == text
    assert console.count(400, 5000) == "400/5,000" and console.count(7) == "7"
