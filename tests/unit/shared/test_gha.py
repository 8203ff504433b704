"""The runner interface: input resolution, booleans, masking, fencing, outputs."""

from __future__ import annotations

import pytest
from harness import parse_command_file

from sovereign.errors import SovereignError, UsageError
from sovereign.gha import COMMON_INPUTS, Input, Secret, Stage, Step, execute, quote, release_tag, resolve

SPEC = (
    Input("tag", "t"),
    Input("github-token", "tok", secret=True, env_fallbacks=("GITHUB_TOKEN",), aliases=("--token",)),
    Input("repository", "r", env_fallbacks=("GITHUB_REPOSITORY",)),
    *COMMON_INPUTS,
)


IN_ACTIONS = {"GITHUB_ACTIONS": "true"}  # the log as the runner reads it


def lines_of(step_lines: list[str]) -> str:
    return "\n".join(step_lines)


def make_step(env: dict[str, str] | None = None) -> tuple[Step, list[str]]:
    lines: list[str] = []
    return Step("test", env or {}, out=lines.append), lines


def test_later_source_wins():
    env = {"GITHUB_REPOSITORY": "a/env-fallback", "SOVEREIGN_REPOSITORY": "b/env"}
    assert resolve(SPEC, env, {}).raw("repository") == "b/env"
    assert resolve(SPEC, env, {"repository": "c/flag"}).raw("repository") == "c/flag"
    assert resolve(SPEC, {"GITHUB_REPOSITORY": "a/x"}, {}).raw("repository") == "a/x"
    assert resolve(SPEC, {}, {}).raw("dry-run") == "false"
    assert resolve(SPEC, {"SOVEREIGN_DRY_RUN": ""}, {}).raw("dry-run") == "false", "empty env = not given"


@pytest.mark.parametrize("value", ["true", "True", "TRUE"])
def test_true_spellings(value):
    assert resolve(SPEC, {"SOVEREIGN_DRY_RUN": value}, {}).flag("dry-run") is True


@pytest.mark.parametrize("value", ["false", "False", "FALSE"])
def test_false_spellings(value):
    assert resolve(SPEC, {"SOVEREIGN_DRY_RUN": value}, {}).flag("dry-run") is False


@pytest.mark.parametrize("value", ["yes", "1", "tRue", "on", "true\n--x"])
def test_other_boolean_spellings_are_usage_errors(value):
    with pytest.raises(UsageError, match="input 'dry-run' must be a boolean"):
        resolve(SPEC, {"SOVEREIGN_DRY_RUN": value}, {}).flag("dry-run")


def test_integer_and_items():
    spec = (Input("n", "n"), Input("files", "f"))
    inputs = resolve(spec, {"SOVEREIGN_N": "30", "SOVEREIGN_FILES": "a.toml, b.json\nVERSION\n\n"}, {})
    assert inputs.integer("n") == 30
    assert inputs.items("files") == ["a.toml", "b.json", "VERSION"]
    with pytest.raises(SovereignError, match="whole number"):
        resolve(spec, {"SOVEREIGN_N": "-1"}, {}).integer("n")
    with pytest.raises(SovereignError, match="whole number"):
        resolve(spec, {"SOVEREIGN_N": "٣"}, {}).integer("n")


def test_required_input_is_checked_in_python():
    spec = (Input("grafana-url", "u", required=True),)
    with pytest.raises(SovereignError, match="input 'grafana-url' is required"):
        resolve(spec, {}, {}).text("grafana-url")


def test_secret_hides_itself():
    secret = Secret("ghp_supersecret")
    assert "ghp_" not in repr(secret) and "ghp_" not in str(secret) and "ghp_" not in f"{secret}"
    assert secret.reveal() == "ghp_supersecret"


def test_mask_in_actions_comes_first_and_redacts_everywhere(tmp_path):
    output = tmp_path / "out"
    output.write_text("")
    summary = tmp_path / "summary"
    step, lines = make_step(
        {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    )
    step.mask("s3cr3t-token\nsecond-line")
    assert lines == ["::add-mask::s3cr3t-token", "::add-mask::second-line"]
    lines.clear()
    step.info("token is s3cr3t-token")
    step.error("bad s3cr3t-token")
    step.set_output("leak", "x s3cr3t-token y")
    step.summary("summary s3cr3t-token")
    text = lines_of(lines) + output.read_text() + summary.read_text()
    assert "s3cr3t-token" not in text
    assert parse_command_file(output) == {"leak": "x *** y"}


def test_no_add_mask_line_outside_actions():
    step, lines = make_step({})
    step.mask("s3cr3t-token")
    assert lines == [], "on a laptop ::add-mask:: would print the secret itself"
    step.info("s3cr3t-token")
    assert lines == ["***"]


def test_untrusted_text_is_fenced_against_workflow_commands():
    step, lines = make_step(IN_ACTIONS)
    step.info("title ::set-output name=x::y\n::error::fake")
    assert lines[0].startswith("::stop-commands::") and len(lines[0]) > len("::stop-commands::") + 16
    token = lines[0].removeprefix("::stop-commands::")
    assert lines[-1] == f"::{token}::"
    step.info("##[error]legacy")
    assert lines[-3].startswith("::stop-commands::")


def test_annotation_is_one_line():
    step, lines = make_step(IN_ACTIONS)
    step.error("line one\nline two\r\n::warning::x")
    assert len(lines) == 1 and lines[0].startswith("::error title=test::line one%0Aline two")


def test_output_delimiter_is_random(tmp_path):
    output = tmp_path / "out"
    output.write_text("")
    step, _ = make_step({"GITHUB_OUTPUT": str(output)})
    step.set_output("a", "1\nEOF\nb=2")
    step.set_output("b", "2")
    text = output.read_text()
    delimiters = [line.split("<<", 1)[1] for line in text.splitlines() if "<<" in line]
    assert len(set(delimiters)) == 2 and all(len(d) > 20 for d in delimiters)
    assert parse_command_file(output) == {"a": "1\nEOF\nb=2", "b": "2"}


def test_debug_only_when_verbose():
    step, lines = make_step({})
    step.debug("hidden")
    step.verbose = True
    step.debug("shown")
    assert lines == ["debug: shown"]


def test_quote_makes_invisible_characters_visible():
    assert quote("v1\n") == "'v1\\n'"
    assert quote("a\u202eb") == "'a\\u202eb'"
    assert quote("x" * 500).endswith("…'")


def test_release_tag_from_ref():
    inputs = resolve(SPEC, {}, {})
    assert release_tag(inputs.raw("tag"), {"GITHUB_REF": "refs/tags/v1.0.0", "GITHUB_REF_NAME": "v1.0.0"}) == "v1.0.0"
    with pytest.raises(SovereignError, match="not a tag ref"):
        release_tag(inputs.raw("tag"), {"GITHUB_REF": "refs/heads/main"})


def _stage(main) -> Stage:
    return Stage("demo", "d", SPEC[:3], main)


def test_execute_exit_codes_and_no_traceback():
    def boom(step, inputs):
        raise RuntimeError("kaboom with s3cr3t-token")

    lines: list[str] = []
    env = {"SOVEREIGN_GITHUB_TOKEN": "s3cr3t-token"}
    assert execute(_stage(boom), {}, env, Step("demo", env, out=lines.append)) == 1
    assert len(lines) == 1 and "internal error: RuntimeError" in lines[0] and "s3cr3t" not in lines[0]

    def usage(step, inputs):
        inputs.flag("dry-run")

    lines.clear()
    assert execute(_stage(usage), {"dry-run": "maybe"}, {}, Step("demo", {}, out=lines.append)) == 2

    def ok(step, inputs):
        step.info("fine")

    assert execute(_stage(ok), {}, {}, Step("demo", {}, out=lines.append)) == 0
