#!/usr/bin/env python3
"""Rendering a 5,000-entry changelog for Slack, Discord and Teams.

    .venv/bin/python bench/notify_render.py [--entries 5000] [--runs 30]

One run = what the notify stage does before sending: load and check the
changelog JSON (``sovereign.release.load``), build the message, render the
three platforms (each fitted to and checked by limits.py), and encode the
bodies. Nothing is sent. Also timed: the same for a hostile changelog whose
titles are long and full of characters every platform must escape.
Prints a Markdown table (in-process wall time; interpreter start excluded).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from fixtures.notify.factory import huge, write  # noqa: E402

from sovereign import release  # noqa: E402
from sovereign.notify import discord, limits, slack, teams  # noqa: E402
from sovereign.notify.message import from_changelog  # noqa: E402

ENV = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "octo/widget", "GITHUB_RUN_ID": "1"}
RENDER = {"slack": slack.render, "discord": discord.render, "teams": teams.render}


def once(path: Path) -> tuple[float, float, dict[str, int]]:
    """(seconds to load the JSON, seconds to build, render, check and encode, body sizes)."""
    start = time.perf_counter()
    changelog = release.load(path)
    loaded = time.perf_counter()
    message = from_changelog(changelog, status="success", environ=ENV)
    sizes = {}
    for platform_name, render in RENDER.items():
        payload = render(message)
        assert not limits.violations(platform_name, payload)
        sizes[platform_name] = len(limits.encode(payload))
    return loaded - start, time.perf_counter() - loaded, sizes


def stats(times: list[float]) -> str:
    times = sorted(t * 1000 for t in times)
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    return f"{statistics.median(times):.1f} ms median, {times[0]:.1f} min, {p90:.1f} p90"


def hostile(entries: int) -> dict:
    data = huge(entries, title_length=400)
    for section in data["sections"]:
        for n, item in enumerate(section["entries"]):
            item["title"] = f"@everyone <!channel> [x](https://evil.example) &<>*_ 👩‍💻 {n} " * 20
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in (("realistic titles", huge(args.entries)), ("hostile titles", hostile(args.entries))):
            path = write(data, Path(tmp) / "changelog.json")
            once(path)  # warm-up: imports and caches, as in a real run they are paid once
            loads, renders, sizes = [], [], {}
            for _ in range(args.runs):
                load, render, sizes = once(path)
                loads.append(load)
                renders.append(render)
            rows.append(
                f"| {args.entries} entries, {name} ({path.stat().st_size // 1024} KiB JSON) "
                f"| {stats(renders)} | {stats(loads)} | {' / '.join(f'{sizes[p]:,}' for p in RENDER)} |"
            )
    print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, n={args.runs}\n")
    print(
        "| input | message + render all three + check (target ≤ 100 ms) | JSON load and schema check | bytes sent (Slack / Discord / Teams) |"
    )
    print("|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
