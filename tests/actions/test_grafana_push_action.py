"""The grafana-push action, run as the runner runs it (bootstrap included).

Grafana is a scripted server on a real loopback socket; the metrics endpoint is
the real Pushgateway when it is installed (tests/integration covers it fully).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest
import requests
from localserver import Reply, Seen, free_port, serve

KEY = "glsa_Action-Secret-Key-9876543210"
CHANGELOG = {
    "schema": "sovereign.changelog/v1",
    "tag": "v1.2.3",
    "previous_tag": "v1.2.2",
    "repository": "octo/widget",
    "compare_url": "https://github.com/octo/widget/compare/v1.2.2...v1.2.3",
    "sections": [],
    "breaking": [],
    "security": [],
    "contributors": ["ada", "grace"],
    "stats": {"commits": 7, "prs": 3},
}


def fake_grafana(existing: list[dict]):
    """GET /api/annotations answers ``existing``; POST creates id 41; PUT updates."""

    def reply(seen: Seen) -> Reply:
        if seen.method == "GET" and seen.path.startswith("/api/annotations?"):
            return Reply(200, json.dumps(existing).encode())
        if seen.method == "POST" and seen.path == "/api/annotations":
            return Reply(200, b'{"message": "Annotation added", "id": 41}')
        if seen.method == "PUT" and seen.path.startswith("/api/annotations/"):
            return Reply(200, b'{"message": "Annotation updated"}')
        return Reply(404, b'{"message": "not found"}')

    return serve(reply)


def test_dry_run_needs_no_url_and_no_credentials(action, tmp_path):
    workspace = tmp_path / "workspace"  # the action fixture's workspace
    workspace.mkdir(exist_ok=True)
    (workspace / "changelog-v1.2.3.json").write_text(json.dumps(CHANGELOG), encoding="utf-8")
    result = action(
        "grafana-push",
        {"tag": "v1.2.3", "dry-run": "true", "changelog-json": "changelog-v1.2.3.json", "metrics": "deploys 1"},
        workspace=workspace,
    )
    assert result.returncode == 0, result.log
    assert "dry-run: would POST <grafana-url>/api/annotations (organisation-wide):" in result.stdout
    assert "sovereign_release,repository=octo/widget,tag=v1.2.3 commits=7i,pull_requests=3i" in result.stdout
    assert result.outputs["annotation-id"] == ""
    assert result.outputs["metrics-count"] == "6"
    report = json.loads((workspace / "sovereign-artifacts" / "grafana-push-v1.2.3.json").read_text())
    assert report["dry_run"] is True and report["annotation"]["body"]["tags"] == ["release", "octo/widget", "v1.2.3"]
    assert "(dry-run: nothing sent)" in result.summary
    assert result.env_file == {} and result.path_file == ""


def test_annotation_is_created_then_updated_on_a_rerun(action):
    with fake_grafana([]) as (url, script):
        first = action("grafana-push", {"tag": "v1.2.3", "grafana-url": url, "grafana-api-key": KEY})
    assert first.returncode == 0, first.log
    assert first.outputs["annotation-id"] == "41"
    assert [s.method for s in script.seen] == ["GET", "POST"]
    assert script.seen[1].headers["Authorization"] == f"Bearer {KEY}"
    assert f"::add-mask::{KEY}" in first.stdout, "the key is masked before anything else"
    assert KEY not in first.stdout.replace(f"::add-mask::{KEY}", "")

    placed = {"id": 41, "dashboardUID": "", "dashboardId": 0, "time": 1_700_000_000_000, "timeEnd": 1_700_000_000_000}
    with fake_grafana([{**placed, "tags": ["release", "octo/widget", "v1.2.3"]}]) as (url, script):
        again = action("grafana-push", {"tag": "v1.2.3", "grafana-url": url, "grafana-api-key": KEY})
    assert again.returncode == 0, again.log
    assert [s.method for s in script.seen] == ["GET", "PUT"], "a re-run never stacks a second marker"
    assert json.loads(script.seen[1].body)["time"] == 1_700_000_000_000
    assert again.outputs["annotation-id"] == "41"


def test_grafana_refusal_is_one_error_line_without_the_key(action):
    with serve([Reply(401, b'{"message": "Invalid API key"}')]) as (url, _):
        result = action("grafana-push", {"tag": "v1.2.3", "grafana-url": url, "grafana-api-key": KEY})
    assert result.returncode == 1
    assert result.errors == [
        "::error title=grafana-push::Grafana rejected the token for searching for this release's annotation "
        "(Invalid API key) — check grafana-api-key: a service-account token that has not expired"
    ]
    assert "Traceback" not in result.log
    assert KEY not in result.stdout.replace(f"::add-mask::{KEY}", "")


def test_bad_metric_line_fails_before_anything_is_sent(action):
    with fake_grafana([]) as (url, script):
        result = action(
            "grafana-push",
            {"tag": "v1.2.3", "grafana-url": url, "grafana-api-key": KEY, "metrics": "ok 1\nnot a metric"},
        )
    assert result.returncode == 1
    assert len(result.errors) == 1 and "input 'metrics' line 2 'not a metric' does not parse" in result.errors[0]
    assert script.seen == []


def test_metrics_reach_a_real_pushgateway(action, tmp_path):
    binary = shutil.which("prometheus-pushgateway")
    if binary is None:
        pytest.skip("prometheus-pushgateway is not installed: run scripts/install-test-servers.sh")
    address = f"127.0.0.1:{free_port()}"
    log = (tmp_path / "pushgateway.log").open("wb")
    gateway = subprocess.Popen([binary, f"--web.listen-address={address}"], stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                if requests.get(f"http://{address}/-/ready", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        result = action(
            "grafana-push",
            {
                "tag": "v1.2.3",
                "annotation": "false",
                "metrics-url": f"http://{address}",
                "metrics-format": "prometheus",
                "metrics": 'deploy_seconds{env="prod"} 12.5',
            },
        )
        assert result.returncode == 0, result.log
        assert result.outputs["metrics-count"] == "1"
        scraped = requests.get(f"http://{address}/metrics", timeout=5).text
        assert (
            'deploy_seconds{env="prod",instance="",job="sovereign",repository="octo/widget",tag="v1.2.3"} 12.5'
            in scraped.splitlines()
        )
    finally:
        gateway.terminate()
        gateway.wait(timeout=10)
        log.close()


def test_a_lost_answer_on_creating_the_annotation_says_it_may_exist(action):
    def reply(seen: Seen) -> Reply:
        if seen.method == "GET":
            return Reply(200, b"[]")
        return Reply(reset="before")  # the POST arrived; its answer never leaves

    with serve(reply) as (url, script):
        result = action("grafana-push", {"tag": "v1.2.3", "grafana-url": url, "grafana-api-key": KEY})
    assert result.returncode == 1, result.log
    assert [s.method for s in script.seen] == ["GET", "POST"], "the create is never sent twice"
    assert result.errors == [
        "::error title=grafana-push::Grafana (creating the release annotation) dropped the connection before "
        "answering — the release annotation for octo/widget may have been created anyway; re-running is safe: "
        "it finds that annotation by its tags and updates it"
    ]


def test_dry_run_with_grafana_unreachable_still_shows_the_whole_request(action):
    port = free_port()  # nothing listens there
    result = action(
        "grafana-push",
        {"tag": "v1.2.3", "dry-run": "true", "grafana-url": f"http://127.0.0.1:{port}", "grafana-api-key": KEY},
    )
    assert result.returncode == 0, result.log
    [warning] = [line for line in result.stdout.splitlines() if line.startswith("::warning")]
    assert f"could not read Grafana at 127.0.0.1:{port}" in warning
    assert "whether the annotation would be created or updated is unknown" in warning
    assert f"dry-run: would POST http://127.0.0.1:{port}/api/annotations (organisation-wide), or PUT" in result.stdout
    assert '"release",' in result.stdout and '"octo/widget",' in result.stdout, "the full payload is shown"
    assert "Annotation: would create or update" in result.summary
    assert result.errors == []
