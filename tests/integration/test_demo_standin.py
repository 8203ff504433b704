"""The demo's ritual: every stage, the Grafana ones against the stand-in of Grafana's API
(scripts/grafana_standin.py), read by a person (no workflow commands) and by the runner."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import requests

from sovereign.console import PLAIN
from sovereign.gha import Step, execute
from sovereign.ritual import RITUAL

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from grafana_standin import SAYS, serve  # the stand-in ships in scripts/

TOKEN = "demo-token-for-the-stand-in"


@pytest.fixture
def grafana():
    with serve() as standin:
        yield standin


@pytest.fixture
def released(repo):
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("fix(api): second")
    repo.commit("feat!: third\n\nBREAKING CHANGE: gone")
    repo.tag("v1.1.0")
    return repo


def ritual(workspace: Path, grafana, step_env: dict[str, str], mode=None, verbose: bool = False):
    env = {
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": "example/sample",
        "SOVEREIGN_GRAFANA_API_KEY": TOKEN,
        **step_env,
    }
    flags = {
        "tag": "v1.1.0",
        "dry-run": "true",
        "verbose": "true" if verbose else "false",
        "grafana-url": grafana.base,
        "dashboard-uid": "release-overview",
    }
    lines: list[str] = []
    step = Step("ritual", env, out=lines.append, mode=mode)
    return execute(RITUAL, flags, env, step), lines


def test_the_standin_answers_as_grafana_documents(grafana):
    assert "not Grafana itself" in SAYS and "licence" in SAYS
    assert requests.get(f"{grafana.base}/api/health", timeout=5).json()["database"] == "ok"
    refused = requests.get(f"{grafana.base}/api/dashboards/uid/release-overview", timeout=5)
    assert refused.status_code == 401, "like Grafana, only health answers without a token"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    missing = requests.get(f"{grafana.base}/api/dashboards/uid/nope", headers=auth, timeout=5)
    assert (missing.status_code, missing.json()) == (404, {"message": "Dashboard not found"})
    created = requests.post(
        f"{grafana.base}/api/annotations", json={"tags": ["release", "a/b", "v1"], "time": 5}, headers=auth, timeout=5
    ).json()
    found = requests.get(
        f"{grafana.base}/api/annotations", params=[("tags", "release"), ("tags", "v1")], headers=auth, timeout=5
    ).json()
    assert [a["id"] for a in found] == [created["id"]], "a tag search matches annotations holding every tag"
    query = {"from": "0", "to": "1800000000000", "queries": [{"refId": "A", "expr": "sum(http_requests_total{job)"}]}
    frames = requests.post(f"{grafana.base}/api/ds/query", json=query, headers=auth, timeout=5).json()
    times = frames["results"]["A"]["frames"][0]["data"]["values"][0]
    assert max(times) == 1_800_000_000_000, "recorded points are moved into the range asked for"


def test_a_person_sees_every_stage_in_words(released, grafana):
    code, lines = ritual(released.path, grafana, {}, mode=PLAIN)
    assert code == 0, lines
    text = "\n".join(lines)
    assert not [line for line in lines if line.startswith("::")], "no workflow command reaches a person"
    for stage in ("sentinel", "changelog", "grafana-push", "grafana-snapshot", "notify"):
        assert f"── Sovereign {stage}" in lines
        assert any(line.startswith(f"ritual: {stage} ") and "success" in line for line in lines), stage
    assert "panel #1 Request rate: 2 frame(s) embedded" in text
    assert "warning: panel #11 CPU worker: no data embedded" in text
    assert any(line.startswith("slack (dry-run, not sent): ") and " blocks: header, " in line for line in lines)
    assert any(line.startswith("snapshot (dry-run, not created): ") for line in lines)
    assert not any(line.startswith('{"') for line in lines), "the full JSON only with --verbose"
    assert TOKEN not in text

    record = json.loads(
        (released.path / "sovereign-artifacts" / "grafana-snapshot-v1.1.0.json").read_text(encoding="utf-8")
    )
    assert record["dry_run"] is True and record["response"] is None
    assert sum(p["status"] == "embedded" for p in record["panels"]) == 6
    assert grafana.snapshots == [], "a dry-run reads Grafana and creates nothing"


def test_verbose_adds_the_payloads_in_full(released, grafana):
    code, lines = ritual(released.path, grafana, {}, mode=PLAIN, verbose=True)
    assert code == 0, lines
    start = lines.index(next(line for line in lines if line.startswith("slack (dry-run, not sent): ")))
    assert json.loads(lines[start + 1])["blocks"][0]["type"] == "header"


def test_the_runner_still_gets_workflow_commands(released, grafana):
    code, lines = ritual(released.path, grafana, {"GITHUB_ACTIONS": "true"})
    assert code == 0, lines
    assert "::group::Sovereign grafana-snapshot" in lines and "::endgroup::" in lines
    assert f"::add-mask::{TOKEN}" in lines
    assert any(line.startswith("slack: dry-run, would send ") and '"blocks"' in line for line in lines)
    assert any(line.startswith("::notice title=grafana-snapshot::dry-run: snapshot ") for line in lines)
    assert not any(line.startswith(("── ", "error: ", "warning: ", "notice: ")) for line in lines)
