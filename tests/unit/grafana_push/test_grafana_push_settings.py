"""grafana-push's inputs resolved once into Settings, and the core run from Settings alone."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pytest
import responses

from sovereign.errors import SovereignError, UsageError
from sovereign.gha import Secret, Step, execute, resolve
from sovereign.grafana_push import core, stage
from sovereign.grafana_push.formats import Release
from sovereign.grafana_push.metrics import Metric
from sovereign.grafana_push.settings import AnnotationSettings, MetricsSettings, Settings
from sovereign.grafana_push.stage import STAGE, read_settings

INFLUX = "http://127.0.0.1:8086/write?db=releases"
TOKEN = "glc_Metrics-Token-abcdef123456"
KEY = "glsa_Grafana-Key-abcdef123456"
CHANGELOG = {
    "schema": "sovereign.changelog/v1",
    "tag": "v1.2.3",
    "previous_tag": "v1.2.2",
    "repository": "octo/widget",
    "sections": [],
    "breaking": [],
    "security": [],
    "contributors": ["ada"],
    "stats": {"commits": 5, "prs": 2},
}


def environ(tmp_path: Path) -> dict[str, str]:
    return {"GITHUB_WORKSPACE": str(tmp_path), "GITHUB_REPOSITORY": "octo/widget", "GITHUB_ACTIONS": "true"}


def settings_for(tmp_path: Path, **flags: str) -> Settings:
    env = environ(tmp_path)
    return read_settings(resolve(STAGE.inputs, env, {"tag": "v1.2.3", **flags}), env)


# -- resolution ------------------------------------------------------------------------


def test_every_input_becomes_a_typed_value(tmp_path):
    (tmp_path / "changelog.json").write_text(json.dumps(CHANGELOG), encoding="utf-8")
    settings = settings_for(
        tmp_path,
        **{
            "grafana-url": "https://grafana.example",
            "grafana-api-key": KEY,
            "annotation-tags": "prod, eu\n",
            "annotation-text": "  shipped  ",
            "changelog-json": "changelog.json",
            "metrics": 'deploy{env="prod"} 3\n# a comment\nbuild=12',
            "metrics-url": INFLUX,
            "metrics-user": "123456",
            "metrics-token": TOKEN,
            "artifacts-dir": "out/reports",
        },
    )
    assert (settings.tag, settings.repository, settings.dry_run) == ("v1.2.3", "octo/widget", False)
    assert settings.changelog is not None and settings.changelog["stats"]["commits"] == 5
    marker = settings.annotation
    assert marker.enabled and marker.grafana_url == "https://grafana.example" and marker.dashboard_uid == ""
    assert marker.extra_tags == ("prod", "eu") and marker.text == "shipped"
    wanted = settings.metrics
    assert (wanted.format, wanted.url, wanted.user, wanted.job) == ("influx", INFLUX, "123456", "sovereign")
    assert [(m.name, m.labels, m.value) for m in wanted.given] == [
        ("deploy", (("env", "prod"),), 3),
        ("build", (), 12),
    ]
    assert isinstance(wanted.token, Secret) and wanted.token.reveal() == TOKEN
    assert isinstance(marker.api_key, Secret) and marker.api_key.reveal() == KEY
    assert settings.artifacts_dir == tmp_path.resolve() / "out" / "reports"
    assert TOKEN not in repr(settings) and KEY not in repr(settings)
    with pytest.raises(FrozenInstanceError):
        settings.tag = "v9"  # type: ignore[misc]


def test_defaults_and_a_dry_run_need_no_url(tmp_path):
    settings = settings_for(tmp_path, **{"dry-run": "true", "annotation": "false", "metrics-job": ""})
    assert settings.dry_run and not settings.annotation.enabled
    assert settings.changelog is None and settings.metrics.given == ()
    assert (settings.metrics.format, settings.metrics.job) == ("influx", "sovereign")
    assert settings.artifacts_dir == tmp_path.resolve() / "sovereign-artifacts"


@pytest.mark.parametrize(
    ("flags", "error"),
    [
        ({"dry-run": "perhaps"}, "input 'dry-run' must be a boolean, got 'perhaps'"),
        ({"tag": "v1 2"}, "input 'tag' 'v1 2' is not a usable release tag"),
        ({"grafana-url": "ftp://grafana.example"}, "input 'grafana-url'"),
        ({"changelog-json": "missing.json"}, "input 'changelog-json': file"),
        ({"metrics-format": "statsd"}, "input 'metrics-format' is 'statsd', which is not a known format"),
        ({"metrics-url": "http://metrics.example/write"}, "input 'metrics-url' uses http:// for a non-loopback host"),
        ({"metrics": "ok 1\nbroken line"}, "input 'metrics' line 2 'broken line' does not parse"),
        ({"metrics-user": "me"}, "input 'metrics-user' is set but 'metrics-token' is empty"),
        ({"metrics": "x 1", "metrics-url": ""}, "input 'metrics' is set but 'metrics-url' is empty"),
        ({"grafana-url": "", "metrics-url": ""}, "nothing to do: neither grafana-url nor metrics-url is set"),
        ({"grafana-api-key": ""}, "input 'grafana-api-key' is empty"),
        ({"artifacts-dir": "../outside"}, "input 'artifacts-dir' '../outside' points outside the workspace"),
    ],
)
def test_a_bad_input_fails_while_resolving(tmp_path, flags, error):
    good = {"grafana-url": "https://grafana.example", "grafana-api-key": KEY, "metrics-url": INFLUX}
    with pytest.raises(SovereignError) as raised:
        settings_for(tmp_path, **{**good, **flags})
    assert error in f"{raised.value}"


def test_a_bad_flag_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="input 'annotation' must be a boolean"):
        settings_for(tmp_path, **{"annotation": "maybe", "dry-run": "true"})


def test_with_several_bad_inputs_the_first_checked_is_reported(tmp_path):
    with pytest.raises(SovereignError, match="is not a usable release tag"):
        settings_for(tmp_path, **{"tag": "-v1", "metrics-format": "statsd", "artifacts-dir": "../x"})


@pytest.mark.parametrize(
    "flags",
    [
        {"metrics-format": "statsd"},
        {"metrics": "broken line"},
        {"artifacts-dir": "../outside"},
        {"grafana-api-key": ""},
    ],
)
@responses.activate
def test_bad_input_stops_the_stage_before_the_core_runs(tmp_path, monkeypatch, flags):
    """No git read, no HTTP call: the core is never reached."""
    started: list[Settings] = []
    monkeypatch.setattr(stage, "publish", lambda step, settings: started.append(settings))
    lines: list[str] = []
    env = environ(tmp_path)
    cli = {"tag": "v1.2.3", "grafana-url": "https://grafana.example", "grafana-api-key": KEY, "metrics-url": INFLUX}
    code = execute(STAGE, {**cli, **flags}, env, Step("grafana-push", env, out=lines.append))
    assert code == 1
    assert [line for line in lines if line.startswith("::error")], lines
    assert not started and not responses.calls


def test_good_input_reaches_the_core_as_settings(tmp_path, monkeypatch):
    started: list[Settings] = []
    monkeypatch.setattr(stage, "publish", lambda step, settings: started.append(settings))
    env = environ(tmp_path)
    assert execute(STAGE, {"tag": "v1.2.3", "dry-run": "true"}, env, Step("grafana-push", env, out=print)) == 0
    [settings] = started
    assert isinstance(settings, Settings) and settings.dry_run


# -- the core, from Settings alone ---------------------------------------------------------


def plain_settings(tmp_path: Path) -> Settings:
    """Built by hand: no Inputs, no runner interface."""
    return Settings(
        tag="v1.2.3",
        repository="octo/widget",
        dry_run=True,
        changelog=None,
        annotation=AnnotationSettings(
            enabled=True, grafana_url="", api_key=Secret(""), dashboard_uid="main", extra_tags=("prod",), text=""
        ),
        metrics=MetricsSettings(
            format="prometheus",
            url="http://127.0.0.1:9091",
            given=(Metric("deploys", "value", 3, (("env", "prod"),), origin="metrics line 1"),),
            user="",
            token=Secret(TOKEN),
            job="ship",
        ),
        artifacts_dir=tmp_path / "reports",
    )


@responses.activate
def test_publish_in_a_dry_run_shows_both_requests_and_sends_nothing(tmp_path):
    lines: list[str] = []
    step = Step("grafana-push", environ(tmp_path), out=lines.append)
    core.publish(step, plain_settings(tmp_path))
    assert not responses.calls
    log = "\n".join(lines)
    assert "dry-run: would POST <grafana-url>/api/annotations (dashboard main):" in log
    assert "dry-run: would PUT http://127.0.0.1:9091/metrics/job/ship/repository@base64/" in log
    assert 'deploys{env="prod"} 3' in log
    assert step.outputs["annotation-id"] == "" and step.outputs["metrics-count"] == "1"
    report = json.loads((tmp_path / "reports" / "grafana-push-v1.2.3.json").read_text())
    assert report["annotation"]["body"]["tags"] == ["release", "octo/widget", "v1.2.3", "prod"]
    assert report["metrics"]["sent"] is False and TOKEN not in json.dumps(report)


@responses.activate
def test_publish_pushes_with_the_settings_credentials(tmp_path):
    group = "http://127.0.0.1:9091/metrics/job/ship/repository@base64/b2N0by93aWRnZXQ=/tag/v1.2.3"
    responses.put(group, status=200)
    settings = plain_settings(tmp_path)
    settings = replace(settings, dry_run=False, annotation=replace(settings.annotation, enabled=False))
    step = Step("grafana-push", environ(tmp_path), out=lambda line: None)
    core.publish(step, settings)
    [call] = responses.calls
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert step.outputs["metrics-count"] == "1"


def test_plan_refuses_what_the_format_cannot_carry(tmp_path):
    wanted = replace(
        plain_settings(tmp_path).metrics, given=(Metric("deploy.time", "value", 3, origin="metrics line 1"),)
    )
    release = Release("octo/widget", "v1.2.3", 0.0)
    with pytest.raises(
        SovereignError, match=r"metric deploy\.time \(metrics line 1\) is not a valid Prometheus metric name"
    ):
        core.plan_metrics(wanted, [], release)
