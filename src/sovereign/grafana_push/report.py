"""What grafana-push sent (or would have): the JSON report and the job summary."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sovereign.grafana_push import formats
from sovereign.markdown import code, escape, table


@dataclass
class Report:
    """What was (or would have been) sent; saved as ``grafana-push-<tag>.json``."""

    tag: str
    repository: str
    dry_run: bool
    annotation: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> str:
        data = {
            "tag": self.tag,
            "repository": self.repository,
            "dry_run": self.dry_run,
            "annotation": self.annotation or None,
            "metrics": self.metrics or None,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _value_text(value: Any) -> str:
    return str(value) if isinstance(value, (int, str)) else formats.number_text(float(value))


def render_summary(report: Report) -> str:
    head = f"## Sovereign grafana-push — {code(report.repository)} {code(report.tag)}"
    lines = [head + (" (dry-run: nothing sent)" if report.dry_run else ""), ""]
    note = report.annotation
    if note.get("action") == "skipped":
        lines.append(f"Annotation: skipped ({escape(str(note.get('reason', '')))}).")
    elif note:
        body = note.get("body", {})
        place = f"dashboard {code(str(body['dashboardUID']))}" if body.get("dashboardUID") else "organisation-wide"
        ident = f" #{note['id']}" if "id" in note else ""
        tags = ", ".join(code(str(t)) for t in body.get("tags", []))
        lines.append(f"Annotation{ident}: {escape(str(note.get('action', '')))}, {place}; tags {tags}.")
    else:
        lines.append("Annotation: off.")
    lines.append("")
    pushed = report.metrics
    if pushed:
        host = urlsplit(pushed["url"]).hostname or pushed["url"]
        verb = "pushed to" if pushed.get("sent") else "would be pushed to"
        lines.append(f"Metrics: {pushed['count']} {verb} {code(str(host))} as {escape(pushed['format'])}.")
        lines.append("")
        rows = [
            [
                code(s["name"]),
                escape(", ".join(f"{k}={v}" for k, v in s["labels"].items())) or "—",
                escape(_value_text(s["value"])),
            ]
            for s in pushed["series"]
        ]
        lines.append(table(["metric", "labels (plus repository, tag)", "value"], rows))
    else:
        lines.append("Metrics: none pushed.")
    return "\n".join(lines) + "\n"
