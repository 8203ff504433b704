"""The three wire formats for release metrics, as pure functions of the metrics.

* ``influx``: line protocol for InfluxDB's ``/write`` and Grafana Cloud's
  ``/api/v1/push/influx/write``; one line per (measurement, label set), integers
  with ``i``, text fields double-quoted, nanosecond timestamps.
* ``prometheus``: the Pushgateway text format; ``repository`` and ``tag`` go in
  the grouping key of the URL (``PUT`` replaces the group, so a re-run replaces
  its own metrics), the body has no timestamps, LF endings and a final newline.
* ``graphite``: Grafana Cloud's Graphite JSON, ``[{name, interval, value, time, tags}]``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from sovereign.errors import SovereignError, raise_all
from sovereign.gha import quote
from sovereign.grafana_push.metrics import Metric

FORMATS = ("influx", "prometheus", "graphite")
GRAPHITE_INTERVAL = 10  # seconds; Grafana Cloud's documented example resolution
_PROMETHEUS_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
# Line protocol escapes these with a backslash; a backslash itself is taken literally
# (so a name or label ending in one would swallow the next separator: refused).
_INFLUX_MEASUREMENT = ", "
_INFLUX_KEY = ",= "
_INFLUX_PUSH_PATH = "/api/v1/push/influx"  # Grafana Cloud's; the /write suffix is the real endpoint


@dataclass(frozen=True)
class Release:
    """What every metric is labelled with, and when it was measured."""

    repository: str
    tag: str
    epoch: float  # seconds

    @property
    def labels(self) -> tuple[tuple[str, str], ...]:
        return (("repository", self.repository), ("tag", self.tag))


@dataclass(frozen=True)
class Push:
    """One HTTP request that delivers the metrics."""

    method: str
    url: str
    content_type: str
    body: str


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise SovereignError(
            f"input 'metrics-format' is {quote(name)}, which is not a known format",
            "use influx (InfluxDB, Grafana Cloud Influx), prometheus (Pushgateway) or graphite (Grafana Cloud Graphite)",
        )
    return name


def check_metrics(fmt: str, metrics: Sequence[Metric], release: Release) -> None:
    """What a format cannot carry is an error naming the metric, before anything is sent."""
    problems: list[SovereignError] = []
    for metric in metrics:
        where = f"metric {metric.name} ({metric.origin})"
        if isinstance(metric.value, str) and fmt != "influx":
            problems.append(
                SovereignError(f"{where} has a text value, which {fmt} cannot carry", "give a number, or use influx")
            )
        if fmt == "prometheus" and not _PROMETHEUS_NAME.fullmatch(metric.name):
            problems.append(
                SovereignError(
                    f"{where} is not a valid Prometheus metric name", "use only letters, digits, _ and : (no . or -)"
                )
            )
        if fmt == "influx":
            texts = (metric.measurement, metric.field, *(t for pair in (*metric.labels, *release.labels) for t in pair))
            if any(text.endswith("\\") for text in texts):
                problems.append(
                    SovereignError(
                        f"{where}: a name or label ends with a backslash, which line protocol cannot carry",
                        "drop the trailing backslash",
                    )
                )
        if fmt == "graphite":
            for key, value in metric.labels:
                if not _graphite_value_ok(value):
                    problems.append(
                        SovereignError(
                            f"{where}: Graphite tag {key} {quote(value)} holds ';' or starts with '~'",
                            "Graphite tag values cannot: change the value",
                        )
                    )
    if fmt == "graphite":
        for key, value in release.labels:
            if not _graphite_value_ok(value):
                problems.insert(
                    0,
                    SovereignError(
                        f"input '{key}' {quote(value)} cannot be a Graphite tag value (it holds ';' or starts with '~')",
                        "use another format, or a tag without ';'",
                    ),
                )
    raise_all(problems)


def _graphite_value_ok(value: str) -> bool:
    return ";" not in value and not value.startswith("~")


# -- influx -----------------------------------------------------------------------


def _influx_escape(text: str, specials: str) -> str:
    for ch in specials:
        text = text.replace(ch, "\\" + ch)
    return text


def _influx_value(value: int | float | str) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, int):
        return f"{value}i"
    return number_text(value)


def number_text(value: float) -> str:
    """A float the way people write it: 3 not 3.0, 0.5, 1e+20; every parser reads these."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def render_influx(metrics: Sequence[Metric], release: Release) -> str:
    lines: dict[tuple[str, tuple[tuple[str, str], ...]], list[str]] = {}
    for metric in metrics:
        tags = tuple(sorted((*metric.labels, *release.labels)))
        field = _influx_escape(metric.field, _INFLUX_KEY) + "=" + _influx_value(metric.value)
        lines.setdefault((metric.measurement, tags), []).append(field)
    stamp = round(release.epoch * 1_000_000_000)
    out = []
    for (measurement, tags), fields in lines.items():
        key = _influx_escape(measurement, _INFLUX_MEASUREMENT) + "".join(
            f",{_influx_escape(k, _INFLUX_KEY)}={_influx_escape(v, _INFLUX_KEY)}" for k, v in tags
        )
        out.append(f"{key} {','.join(fields)} {stamp}")
    return "\n".join(out) + "\n"


def influx_url(url: str) -> str:
    """Grafana Cloud shows ``…/api/v1/push/influx`` (Telegraf adds ``/write``); we add it too."""
    parts = urlsplit(url)
    if parts.path.rstrip("/").endswith(_INFLUX_PUSH_PATH):
        return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/write"))
    return url


# -- prometheus (Pushgateway) -----------------------------------------------------


def _prometheus_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render_prometheus(metrics: Sequence[Metric]) -> str:
    """The text exposition format; the grouping key (repository, tag) is in the URL."""
    by_name: dict[str, list[Metric]] = {}
    for metric in metrics:
        by_name.setdefault(metric.name, []).append(metric)
    out = []
    for name, group in by_name.items():
        out.append(f"# HELP {name} {group[0].help}")
        out.append(f"# TYPE {name} gauge")
        for metric in group:
            labels = ",".join(f'{k}="{_prometheus_label(v)}"' for k, v in metric.labels)
            value = metric.value if isinstance(metric.value, int) else number_text(float(metric.value))
            out.append(f"{name}{{{labels}}} {value}" if labels else f"{name} {value}")
    return "\n".join(out) + "\n"


def _path_segment(name: str, value: str) -> str:
    """``name/value``, base64url-encoded (``name@base64``) when the value needs it."""
    if re.fullmatch(r"[A-Za-z0-9._~-]+", value) and value not in (".", ".."):
        return f"{name}/{value}"
    encoded = base64.urlsafe_b64encode(value.encode("utf-8")).decode("ascii")
    return f"{name}@base64/{encoded}"


def pushgateway_url(url: str, job: str, release: Release) -> str:
    """``<gateway>/metrics/job/<job>/repository/<repo>/tag/<tag>``; a URL that already
    names a group (``…/metrics/job/x``) keeps it and gets the release labels appended."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if "/metrics/job" not in path:
        path += "/metrics/" + _path_segment("job", job)
    for name, value in release.labels:
        path += "/" + _path_segment(name, value)
    return urlunsplit(parts._replace(path=path))


# -- graphite (Grafana Cloud) -----------------------------------------------------


def render_graphite(metrics: Sequence[Metric], release: Release) -> str:
    points = [
        {
            "name": metric.name,
            "interval": GRAPHITE_INTERVAL,
            "value": metric.value,
            "time": int(release.epoch),
            "tags": [f"{k}={v}" for k, v in sorted((*metric.labels, *release.labels))],
        }
        for metric in metrics
    ]
    return json.dumps(points, ensure_ascii=False)


def build_push(fmt: str, url: str, metrics: Sequence[Metric], release: Release, job: str) -> Push:
    """The request for ``fmt``; ``url`` may be empty in a dry-run (shown as ``<metrics-url>``)."""
    base = url or "<metrics-url>"
    if fmt == "influx":
        return Push("POST", influx_url(base), "text/plain; charset=utf-8", render_influx(metrics, release))
    if fmt == "prometheus":
        target = pushgateway_url(url, job, release) if url else base
        return Push("PUT", target, "text/plain; version=0.0.4; charset=utf-8", render_prometheus(metrics))
    return Push("POST", base, "application/json", render_graphite(metrics, release))
