"""grafana-snapshot's inputs read into Settings once, before any request; the core driven by Settings alone."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
import responses

from sovereign.errors import SovereignError
from sovereign.gha import Secret, Step, execute, resolve
from sovereign.grafana_snapshot import snapshot as core
from sovereign.grafana_snapshot import stage
from sovereign.grafana_snapshot.settings import Settings, check
from sovereign.grafana_snapshot.timerange import TimeRange

GRAFANA = "https://grafana.example.com"
TOKEN = "glsa_0123456789abcdef0123456789abcdef_0a1b2c3d"
NOW = 1_779_451_200_000  # 2026-05-22T12:00:00Z
SMALL = {
    "dashboard": {
        "uid": "small",
        "title": "Small",
        "panels": [{"id": 1, "type": "timeseries", "title": "Up", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0}}],
    },
    "meta": {},
}


def environ(workspace: Path, **extra: str) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",  # the log as the runner reads it
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REF": "refs/tags/v1.2.3",
        "GITHUB_REF_NAME": "v1.2.3",
        "SOVEREIGN_GRAFANA_URL": GRAFANA,
        "SOVEREIGN_GRAFANA_API_KEY": TOKEN,
        "SOVEREIGN_DASHBOARD_UID": "small",
        **extra,
    }


def read(workspace: Path, cli: dict[str, str | None] | None = None, **env: str) -> Settings:
    values = environ(workspace, **env)
    return stage.read_settings(resolve(stage.STAGE.inputs, values, cli or {}), values, NOW)


def settings_for(workspace: Path, **changes: object) -> Settings:
    """Settings built by hand, as a core function's caller would: no runner, no Inputs."""
    plain = Settings(
        tag="v1.2.3",
        url=GRAFANA,
        uid="small",
        api_key=Secret(TOKEN),
        name="",
        time_from="now-6h",
        time_to="now",
        expires=0,
        embed_data=False,
        health_probe=False,
        external=False,
        render_png=False,
        dry_run=False,
        artifacts_dir=workspace / "sovereign-artifacts",
    )
    return dataclasses.replace(plain, **changes)


def test_inputs_become_typed_frozen_settings(tmp_path):
    settings = read(tmp_path, {"expires": "3600", "external": "true", "artifacts-dir": "out"})
    expected = settings_for(
        tmp_path,
        expires=3600,
        external=True,
        embed_data=True,  # the defaults of the stage's inputs
        health_probe=True,
        api_key=settings.api_key,  # a Secret compares by identity
        artifacts_dir=tmp_path.resolve() / "out",
    )
    assert settings == expected
    assert settings.api_key.reveal() == TOKEN
    assert TOKEN not in repr(settings)  # a Secret stays a Secret
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.uid = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("cli", "env", "code", "error"),
    [
        (
            {"dashboard-uid": "../admin"},
            {},
            1,
            "input 'dashboard-uid' '../admin' is not a Grafana dashboard UID — copy the UID from the dashboard's "
            "URL (/d/<uid>/...): letters, digits, - and _, at most 40",
        ),
        (
            {"dashboard-uid": ""},
            {},
            1,
            "input 'dashboard-uid' is required but empty — set it with `dashboard-uid:` in the workflow, "
            "SOVEREIGN_DASHBOARD_UID or --dashboard-uid",
        ),
        (
            {"time-from": "yesterday"},
            {},
            1,
            "input 'time-from' 'yesterday' is not a time Grafana understands — use now, now-6h, now-1d/d, now/w, "
            "epoch milliseconds or an ISO date such as 2024-05-01T12:00:00Z",
        ),
        (
            {"expires": "-5"},
            {},
            1,
            "input 'expires' must be a whole number ≥ 0, got '-5' — give it as plain digits, e.g. expires: 60",
        ),
        (
            {"embed-data": "maybe"},
            {},
            2,
            "input 'embed-data' must be a boolean, got 'maybe' — use true or false (True/TRUE/False/FALSE also accepted)",
        ),
        (
            {},
            {"SOVEREIGN_GRAFANA_API_KEY": ""},
            1,
            "input 'grafana-api-key' is required to create a snapshot — pass a service-account token (Viewer on the "
            "dashboard, may create snapshots): see the README",
        ),
        (
            {"grafana-url": "http://grafana.example.com"},
            {},
            1,
            "input 'grafana-url' uses http:// for a non-loopback host (grafana.example.com) — use https:// (plain "
            "http is only allowed for localhost, 127.0.0.0/8 and [::1])",
        ),
        (
            {"artifacts-dir": "../elsewhere"},
            {},
            1,
            "input 'artifacts-dir' '../elsewhere' points outside the workspace {workspace} — use a relative path "
            "such as sovereign-artifacts",
        ),
        (
            {"tag": "", "dry-run": "true"},
            {"GITHUB_REF": "refs/heads/main"},
            1,
            "input 'tag' is required: GITHUB_REF is 'refs/heads/main', not a tag ref — pass --tag vX.Y.Z (or `tag:` "
            "in the workflow), or run on a tag push",
        ),
    ],
    ids=["uid", "uid-empty", "time", "expires", "boolean", "token", "http", "artifacts-dir", "tag"],
)
@responses.activate
def test_bad_input_fails_with_its_error_before_any_request(tmp_path, monkeypatch, cli, env, code, error):
    monkeypatch.setattr(stage, "clock", lambda: NOW / 1000)
    for method in (responses.GET, responses.POST):  # Grafana answers everything: any request would be seen
        responses.add(method, re.compile(".*"), json={})
    lines: list[str] = []
    values = environ(tmp_path, **env)
    assert execute(stage.STAGE, cli, values, Step("grafana-snapshot", values, out=lines.append)) == code
    errors = [line for line in lines if line.startswith("::error")]
    assert errors == [f"::error title=grafana-snapshot::{error.format(workspace=tmp_path.resolve())}"]
    assert len(responses.calls) == 0
    assert not (tmp_path / "sovereign-artifacts").exists()


def test_check_refuses_settings_built_without_the_runner(tmp_path):
    with pytest.raises(SovereignError, match="is not a Grafana dashboard UID"):
        check(settings_for(tmp_path, uid="a/b"), NOW)
    with pytest.raises(SovereignError, match="is empty or reversed"):
        check(settings_for(tmp_path, time_from="now", time_to="now-1h"), NOW)
    assert check(settings_for(tmp_path, api_key=Secret(""), dry_run=True), NOW).dry_run  # a dry-run needs no token


@responses.activate
def test_the_core_takes_settings_and_no_inputs(tmp_path):
    """snapshot.snapshot from hand-built Settings: reads, posts the model, writes where the settings say."""
    responses.get(f"{GRAFANA}/api/dashboards/uid/small", json=SMALL)
    responses.get(f"{GRAFANA}/api/frontend/settings", json={"buildInfo": {"version": "11.3.0"}})
    responses.post(f"{GRAFANA}/api/snapshots", json={"key": "k1", "url": f"{GRAFANA}/dashboard/snapshot/k1"})
    settings = settings_for(tmp_path, name="Nightly", expires=60, artifacts_dir=tmp_path / "out")
    lines: list[str] = []
    step = Step("grafana-snapshot", {}, out=lines.append)

    core.snapshot(step, settings, NOW)

    posted = json.loads(responses.calls[-1].request.body)
    assert (posted["name"], posted["expires"], posted["external"]) == ("Nightly", 60, False)
    assert posted["dashboard"]["time"] == {"from": "2026-05-22T06:00:00.000Z", "to": "2026-05-22T12:00:00.000Z"}
    assert step.outputs["snapshot-url"] == f"{GRAFANA}/dashboard/snapshot/k1"
    assert step.outputs["snapshot-file"] == str(tmp_path / "out" / "grafana-snapshot-v1.2.3.json")
    assert json.loads(Path(step.outputs["snapshot-file"]).read_text())["dashboard_uid"] == "small"


def test_the_summary_is_built_from_settings(tmp_path):
    time_range = TimeRange(NOW - 3_600_000, NOW, "now-1h", "now")
    summary = core.render_summary(
        settings_for(tmp_path, dry_run=True, expires=0),
        "Release v1.2.3",
        [],
        snapshot_url="",
        time_range=time_range,
        png="",
    )
    assert "Snapshot **Release v1.2.3** was not created (dry-run)" in summary
    assert "expires: never" in summary
