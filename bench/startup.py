#!/usr/bin/env python3
"""Start-up cost: the sentinel's dry-run tag check, and the bootstrap cold and warm.

    python3 bench/startup.py [--runs 20]

Process times are wall-clock medians over repeated runs of the real commands
(the same ones an action step runs). Cold bootstrap = an empty RUNNER_TEMP, so a
venv is created and the hashed lock installed (pip's download cache as the
machine has it, and once with PIP_NO_CACHE_DIR=1); warm = the venv is reused.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench: {command} failed:\n{result.stdout}{result.stderr}")
    return elapsed, result.stdout


def stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return f"{statistics.median(samples):.3f} s median, {min(samples):.3f} min, {p90:.3f} p90 (n={len(samples)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    bootstrap = ["bash", str(ROOT / "bootstrap" / "bootstrap.sh")]
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SOVEREIGN_"))}
        cold_nocache = []
        for i in range(3):
            env = {**base, "RUNNER_TEMP": f"{temp}/nocache{i}", "PIP_NO_CACHE_DIR": "1"}
            cold_nocache.append(timed(bootstrap, env)[0])
        cold = []
        for i in range(3):
            env = {**base, "RUNNER_TEMP": f"{temp}/cold{i}"}
            cold.append(timed(bootstrap, env)[0])
        env = {**base, "RUNNER_TEMP": f"{temp}/cold0"}
        warm = [timed(bootstrap, env)[0] for _ in range(args.runs)]
        python = timed(bootstrap, env)[1].strip().splitlines()[-1].removeprefix("python=")
        sentinel = [python, str(ROOT / "sentinel" / "main.py"), "--tag", "v1.2.3", "--dry-run"]
        check = [timed(sentinel, base)[0] for _ in range(args.runs)]
        help_ = [timed([*sentinel[:2], "--help"], base)[0] for _ in range(args.runs)]
        rows = [
            ("sentinel dry-run tag check (process)", stats(check)),
            ("sentinel --help (process)", stats(help_)),
            ("bootstrap warm (venv reused)", stats(warm)),
            ("bootstrap cold (pip cache as is)", stats(cold)),
            ("bootstrap cold (PIP_NO_CACHE_DIR=1, downloads)", stats(cold_nocache)),
        ]
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| what | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
