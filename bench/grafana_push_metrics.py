#!/usr/bin/env python3
"""grafana-push: start-up, rendering, and whole pushes to the real metrics servers.

    .venv/bin/python bench/grafana_push_metrics.py [--runs 10] [--metrics 1000]

* dry-run process: ``python grafana-push/main.py --dry-run`` with a changelog
  and ``--metrics`` user metrics (interpreter start included);
* render: parsing ``--metrics`` lines and rendering them in each format, in-process;
* push process: the same run really pushing to Debian's ``prometheus-pushgateway``
  and ``influxd`` started on loopback (skipped when not installed; install with
  ``scripts/install-test-servers.sh``).
Wall-clock medians over ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sovereign.grafana_push.formats import Release, render_graphite, render_influx, render_prometheus  # noqa: E402
from sovereign.grafana_push.metrics import parse_lines  # noqa: E402

CHANGELOG = {
    "schema": "sovereign.changelog/v1",
    "tag": "v1.2.3",
    "previous_tag": "v1.2.2",
    "repository": "octo/widget",
    "date": "2026-11-20T10:00:00Z",
    "previous_date": "2026-11-06T22:00:00Z",
    "sections": [],
    "breaking": [],
    "security": [],
    "contributors": ["ada"],
    "stats": {"commits": 12, "prs": 4},
}


def stats(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms median, {min(samples) * 1000:.1f} min (n={len(samples)})"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait(url: str) -> None:
    for _ in range(300):
        try:
            if requests.get(url, timeout=1).status_code < 300:
                return
        except requests.RequestException:
            time.sleep(0.1)
    sys.exit(f"bench: {url} did not come up")


def timed_process(argv: list[str], env: dict[str, str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        samples.append(time.perf_counter() - start)
        if result.returncode != 0:
            sys.exit(f"bench: {argv} failed:\n{result.stdout}{result.stderr}")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--metrics", type=int, default=1000)
    args = parser.parse_args()
    lines = "\n".join(f'bench_metric_{i}{{env="prod, eu",shard="{i % 7}"}} {i}.5' for i in range(args.metrics))
    rows: list[tuple[str, str]] = []

    release = Release("octo/widget", "v1.2.3", time.time())
    start = time.perf_counter()
    parsed = parse_lines(lines)
    rows.append((f"parse {args.metrics} metrics lines (in-process)", f"{(time.perf_counter() - start) * 1000:.1f} ms"))
    for name, render in (
        ("influx", lambda: render_influx(parsed, release)),
        ("prometheus", lambda: render_prometheus(parsed)),
        ("graphite", lambda: render_graphite(parsed, release)),
    ):
        start = time.perf_counter()
        render()
        rows.append(
            (f"render {args.metrics} metrics as {name} (in-process)", f"{(time.perf_counter() - start) * 1000:.1f} ms")
        )

    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        (work / "changelog.json").write_text(json.dumps(CHANGELOG), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SOVEREIGN_"))}
        env.update(GITHUB_WORKSPACE=temp, SOVEREIGN_METRICS=lines, SOVEREIGN_CHANGELOG_JSON="changelog.json")
        stage = [sys.executable, str(ROOT / "grafana-push" / "main.py"), "--tag", "v1.2.3", "--repo", "octo/widget"]
        rows.append(
            (
                "dry-run, no metrics (process)",
                stats(timed_process([*stage, "--dry-run"], {**env, "SOVEREIGN_METRICS": ""}, args.runs)),
            )
        )
        rows.append(
            (f"dry-run, {args.metrics} metrics (process)", stats(timed_process([*stage, "--dry-run"], env, args.runs)))
        )

        servers: list[subprocess.Popen[bytes]] = []
        try:
            gateway = shutil.which("prometheus-pushgateway")
            if gateway:
                url = f"http://127.0.0.1:{free_port()}"
                servers.append(
                    subprocess.Popen([gateway, f"--web.listen-address={url[7:]}"], stderr=subprocess.DEVNULL)
                )
                wait(url + "/-/ready")
                argv = [*stage, "--annotation", "false", "--metrics-url", url, "--metrics-format", "prometheus"]
                rows.append(
                    (
                        f"push {args.metrics + 6} metrics to a real Pushgateway (process)",
                        stats(timed_process(argv, env, args.runs)),
                    )
                )
            influxd = shutil.which("influxd")
            if influxd:
                port, rpc = free_port(), free_port()
                conf = work / "influxdb.conf"
                conf.write_text(
                    f'reporting-disabled = true\nbind-address = "127.0.0.1:{rpc}"\n[meta]\n  dir = "{temp}/meta"\n'
                    f'[data]\n  dir = "{temp}/data"\n  wal-dir = "{temp}/wal"\n  query-log-enabled = false\n'
                    f'[monitor]\n  store-enabled = false\n[http]\n  bind-address = "127.0.0.1:{port}"\n  log-enabled = false\n'
                )
                servers.append(
                    subprocess.Popen(
                        [influxd, "-config", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                    )
                )
                wait(f"http://127.0.0.1:{port}/ping")
                requests.post(f"http://127.0.0.1:{port}/query", data={"q": "CREATE DATABASE bench"}, timeout=10)
                argv = [*stage, "--annotation", "false", "--metrics-url", f"http://127.0.0.1:{port}/write?db=bench"]
                rows.append(
                    (
                        f"push {args.metrics + 6} metrics to a real InfluxDB 1.x (process)",
                        stats(timed_process(argv, env, args.runs)),
                    )
                )
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)

    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| what | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
