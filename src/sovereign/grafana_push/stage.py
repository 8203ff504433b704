"""grafana-push: the release marker in Grafana and the release's metrics.

Inputs are checked first (URLs, format, every metrics line, the changelog), so
a bad input fails before anything is sent. Then the annotation (found and
updated, or created) and the metrics push. A dry-run shows and saves both
requests exactly, sends nothing, and needs no URL or credentials.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sovereign.artifacts import artifacts_dir, file_name, workspace, workspace_file, write
from sovereign.errors import SovereignError
from sovereign.gha import REPOSITORY_INPUT, TAG_INPUT, Input, Inputs, Stage, Step, quote, release_tag
from sovereign.gitrepo import GitRepo
from sovereign.grafana import API_KEY_INPUT, Grafana
from sovereign.grafana_push import annotation, formats, metrics
from sovereign.grafana_push.push import authorization, send
from sovereign.http import check_url
from sovereign.markdown import code, escape, table
from sovereign.release import Changelog, load

STAGE_NAME = "grafana-push"


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


# -- inputs ---------------------------------------------------------------------------


def _repository(inputs: Inputs) -> str:
    repository = inputs.text("repository")
    if not repository:
        raise SovereignError(
            "input 'repository' is empty and GITHUB_REPOSITORY is not set", "pass --repository owner/name"
        )
    return repository


def _check_tag(tag: str) -> str:
    if not tag.strip() or tag.startswith("-") or any(ch.isspace() or not ch.isprintable() for ch in tag):
        raise SovereignError(
            f"input 'tag' {quote(tag)} is not a usable release tag",
            "give the tag itself, e.g. v1.2.3 (no spaces, line breaks or leading '-')",
        )
    return tag


def _changelog(inputs: Inputs, tag: str, environ: Mapping[str, str]) -> Changelog | None:
    path = inputs.text("changelog-json")
    if not path:
        return None
    changelog = load(workspace_file(path, "changelog-json", environ))
    if changelog.get("tag") != tag:
        raise SovereignError(
            f"input 'changelog-json' describes {quote(str(changelog.get('tag')))}, not the release tag {quote(tag)}",
            "pass the changelog-<tag>.json written for this release",
        )
    return changelog


def days_from_git(changelog: Changelog, environ: Mapping[str, str]) -> float | None:
    """Days between the previous tag's commit and this tag's, when the checkout has both."""
    previous, tag = changelog.get("previous_tag"), changelog.get("tag")
    if not isinstance(previous, str) or not previous or not isinstance(tag, str):
        return None
    repo = GitRepo(workspace(environ))
    if not repo.is_repo():
        return None
    stamps = []
    for rev in (previous, tag):
        commit = repo.commit_of(rev)
        if commit is None:
            return None
        stamps.append(int(repo.text("show", "-s", "--format=%ct", commit)))
    return round((stamps[1] - stamps[0]) / 86400, 3)


def report_path(inputs: Inputs, tag: str, environ: Mapping[str, str]) -> Path:
    """Where the report (every request, sent or not) is saved."""
    return artifacts_dir(inputs.text("artifacts-dir"), environ) / file_name(STAGE_NAME, tag, "json")


def _pretty(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


# -- the two halves ---------------------------------------------------------------------


def _annotation(step: Step, inputs: Inputs, report: Report, changelog: Changelog | None, now: float) -> str:
    """Create or update the marker (or show it in a dry-run); return its id or ""."""
    repository, tag, dry_run = report.repository, report.tag, report.dry_run
    url = inputs.text("grafana-url")
    key = inputs.secret("grafana-api-key")
    dashboard_uid = inputs.text("dashboard-uid")
    marker = annotation.Marker(
        tags=annotation.marker_tags(repository, tag, inputs.items("annotation-tags")),
        text=inputs.raw("annotation-text").strip() or annotation.default_text(repository, tag, changelog, step.environ),
        dashboard_uid=dashboard_uid,
        time_ms=int(now * 1000),
    )
    where = f"dashboard {dashboard_uid}" if dashboard_uid else "organisation-wide"
    if not url and not dry_run:
        step.notice("no grafana-url: the release annotation is skipped (set grafana-url, or annotation: false)")
        report.annotation = {"action": "skipped", "reason": "no grafana-url"}
        return ""
    if url and not key and not dry_run:
        raise SovereignError(
            "input 'grafana-api-key' is empty", "pass a Grafana service-account token (see the grafana-push README)"
        )
    existing: list[dict[str, Any]] = []
    client = None
    if url and key:  # a dry-run may read: it then shows an update as an update
        client = Grafana(url, key)
        existing = annotation.find_existing(client, repository, tag, dashboard_uid)
    base = client.url if client else (url.rstrip("/") if url else "<grafana-url>")
    if existing:
        method, path = "PUT", f"/api/annotations/{int(existing[0]['id'])}"
        body = annotation.update_payload(marker, existing[0])
    else:
        method, path, body = "POST", "/api/annotations", annotation.create_payload(marker)
    report.annotation = {"method": method, "url": base + path, "body": body}
    if dry_run or client is None:
        would = f"dry-run: would {method} {base}{path} ({where}):"
        saved = report_path(inputs, report.tag, step.environ)
        step.payload(f"annotation: would {method} {base}{path} ({where})", body, saved, actions=[would, _pretty(body)])
        report.annotation["action"] = "would update" if existing else "would create"
        return str(existing[0]["id"]) if existing else ""
    published = annotation.publish(client, marker, existing, repository)
    report.annotation.update(action=published.action, id=published.id)
    step.info(f"annotation {published.id} {published.action} ({where}), tags: {', '.join(marker.tags)}")
    if published.duplicates:
        step.warning(
            f"Grafana holds more markers for {repository} {tag}: {', '.join(map(str, published.duplicates))}; "
            f"annotation {published.id} was updated, the others were left alone (delete them in Grafana)"
        )
    return str(published.id)


@dataclass(frozen=True)
class MetricsPlan:
    """The metrics, checked against their format and endpoint before anything is sent."""

    fmt: str
    url: str
    every: list[metrics.Metric]
    given: bool  # the user asked for metrics, so a missing metrics-url is an error
    release: formats.Release


def plan_metrics(inputs: Inputs, derived: Sequence[metrics.Metric], release: formats.Release) -> MetricsPlan:
    fmt = formats.check_format(inputs.text("metrics-format"))
    url = inputs.text("metrics-url")
    if url:
        check_url(url, "input 'metrics-url'")
    given = metrics.parse_lines(inputs.raw("metrics"))
    every = metrics.combine(derived, given)
    formats.check_metrics(fmt, every, release)
    authorization(inputs.text("metrics-user"), inputs.secret("metrics-token"))  # refuses a user without a token
    if given and not url and not inputs.flag("dry-run"):
        raise SovereignError(
            "input 'metrics' is set but 'metrics-url' is empty", "set metrics-url to where the metrics should go"
        )
    return MetricsPlan(fmt, url, every, bool(given), release)


def _metrics(step: Step, inputs: Inputs, report: Report, plan: MetricsPlan) -> int:
    """Push the metrics (or show them in a dry-run); return how many."""
    fmt, url, every = plan.fmt, plan.url, plan.every
    if not every:
        if url:
            step.notice("no metrics to push: give changelog-json and/or metrics")
        return 0
    if not url and not report.dry_run:
        step.info(f"no metrics-url: {len(every)} release metric(s) computed, not pushed")
        return 0
    job = inputs.text("metrics-job") or "sovereign"
    push = formats.build_push(fmt, url, every, plan.release, job)
    report.metrics = {
        "format": fmt,
        "method": push.method,
        "url": push.url,
        "content_type": push.content_type,
        "count": len(every),
        "body": push.body,
        "series": [{"name": m.name, "labels": dict(m.labels), "value": m.value} for m in every],
    }
    user, token = inputs.text("metrics-user"), inputs.secret("metrics-token")
    if report.dry_run:
        auth = authorization(user, token).partition(" ")[0] or "no credentials"
        would = f"dry-run: would {push.method} {push.url} ({fmt}, {auth}, Content-Type: {push.content_type}):"
        saved = report_path(inputs, report.tag, step.environ)
        step.payload(
            f"metrics: would {push.method} {push.url} ({fmt}, {auth})",
            push.body,
            saved,
            actions=[would, push.body.rstrip("\n")],
        )
        report.metrics["sent"] = False
        return len(every)
    status = send(push, user, token, step)
    report.metrics["sent"] = True
    step.info(f"pushed {len(every)} metric(s) as {fmt} to {urlsplit(push.url).hostname} (HTTP {status})")
    return len(every)


# -- report -----------------------------------------------------------------------------


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


def run(step: Step, inputs: Inputs) -> None:
    dry_run = inputs.flag("dry-run")
    want_annotation = inputs.flag("annotation")
    tag = _check_tag(release_tag(inputs.raw("tag"), step.environ))
    repository = _repository(inputs)
    # Every input is checked before anything is sent.
    if inputs.text("grafana-url"):
        check_url(inputs.text("grafana-url"), "input 'grafana-url'")
    changelog = _changelog(inputs, tag, step.environ)
    derived: list[metrics.Metric] = []
    if changelog is not None:
        days = metrics.days_from_changelog(changelog)
        if days is None:
            days = days_from_git(changelog, step.environ)
        derived = metrics.release_metrics(changelog, days)
    now = time.time()  # one instant for the marker and every metric point
    plan = plan_metrics(inputs, derived, formats.Release(repository, tag, now))
    if not dry_run and not inputs.text("grafana-url") and not plan.url:
        raise SovereignError(
            "nothing to do: neither grafana-url nor metrics-url is set",
            "set grafana-url (annotation) and/or metrics-url (metrics), or run with dry-run: true to see the payloads",
        )
    if dry_run:
        step.info("dry-run: nothing is sent; the requests below are what would be")

    report = Report(tag, repository, dry_run)
    annotation_id = _annotation(step, inputs, report, changelog, now) if want_annotation else ""
    step.set_output("annotation-id", annotation_id)  # before the push: a failed push still reports the marker
    count = _metrics(step, inputs, report, plan)
    step.set_output("metrics-count", str(count))
    saved = report_path(inputs, tag, step.environ)
    path = write(saved.parent, saved.name, report.as_json(), step)
    step.set_output("report-file", str(path))
    step.summary(render_summary(report))


STAGE = Stage(
    name=STAGE_NAME,
    description="Mark the release in Grafana (an annotation) and push the release's metrics.",
    own_inputs=(
        Input("grafana-url", "Grafana's base URL, e.g. https://example.grafana.net"),
        API_KEY_INPUT,
        TAG_INPUT,
        REPOSITORY_INPUT,
        Input("annotation", "post (or update) the release annotation", "true", boolean=True),
        Input("dashboard-uid", "attach the annotation to this dashboard (organisation-wide when empty)"),
        Input("annotation-tags", "extra annotation tags, comma or newline separated"),
        Input("annotation-text", "the annotation text (default: release title, numbers and links)"),
        Input("changelog-json", "a changelog JSON file (sovereign.changelog/v1); release metrics come from it"),
        Input("metrics", 'extra metrics, one per line: name value, name=value or name{label="x"} value'),
        Input("metrics-url", "where to push metrics"),
        Input("metrics-format", "influx, prometheus (Pushgateway) or graphite", "influx"),
        Input("metrics-user", "user for basic auth at metrics-url (e.g. the Grafana Cloud instance ID)"),
        Input(
            "metrics-token",
            "token for metrics-url: basic auth with metrics-user, else bearer",
            secret=True,
            env_fallbacks=("METRICS_TOKEN",),
        ),
        Input("metrics-job", "the Pushgateway job name (prometheus format)", "sovereign"),
    ),
    main=run,
)
