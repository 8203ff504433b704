"""Secret-leak canaries: every stage, in success, failure, dry-run and verbose runs, with
canary secrets; no canary, nor its base64 or URL-encoded form, may appear anywhere the
run leaves text: stdout, stderr, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, the artifacts.

The services are one hostile local server: it echoes the Authorization header it got
(and, on failures, the request path, where webhook secrets live) back in its answers.
Runs happen as processes with GITHUB_ACTIONS=true, so ``::add-mask::`` lines are printed:
exactly those lines are exempt, and they must come before any other output.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from gitfactory import RepoBuilder
from localserver import Reply, Seen, serve
from table import CANARY_MODES, CANARY_STAGES

from sovereign.cli import available

ROOT = Path(__file__).resolve().parents[2]
GITHUB_TOKEN = "ghp_CANARYgithub0123456789abcdefABCDEF"
GRAFANA_KEY = "glsa_CANARYgrafana0123456789abcdef_0a1b2c3d"
METRICS_TOKEN = "glc_CANARYmetrics0123456789abcdefXYZ"
METRICS_USER = "123456"
DELETE_KEY = "CANARYdeletekey0123456789abcdefgh"
HOOK_PATHS = {
    "slack": "/services/T000/B000/CANARYslack0123456789ab",
    "discord": "/api/webhooks/1234/CANARYdiscord0123456789ab",
    "teams": "/workflows/run/CANARYteams0123456789ab",
}


def canary_forms(base_url: str) -> dict[str, str]:
    """Every secret in every form that would betray it, named for the failure message."""
    secrets = {"github-token": GITHUB_TOKEN, "grafana-api-key": GRAFANA_KEY, "metrics-token": METRICS_TOKEN}
    secrets["snapshot delete key"] = DELETE_KEY
    for channel, path in HOOK_PATHS.items():
        secrets[f"{channel} webhook path"] = path.rsplit("/", 1)[1]
        secrets[f"{channel} webhook URL"] = base_url + path
    forms = {}
    for name, value in secrets.items():
        forms[name] = value
        forms[f"{name} (base64)"] = base64.b64encode(value.encode()).decode()
        forms[f"{name} (URL-safe base64)"] = base64.urlsafe_b64encode(value.encode()).decode()
        forms[f"{name} (URL-encoded)"] = quote(value, safe="")
    forms["metrics user:token (base64)"] = base64.b64encode(f"{METRICS_USER}:{METRICS_TOKEN}".encode()).decode()
    # base64 padding makes the tail depend on what follows: the stable prefix is what leaks
    return {k: v.rstrip("=") for k, v in forms.items()}


def universe(fail: bool, base: list[str]):
    """GitHub, Grafana, a metrics endpoint and three webhooks in one hostile server."""

    def route(seen: Seen) -> Reply:
        auth = seen.headers.get("Authorization", "")
        path = seen.path.split("?")[0]
        echo = f"{auth} {seen.path}"
        if fail:
            return Reply(401, json.dumps({"message": f"bad credentials: {echo}"}).encode())
        if path == "/api/health":
            return Reply(200, json.dumps({"database": "ok", "version": "11.2.0", "echo": echo}).encode())
        if path.startswith("/api/dashboards/uid/"):
            dashboard = {"uid": "abc", "title": "Release overview", "panels": [], "version": 1}
            return Reply(200, json.dumps({"dashboard": dashboard, "meta": {"slug": "x"}, "echo": echo}).encode())
        if path == "/api/frontend/settings":
            return Reply(200, json.dumps({"buildInfo": {"version": "11.2.0"}, "datasources": {}}).encode())
        if path == "/api/annotations" and seen.method == "GET":
            return Reply(200, b"[]")
        if path == "/api/annotations":
            return Reply(200, json.dumps({"id": 7, "message": f"Annotation added {echo}"}).encode())
        if path == "/api/snapshots":
            url = base[0]
            body = {"deleteKey": DELETE_KEY, "deleteUrl": f"{url}/api/snapshots-delete/{DELETE_KEY}", "id": 1}
            body.update(key="view1", url=f"{url}/dashboard/snapshot/view1", echo=echo)
            return Reply(200, json.dumps(body).encode())
        if path.startswith("/api/v2/write") or path.startswith("/metrics"):
            return Reply(204, b"", {})
        if path == HOOK_PATHS["slack"]:
            return Reply(200, b"ok", {"Content-Type": "text/plain"})
        if path == HOOK_PATHS["discord"]:
            return Reply(200, json.dumps({"id": "99", "echo": echo}).encode())
        if path == HOOK_PATHS["teams"]:
            return Reply(202, b"", {})
        if "/check-runs" in path:
            runs = [{"name": "ci", "status": "completed", "conclusion": "success", "id": 1}]
            return Reply(200, json.dumps({"total_count": 1, "check_runs": runs}).encode())
        if path.endswith("/statuses"):
            return Reply(200, b"[]")
        if path.endswith("/releases") and seen.method == "GET":
            return Reply(200, b"[]")
        if path.endswith("/releases") and seen.method == "POST":
            return Reply(201, json.dumps({"id": 5, "html_url": "https://example.com/r/5", "echo": echo}).encode())
        return Reply(404, json.dumps({"message": f"Not Found {echo}"}).encode())

    return route


def stage_args(stage: str, mode: str, url: str) -> list[str]:
    dry = ["--dry-run"] if mode == "dry-run" else []
    verbose = ["--verbose"] if mode == "verbose" else []
    common = [*dry, *verbose]
    if stage == "sentinel":
        return ["--required-checks", "ci", *common]
    if stage == "changelog":
        return ["--source", "git", "--publish-release", "true", *common]
    if stage == "grafana-push":
        return [
            "--grafana-url",
            url,
            "--metrics-url",
            url + "/api/v2/write",
            "--metrics",
            "deploys 1",
            "--metrics-user",
            METRICS_USER,
            *common,
        ]
    if stage == "grafana-snapshot":
        return ["--grafana-url", url, "--dashboard-uid", "abc", "--embed-data", "false", *common]
    if stage == "notify":
        return common
    everything = ["--grafana-url", url, "--dashboard-uid", "abc", "--embed-data", "false", "--source", "git"]
    return [*everything, "--metrics-url", url + "/api/v2/write", "--metrics-user", METRICS_USER, *common]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    repo = RepoBuilder(tmp_path_factory.mktemp("canary") / "repo")
    repo.commit("feat: first", {"VERSION": "1.0.0\n"})
    repo.tag("v1.0.0")
    repo.commit("fix: second (#2)", {"VERSION": "1.1.0\n"})
    repo.tag("v1.1.0")
    return repo.path, repo.head()


def run_stage(stage: str, mode: str, checkout: tuple[Path, str], tmp_path: Path) -> tuple[dict[str, str], str]:
    """Run one stage; return every text it left, by place, and the services' base URL."""
    workspace, sha = checkout
    runner = tmp_path / "runner"
    runner.mkdir()
    artifacts = workspace / f"artifacts-{stage}-{mode}"
    base: list[str] = []
    with serve(universe(mode == "failure", base)) as (url, script):
        base.append(url)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SOVEREIGN_", "RUNNER_"))}
        env.update(
            GITHUB_ACTIONS="true",
            GITHUB_WORKSPACE=str(workspace),
            GITHUB_REPOSITORY="owner/repo",
            GITHUB_REF="refs/tags/v1.1.0",
            GITHUB_REF_NAME="v1.1.0",
            GITHUB_SHA=sha,
            GITHUB_RUN_ID="42",
            GITHUB_SERVER_URL=url,
            GITHUB_API_URL=url,
            GITHUB_GRAPHQL_URL=url + "/graphql",
            GITHUB_OUTPUT=str(runner / "output"),
            GITHUB_STEP_SUMMARY=str(runner / "summary"),
            RUNNER_TEMP=str(runner),
            SOVEREIGN_GITHUB_TOKEN=GITHUB_TOKEN,
            SOVEREIGN_GRAFANA_API_KEY=GRAFANA_KEY,
            SOVEREIGN_METRICS_TOKEN=METRICS_TOKEN,
            SOVEREIGN_SLACK_WEBHOOK_URL=url + HOOK_PATHS["slack"],
            SOVEREIGN_DISCORD_WEBHOOK_URL=url + HOOK_PATHS["discord"],
            SOVEREIGN_TEAMS_WEBHOOK_URL=url + HOOK_PATHS["teams"],
            SOVEREIGN_ARTIFACTS_DIR=artifacts.name,
            PYTHONIOENCODING="utf-8",
        )
        if mode == "verbose":
            env["RUNNER_DEBUG"] = "1"
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / ("main.py" if stage == "ritual" else f"{stage}/main.py")),
                *stage_args(stage, mode, url),
            ],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        requests = len(script.seen)
        carried = sum(1 for seen in script.seen if "CANARY" in seen.headers.get("Authorization", "") + seen.path)
    places = {
        "stdout": result.stdout,
        "stderr": result.stderr,
        "exit": str(result.returncode),
        "requests": str(requests),
        "carried": str(carried),
    }
    for name in ("output", "summary"):
        file = runner / name
        places["GITHUB_OUTPUT" if name == "output" else "GITHUB_STEP_SUMMARY"] = (
            file.read_text("utf-8") if file.exists() else ""
        )
    for file in sorted(artifacts.rglob("*")) if artifacts.exists() else []:
        if file.is_file():
            places[f"artifact {file.name}"] = file.read_text("utf-8", errors="replace")
    return places, url


def leaks(places: dict[str, str], url: str) -> list[str]:
    """Every canary form found, as "<form> in <place>"."""
    forms = canary_forms(url)
    return [
        f"{form} in {place}"
        for place, text in places.items()
        if place != "exit"
        for form, value in forms.items()
        if value in text
    ]


def test_the_scan_sees_every_form() -> None:
    """The check above is only as good as this: each encoding of a canary is caught."""
    url = "http://127.0.0.1:1"
    pair = base64.b64encode(f"{METRICS_USER}:{METRICS_TOKEN}".encode()).decode()
    texts = {
        "plain": f"token {GITHUB_TOKEN}",
        "b64": "Authorization: Bearer " + base64.b64encode(GRAFANA_KEY.encode()).decode(),
        "pair": f"Basic {pair}",
        "quoted": "u=" + quote(url + HOOK_PATHS["slack"], safe=""),
        "path": "posted to " + HOOK_PATHS["teams"],
    }
    found = leaks(texts, url)
    assert all(any(f.endswith(f" in {place}") for f in found) for place in texts), found


SECRET_INPUTS = {
    "github-token": GITHUB_TOKEN,
    "grafana-api-key": GRAFANA_KEY,
    "metrics-token": METRICS_TOKEN,
    "slack-webhook-url": "slack",
    "discord-webhook-url": "discord",
    "teams-webhook-url": "teams",
}


def declared_secrets(stage: str, url: str) -> list[str]:
    """The canary values of the secret inputs ``stage`` declares."""
    from sovereign.cli import load

    values = []
    for item in load(stage).inputs:
        if item.secret and item.name in SECRET_INPUTS:
            value = SECRET_INPUTS[item.name]
            values.append(url + HOOK_PATHS[value] if value in HOOK_PATHS else value)
    return values


@pytest.mark.parametrize("mode", CANARY_MODES)
@pytest.mark.parametrize("stage", CANARY_STAGES)
def test_no_canary_leaks(stage: str, mode: str, checkout: tuple[Path, str], tmp_path: Path) -> None:
    if stage not in available():
        pytest.skip(f"stage {stage} is not built yet")
    if stage == "ritual" and not (ROOT / "action.yml").exists():
        pytest.skip("the ritual's action.yml is not there yet")
    places, url = run_stage(stage, mode, checkout, tmp_path)
    assert places["exit"] == ("1" if mode == "failure" else "0"), places["stdout"][-3000:]
    if mode != "dry-run":  # the hostile server got a secret to echo, or the run proved nothing
        assert int(places.pop("carried")) > 0, "no request carried a canary secret"
    places.pop("carried", None)
    places.pop("requests")

    lines = places["stdout"].splitlines()
    masks = [i for i, line in enumerate(lines) if line.startswith("::add-mask::")]
    first_other = next((i for i, line in enumerate(lines) if not line.startswith("::add-mask::")), len(lines))
    masked = {lines[i].removeprefix("::add-mask::") for i in masks if i < first_other}
    missing = [s for s in declared_secrets(stage, url) if s not in masked]
    assert not missing, f"not masked before the first line of output: {missing}"
    places["stdout"] = "\n".join(line for line in lines if not line.startswith("::add-mask::"))

    found = leaks(places, url)
    assert not found, found
