#!/usr/bin/env python3
"""Start-up cost: each stage's process time for ``--help`` and for a dry-run, the
modules each one imports, and the bootstrap cold and warm against a plain venv.

    python3 bench/startup.py [--runs 20] [--cold-runs 5] [--skip-cold] [--install-variants]

Process times are wall-clock medians over repeated runs of the real commands
(the same ones an action step runs: ``<venv python> <stage>/main.py ...``). The
dry-runs work on a small git repository built here; grafana-snapshot (which must
read the dashboard even in a dry-run) and the ritual talk to a local Grafana on
127.0.0.1 that answers at once, so the figure is the stage's own cost.
"Modules" counts what ``python -X importtime`` reports for ``--help``, and says
whether ``requests`` was among them (it should not be, for a stage's help).

Bootstrap: cold = an empty RUNNER_TEMP, so a venv is created and the hashed lock
installed, with pip's download cache warm (one bootstrap runs first to fill it:
the network is not ours), and once more with PIP_NO_CACHE_DIR=1; warm = the venv
is reused. Each cold run is paired with ``python3 -m venv`` in the same loop, so
the ratio compares like with like on a machine whose load changes. ``python3``
on PATH is this interpreter (a pyenv shim would add its own start-up to every run).
``--install-variants`` also times the ways of installing the lock into a bare venv.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from localserver import Reply, Seen, serve  # noqa: E402 - the tests' scripted server, on a real socket

STAGES = ("sentinel", "changelog", "grafana-push", "grafana-snapshot", "notify", "ritual")


def timed(command: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, str, str]:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench: {command} failed:\n{result.stdout}{result.stderr}")
    return elapsed, result.stdout, result.stderr


def stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return f"{statistics.median(samples):.3f} s median, {min(samples):.3f} min, {p90:.3f} p90 (n={len(samples)})"


def sample_repository(path: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_DATE": "@1700000000 +0000"}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True, env=env)

    path.mkdir(parents=True)
    git("init", "-q", "-b", "main")
    git("config", "user.name", "Bench")
    git("config", "user.email", "bench@example.com")
    for message, tag in (("feat: first", "v1.0.0"), ("fix: second", None), ("feat!: third", "v1.1.0")):
        git("commit", "-q", "--allow-empty", "-m", message)
        if tag:
            git("tag", tag)


def grafana(seen: Seen) -> Reply:
    path = seen.path.split("?")[0]
    if path == "/api/health":
        return Reply(200, json.dumps({"database": "ok", "version": "11.2.0"}).encode())
    if path.startswith("/api/dashboards/uid/"):
        dashboard = {"uid": "abc", "title": "Release overview", "panels": [], "version": 1}
        return Reply(200, json.dumps({"dashboard": dashboard, "meta": {}}).encode())
    if path == "/api/annotations":
        return Reply(200, b"[]")
    return Reply(200, b"{}")


def dry_run(stage: str, grafana_url: str) -> list[str]:
    entry = str(ROOT / ("main.py" if stage == "ritual" else f"{stage}/main.py"))
    common = ["--tag", "v1.1.0", "--dry-run"]
    snapshot = ["--grafana-url", grafana_url, "--dashboard-uid", "abc", "--embed-data", "false"]
    extra = {
        "changelog": ["--source", "git"],
        "grafana-snapshot": [*snapshot, "--grafana-api-key", "bench-key"],
        "ritual": ["--source", "git", *snapshot, "--grafana-api-key", "bench-key"],
    }
    return [entry, *common, *extra.get(stage, [])]


def imports(python: str, stage: str, env: dict[str, str]) -> str:
    entry = str(ROOT / ("main.py" if stage == "ritual" else f"{stage}/main.py"))
    _, _, stderr = timed([python, "-X", "importtime", entry, "--help"], env)
    modules = [line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")][1:]
    return f"{len(modules)}, requests {'imported' if 'requests' in modules else 'not imported'}"


def stage_rows(python: str, runs: int, base: dict[str, str], temp: str) -> list[tuple[str, str]]:
    repo = Path(temp) / "repo"
    sample_repository(repo)
    env = {**base, "GITHUB_WORKSPACE": str(repo), "GITHUB_REPOSITORY": "owner/repo"}
    rows = []
    with serve(grafana) as (url, _):
        for stage in STAGES:
            if not (ROOT / ("action.yml" if stage == "ritual" else f"{stage}/action.yml")).exists():
                continue
            entry = str(ROOT / ("main.py" if stage == "ritual" else f"{stage}/main.py"))
            help_ = [timed([python, entry, "--help"], env, repo)[0] for _ in range(runs)]
            dry = [timed([python, *dry_run(stage, url)], env, repo)[0] for _ in range(runs)]
            rows.append((f"{stage} --help (process)", stats(help_)))
            rows.append((f"{stage} dry-run (process)", stats(dry)))
            rows.append((f"{stage} modules imported for --help", imports(python, stage, env)))
    return rows


BOOTSTRAP = ["bash", str(ROOT / "bootstrap" / "bootstrap.sh")]
LOCK = str(ROOT / "requirements" / "runtime.txt")
HASHED = ["install", "--quiet", "--no-input", "--disable-pip-version-check", "--require-hashes", "--no-deps",
          "--only-binary=:all:", "-r", LOCK]  # fmt: skip


def cpu_timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall-clock, CPU seconds of the command's processes): CPU time barely moves with the machine's load."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(command, env)[0]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def ratio(ours: list[float], theirs: list[float]) -> str:
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    return f"{statistics.median(ratios):.2f}× median, {min(ratios):.2f}× best, {max(ratios):.2f}× worst"


def cold_rows(cold_runs: int, base: dict[str, str], temp: str) -> list[tuple[str, str]]:
    timed(BOOTSTRAP, {**base, "RUNNER_TEMP": f"{temp}/fill-cache"})  # pip's download cache is warm from here
    plain, cold, nocache = [], [], []
    for i in range(cold_runs):
        plain.append(cpu_timed([sys.executable, "-m", "venv", f"{temp}/plain{i}"], base))
        cold.append(cpu_timed(BOOTSTRAP, {**base, "RUNNER_TEMP": f"{temp}/cold{i}"}))
    for i in range(min(cold_runs, 3)):
        nocache.append(timed(BOOTSTRAP, {**base, "RUNNER_TEMP": f"{temp}/nocache{i}", "PIP_NO_CACHE_DIR": "1"})[0])
    wall = ([c[0] for c in cold], [p[0] for p in plain])
    cpu = ([c[1] for c in cold], [p[1] for p in plain])
    return [
        ("plain `python3 -m venv` (same loop)", stats(wall[1])),
        ("bootstrap cold (pip download cache warm)", stats(wall[0])),
        ("bootstrap cold ÷ plain venv, wall-clock, pair by pair", ratio(*wall)),
        ("bootstrap cold ÷ plain venv, CPU time, pair by pair", ratio(*cpu)),
        ("bootstrap cold (PIP_NO_CACHE_DIR=1, downloads)", stats(nocache)),
    ]


def variant_rows(runs: int, base: dict[str, str], temp: str) -> list[tuple[str, str]]:
    """The ways of installing the lock into a venv built without pip; then the first import, which
    compiles what pip did not (the bootstrap does that import itself, as its smoke test)."""
    pip = [sys.executable, "-m", "pip"]
    variants = {
        "pip --python <venv>": lambda v: [*pip, "--python", f"{v}/bin/python", *HASHED],
        "pip --python <venv> --no-compile": lambda v: [*pip, "--python", f"{v}/bin/python", *HASHED, "--no-compile"],
        "pip --target <site-packages>": lambda v: [*pip, *HASHED, "--target", site_packages(v)],
        "pip --target <site-packages> --no-compile (the bootstrap's)": lambda v: [*pip, *HASHED, "--no-compile", "--target", site_packages(v)],
    }  # fmt: skip
    install: dict[str, list[float]] = {name: [] for name in variants}
    first: dict[str, list[float]] = {name: [] for name in variants}
    for i in range(runs):
        for n, (name, command) in enumerate(variants.items()):
            venv = f"{temp}/variant{n}-{i}"
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
            subprocess.run(command(venv), env=base, check=True)
            install[name].append(time.perf_counter() - start)
            first[name].append(timed([f"{venv}/bin/python", "-c", "import requests, actions_toolkit.core"], base)[0])
    rows = []
    for name in variants:
        rows.append((f"venv --without-pip + {name}", stats(install[name])))
        rows.append(("… then the first `import requests, actions_toolkit.core`", stats(first[name])))
    return rows


def site_packages(venv: str) -> str:
    ask = [f"{venv}/bin/python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
    return subprocess.run(ask, capture_output=True, text=True, check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--skip-cold", action="store_true", help="skip the cold bootstraps and the plain venvs")
    parser.add_argument("--install-variants", action="store_true", help="also time the ways of installing the lock")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SOVEREIGN_", "RUNNER_"))}
        base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}"
        env = {**base, "RUNNER_TEMP": f"{temp}/warm"}
        python = timed(BOOTSTRAP, env)[1].strip().splitlines()[-1].removeprefix("python=")
        warm = [timed(BOOTSTRAP, env)[0] for _ in range(args.runs)]
        rows = stage_rows(python, args.runs, base, temp)
        rows.append(("bootstrap warm (venv reused)", stats(warm)))
        if not args.skip_cold:
            rows.extend(cold_rows(args.cold_runs, base, temp))
        if args.install_variants:
            rows.extend(variant_rows(max(3, args.cold_runs), base, temp))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, load average {load}, Python {platform.python_version()}\n"
    )
    print("| what | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
