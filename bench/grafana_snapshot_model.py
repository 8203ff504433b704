"""How long the pure snapshot model takes on a big dashboard, and how big the request gets.

    .venv/bin/python bench/grafana_snapshot_model.py [--panels 200] [--points 1000] [--series 10]

Times (best of 5) the steps the stage runs between Grafana's answers: expanding
repeats, planning every panel's /api/ds/query requests, embedding the frames,
trimming, and serialising the POST /api/snapshots body. No network.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sovereign.grafana_snapshot.model import Catalog, Context, build, embed, finish, plan, queried_panels
from sovereign.grafana_snapshot.timerange import TimeRange
from sovereign.grafana_snapshot.variables import current_values

NOW = 1_779_451_200_000
SETTINGS = {
    "defaultDatasource": "Prometheus",
    "datasources": {"Prometheus": {"uid": "prom", "type": "prometheus", "meta": {"backend": True}}},
}


def dashboard(panels: int, repeat_values: int) -> dict[str, Any]:
    hosts = [f"host-{i}" for i in range(repeat_values)]
    items = []
    for index in range(panels):
        panel = {
            "id": index + 1,
            "type": "timeseries",
            "title": f"Panel {index} $host",
            "gridPos": {"x": (index % 2) * 12, "y": (index // 2) * 8, "w": 12, "h": 8},
            "datasource": {"type": "prometheus", "uid": "${ds}"},
            "targets": [{"refId": "A", "expr": 'rate(x{host=~"$host", env="$env"}[$__rate_interval])'}],
        }
        if index % 10 == 0:
            panel["repeat"] = "host"
        items.append(panel)
    return {
        "title": "Bench",
        "uid": "bench",
        "panels": items,
        "templating": {
            "list": [
                {"name": "ds", "type": "datasource", "current": {"text": "Prometheus", "value": "prom"}},
                {"name": "host", "type": "query", "multi": True, "current": {"text": hosts, "value": hosts}},
                {"name": "env", "type": "custom", "current": {"text": "prod", "value": "prod"}},
            ]
        },
    }


def frames(series: int, points: int) -> list[dict[str, Any]]:
    times = [NOW - (points - i) * 15_000 for i in range(points)]
    return [
        {
            "schema": {
                "refId": "A",
                "fields": [
                    {"name": "Time", "type": "time"},
                    {"name": "Value", "type": "number", "labels": {"series": str(s)}},
                ],
            },
            "data": {"values": [times, [float(i % 97) for i in range(points)]]},
        }
        for s in range(series)
    ]


T = TypeVar("T")


def best(fn: Callable[[], T], runs: int = 5) -> tuple[float, T]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--repeat-values", type=int, default=8)
    parser.add_argument("--series", type=int, default=10)
    parser.add_argument("--points", type=int, default=1000)
    args = parser.parse_args()

    source = dashboard(args.panels, args.repeat_values)
    variables = current_values(source)
    catalog = Catalog(SETTINGS)
    context = Context(variables, TimeRange(NOW - 21_600_000, NOW, "now-6h", "now"), NOW, "Bench")
    data = frames(args.series, args.points)

    t_build, model = best(lambda: build(source, variables))
    panels = queried_panels(model)
    t_plan, _ = best(lambda: [plan(p, catalog, context) for p in panels])

    def embed_all() -> dict[str, Any]:
        fresh = build(source, variables)
        for panel in queried_panels(fresh):
            embed(panel, data, 11)
        return finish(fresh, "Release bench", context.time_range)

    t_embed, final = best(embed_all)
    body = {"dashboard": final, "name": "Release bench", "expires": 0, "external": False}
    t_json, text = best(lambda: json.dumps(body))
    size = len(str(text).encode())
    print(f"| panels after repeats | {len(panels)} |")
    print(f"| frames per panel × points | {args.series} × {args.points} |")
    print(f"| expand repeats (build) | {t_build * 1000:.1f} ms |")
    print(f"| plan every panel's queries | {t_plan * 1000:.1f} ms |")
    print(f"| build + embed + trim | {t_embed * 1000:.1f} ms |")
    print(f"| json.dumps of the POST body | {t_json * 1000:.1f} ms ({size / 1_048_576:.1f} MiB) |")


if __name__ == "__main__":
    main()
