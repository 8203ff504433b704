"""grafana-push against the real metrics servers Debian ships.

Starts ``prometheus-pushgateway`` and ``influxd`` (InfluxDB 1.x, auth on) on free
loopback ports in temporary directories, pushes through the stage, and reads
the metrics back through each server's own API (``/metrics``; ``/query``).
Install the servers with ``scripts/install-test-servers.sh``; without them these
tests skip, saying so.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sovereign.gha import Step, execute
from sovereign.grafana_push.stage import STAGE

pytestmark = pytest.mark.slow

INFLUX_USER, INFLUX_PASSWORD = "sovereign", "influx-Secret-4242"
DATABASE = "releases"
REPOSITORY = "octo/widget"
CHANGELOG = {
    "schema": "sovereign.changelog/v1",
    "tag": "v1.2.3",
    "version": "1.2.3",
    "previous_tag": "v1.2.2",
    "repository": REPOSITORY,
    "date": "2026-11-20T10:00:00Z",
    "previous_date": "2026-11-06T22:00:00Z",
    "compare_url": "https://github.example/octo/widget/compare/v1.2.2...v1.2.3",
    "sections": [],
    "breaking": [{"title": "drop py3.8"}],
    "security": [],
    "contributors": ["ada", "grace", "linus"],
    "stats": {"commits": 12, "prs": 4},
    "excluded": [],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def need(binary: str, package: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} is not installed (Debian package {package}): run scripts/install-test-servers.sh")
    return path


def start(argv: list[str], ready_url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{argv[0]} exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(ready_url, timeout=1).status_code < 300:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"{argv[0]} did not come up in 30 s: {log.read_text(errors='replace')[-2000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def pushgateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = need("prometheus-pushgateway", "prometheus-pushgateway")
    home = tmp_path_factory.mktemp("pushgateway")
    url = f"http://127.0.0.1:{free_port()}"
    argv = [binary, f"--web.listen-address={url.removeprefix('http://')}", "--log.level=warn"]
    process = start(argv, url + "/-/ready", home / "log.txt")
    try:
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def influxdb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = need("influxd", "influxdb")
    home = tmp_path_factory.mktemp("influxdb")
    port, rpc = free_port(), free_port()
    (home / "influxdb.conf").write_text(
        f"""reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{home}/meta"
[data]
  dir = "{home}/data"
  wal-dir = "{home}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:{port}"
  auth-enabled = true
  log-enabled = false
[logging]
  level = "warn"
""",
        encoding="utf-8",
    )
    url = f"http://127.0.0.1:{port}"
    process = start([binary, "-config", str(home / "influxdb.conf")], url + "/ping", home / "log.txt")
    try:
        # With auth on, the first user may be created without credentials.
        create = f"CREATE USER {INFLUX_USER} WITH PASSWORD '{INFLUX_PASSWORD}' WITH ALL PRIVILEGES"
        requests.post(url + "/query", data={"q": create}, timeout=10).raise_for_status()
        auth = (INFLUX_USER, INFLUX_PASSWORD)
        requests.post(
            url + "/query", data={"q": f"CREATE DATABASE {DATABASE}"}, auth=auth, timeout=10
        ).raise_for_status()
        yield url
    finally:
        stop(process)


def push(tmp_path: Path, tag: str = "v1.2.3", **flags: str) -> tuple[int, str]:
    """Run the stage in-process, as `sovereign grafana-push --flags` would."""
    changelog = tmp_path / f"changelog-{tag}.json"
    changelog.write_text(json.dumps({**CHANGELOG, "tag": tag}), encoding="utf-8")
    lines: list[str] = []
    env = {"GITHUB_WORKSPACE": str(tmp_path), "GITHUB_REPOSITORY": REPOSITORY}
    step = Step("grafana-push", env, out=lines.append)
    cli = {"tag": tag, "changelog-json": changelog.name, "annotation": "false", **flags}
    code = execute(STAGE, cli, env, step)
    return code, "\n".join(lines)


# -- Pushgateway ----------------------------------------------------------------------


def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """The Pushgateway's /metrics as {(name, labels): value}, its own metrics left out."""
    series = {}
    for line in requests.get(url + "/metrics", timeout=10).text.splitlines():
        match = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1).startswith(("push_", "pushgateway_", "go_", "process_")):
            continue
        labels = frozenset(
            (k, v.replace('\\"', '"').replace("\\\\", "\\"))
            for k, v in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', match.group(2) or "")
        )
        series[(match.group(1), labels)] = float(match.group(3))
    return series


def group(tag: str, **extra: str) -> frozenset[tuple[str, str]]:
    return frozenset({"job": "sovereign", "instance": "", "repository": REPOSITORY, "tag": tag, **extra}.items())


def test_pushgateway_receives_release_metrics_with_their_labels(pushgateway, tmp_path):
    code, log = push(
        tmp_path,
        **{
            "metrics-url": pushgateway,
            "metrics-format": "prometheus",
            "metrics": 'deploy_seconds{env="prod, eu", note="say \\"hi\\""} 42.5\nrollbacks=0',
        },
    )
    assert code == 0, log
    series = scrape(pushgateway)
    expected = {
        "sovereign_release_commits": 12,
        "sovereign_release_pull_requests": 4,
        "sovereign_release_contributors": 3,
        "sovereign_release_breaking_changes": 1,
        "sovereign_release_security_fixes": 0,
        "sovereign_release_days_since_previous": 13.5,
        "rollbacks": 0,
    }
    for name, value in expected.items():
        assert series[(name, group("v1.2.3"))] == value, name
    assert series[("deploy_seconds", group("v1.2.3", env="prod, eu", note='say "hi"'))] == 42.5
    assert "pushed 8 metric(s) as prometheus" in log


def test_pushgateway_rerun_replaces_the_group_and_tags_stay_apart(pushgateway, tmp_path):
    assert push(tmp_path, "v2.0.0", **{"metrics-url": pushgateway, "metrics-format": "prometheus"})[0] == 0
    changed = {**CHANGELOG, "stats": {"commits": 99, "prs": 1}}
    (tmp_path / "changelog-v2.0.1.json").write_text(json.dumps({**changed, "tag": "v2.0.1"}))
    for _ in range(2):  # the same release pushed twice: one series, the latest value
        lines: list[str] = []
        env = {"GITHUB_WORKSPACE": str(tmp_path), "GITHUB_REPOSITORY": REPOSITORY}
        cli = {
            "tag": "v2.0.1",
            "changelog-json": "changelog-v2.0.1.json",
            "annotation": "false",
            "metrics-url": pushgateway,
            "metrics-format": "prometheus",
        }
        assert execute(STAGE, cli, env, Step("grafana-push", env, out=lines.append)) == 0, lines
    series = scrape(pushgateway)
    commits = {labels: v for (name, labels), v in series.items() if name == "sovereign_release_commits"}
    assert commits[group("v2.0.0")] == 12
    assert commits[group("v2.0.1")] == 99
    assert sum(dict(labels)["tag"] == "v2.0.1" for labels in commits) == 1


def test_pushgateway_refuses_a_name_it_cannot_take_before_sending(pushgateway, tmp_path):
    code, log = push(
        tmp_path, "v3.0.0", **{"metrics-url": pushgateway, "metrics-format": "prometheus", "metrics": "deploy.time 3"}
    )
    assert code == 1
    assert "metric deploy.time (metrics line 1) is not a valid Prometheus metric name" in log
    assert not any(dict(labels).get("tag") == "v3.0.0" for _, labels in scrape(pushgateway))


# -- InfluxDB 1.x -----------------------------------------------------------------------


def query(url: str, q: str) -> list[dict]:
    answer = requests.get(
        url + "/query", params={"db": DATABASE, "q": q}, auth=(INFLUX_USER, INFLUX_PASSWORD), timeout=10
    )
    answer.raise_for_status()
    return answer.json()["results"][0].get("series", [])


def rows(series: dict) -> list[dict]:
    return [dict(zip(series["columns"], values, strict=True)) for values in series["values"]]


def test_influxdb_receives_release_metrics_with_basic_auth(influxdb, tmp_path):
    code, log = push(
        tmp_path,
        **{
            "metrics-url": f"{influxdb}/write?db={DATABASE}",
            "metrics-user": INFLUX_USER,
            "metrics-token": INFLUX_PASSWORD,
            "metrics": 'deploy_seconds{env="prod, eu=1"} 42.5\nflag "on \\"fire\\""',
        },
    )
    assert code == 0, log
    assert INFLUX_PASSWORD not in log
    [release] = query(influxdb, "SELECT * FROM sovereign_release WHERE \"tag\" = 'v1.2.3'")
    [row] = rows(release)
    assert row["repository"] == REPOSITORY
    assert row["commits"] == 12 and row["pull_requests"] == 4 and row["contributors"] == 3
    assert row["breaking_changes"] == 1 and row["security_fixes"] == 0
    assert row["days_since_previous"] == 13.5
    [deploy] = rows(query(influxdb, "SELECT * FROM deploy_seconds")[0])
    assert deploy["env"] == "prod, eu=1" and deploy["value"] == 42.5 and deploy["tag"] == "v1.2.3"
    [flag] = rows(query(influxdb, "SELECT * FROM flag")[0])
    assert flag["value"] == 'on "fire"'
    types = {
        key: kind
        for series in query(influxdb, "SHOW FIELD KEYS")
        for key, kind in series["values"]
        if series["name"] == "sovereign_release"
    }
    assert types["commits"] == "integer" and types["days_since_previous"] == "float"


def test_influxdb_each_run_is_a_point_and_a_wrong_token_is_a_clear_error(influxdb, tmp_path):
    url = f"{influxdb}/write?db={DATABASE}"
    ok = {"metrics-url": url, "metrics-user": INFLUX_USER, "metrics-token": INFLUX_PASSWORD}
    assert push(tmp_path, "v4.0.0", **ok)[0] == 0
    assert push(tmp_path, "v4.0.0", **ok)[0] == 0
    assert len(rows(query(influxdb, "SELECT commits FROM sovereign_release WHERE \"tag\" = 'v4.0.0'")[0])) == 2

    code, log = push(tmp_path, "v4.0.1", **{**ok, "metrics-token": "wrong-Token-123"})
    assert code == 1
    assert "the metrics endpoint (POST metrics-url) answered HTTP 401" in log
    assert "wrong-Token-123" not in log
    assert not query(influxdb, "SELECT commits FROM sovereign_release WHERE \"tag\" = 'v4.0.1'")
