"""grafana-push's work, from checked settings to outputs and the report.

The release metrics are derived (from the changelog, or the checkout's dates)
and checked against their format before anything is sent. Then the annotation
(found and updated, or created) and the metrics push. A dry-run shows and saves
both requests exactly, sends nothing, and needs no URL or credentials.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sovereign import preview
from sovereign.artifacts import file_name, workspace, write
from sovereign.errors import SovereignError
from sovereign.gha import Step
from sovereign.gitrepo import GitRepo
from sovereign.grafana import Grafana
from sovereign.grafana_push import annotation, formats, metrics
from sovereign.grafana_push.push import authorization, send
from sovereign.grafana_push.report import Report, render_summary
from sovereign.grafana_push.settings import MetricsSettings, Settings
from sovereign.http import where as where_is
from sovereign.release import Changelog

STAGE_NAME = "grafana-push"


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


def derived_metrics(changelog: Changelog | None, environ: Mapping[str, str]) -> list[metrics.Metric]:
    """The release's numbers from its changelog; none without one."""
    if changelog is None:
        return []
    days = metrics.days_from_changelog(changelog)
    if days is None:
        days = days_from_git(changelog, environ)
    return metrics.release_metrics(changelog, days)


def plan_metrics(
    wanted: MetricsSettings, derived: Sequence[metrics.Metric], release: formats.Release
) -> list[metrics.Metric]:
    """Every metric to push, each series once and each one carriable by the format."""
    every = metrics.combine(derived, wanted.given)
    formats.check_metrics(wanted.format, every, release)
    return every


def report_path(settings: Settings) -> Path:
    """Where the report (every request, sent or not) is saved."""
    return settings.artifacts_dir / file_name(STAGE_NAME, settings.tag, "json")


# -- the two halves ---------------------------------------------------------------------


def _annotation(step: Step, settings: Settings, report: Report, now: float) -> str:
    """Create or update the marker (or show it in a dry-run); return its id or ""."""
    repository, tag, dry_run = report.repository, report.tag, report.dry_run
    wanted = settings.annotation
    url, key, dashboard_uid = wanted.grafana_url, wanted.api_key, wanted.dashboard_uid
    marker = annotation.Marker(
        tags=annotation.marker_tags(repository, tag, wanted.extra_tags),
        text=wanted.text or annotation.default_text(repository, tag, settings.changelog, step.environ),
        dashboard_uid=dashboard_uid,
        time_ms=int(now * 1000),
    )
    where = f"dashboard {dashboard_uid}" if dashboard_uid else "organisation-wide"
    if not url and not dry_run:
        step.notice("no grafana-url: the release annotation is skipped (set grafana-url, or annotation: false)")
        report.annotation = {"action": "skipped", "reason": "no grafana-url"}
        return ""
    existing: list[dict[str, Any]] = []
    client = None
    unknown = False  # a dry-run that could not read Grafana: create or update is not known
    if url and key:  # a dry-run may read: it then shows an update as an update
        client = Grafana(url, key)
        try:
            existing = annotation.find_existing(client, repository, tag, dashboard_uid)
        except SovereignError as err:
            if not dry_run:
                raise
            unknown = True
            step.warning(
                f"dry-run: could not read Grafana at {where_is(client.url)} ({err.what}): whether the annotation "
                "would be created or updated is unknown; the request below is the create (an update sends the same "
                "tags and text)"
            )
    base = client.url if client else (url.rstrip("/") if url else "<grafana-url>")
    if existing:
        method, path = "PUT", f"/api/annotations/{int(existing[0]['id'])}"
        body = annotation.update_payload(marker, existing[0])
    else:
        method, path, body = "POST", "/api/annotations", annotation.create_payload(marker)
    report.annotation = {"method": method, "url": base + path, "body": body}
    if dry_run or client is None:
        either = ", or PUT /api/annotations/<id> if Grafana holds it already" if unknown else ""
        would = f"dry-run: would {method} {base}{path} ({where}){either}:"
        pretty = json.dumps(body, indent=2, ensure_ascii=False)
        label = f"annotation: would {method} {base}{path} ({where}){either}"
        step.payload(label, body, report_path(settings), actions=[would, pretty])
        report.annotation["action"] = (
            "would create or update" if unknown else "would update" if existing else "would create"
        )
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


def _metrics(
    step: Step,
    wanted: MetricsSettings,
    report: Report,
    every: Sequence[metrics.Metric],
    release: formats.Release,
    *,
    saved: Path,
) -> int:
    """Push the metrics (or show them in a dry-run); return how many."""
    fmt, url = wanted.format, wanted.url
    if not every:
        if url:
            step.notice("no metrics to push: give changelog-json and/or metrics")
        return 0
    if not url and not report.dry_run:
        step.info(f"no metrics-url: {len(every)} release metric(s) computed, not pushed")
        return 0
    push = formats.build_push(fmt, url, every, release, wanted.job)
    report.metrics = {
        "format": fmt,
        "method": push.method,
        "url": push.url,
        "content_type": push.content_type,
        "count": len(every),
        "body": push.body,
        "series": [{"name": m.name, "labels": dict(m.labels), "value": m.value} for m in every],
    }
    if report.dry_run:
        auth = authorization(wanted.user, wanted.token).partition(" ")[0] or "no credentials"
        would = f"dry-run: would {push.method} {push.url} ({fmt}, {auth}, Content-Type: {push.content_type}):"
        step.payload(
            f"metrics: would {push.method} {push.url} ({fmt}, {auth})",
            push.body,
            saved,
            actions=[would, push.body.rstrip("\n")],
        )
        report.metrics["sent"] = False
        return len(every)
    status = send(push, wanted.user, wanted.token, step)
    report.metrics["sent"] = True
    step.info(f"pushed {len(every)} metric(s) as {fmt} to {urlsplit(push.url).hostname} (HTTP {status})")
    return len(every)


def publish(step: Step, settings: Settings) -> None:
    """Derive and check the metrics, then mark the release and push them; write the report."""
    derived = derived_metrics(settings.changelog, step.environ)
    now = time.time()  # one instant for the marker and every metric point
    release = formats.Release(settings.repository, settings.tag, now)
    every = plan_metrics(settings.metrics, derived, release)
    if settings.dry_run:
        step.info("dry-run: nothing is sent; the requests below are what would be")

    report = Report(settings.tag, settings.repository, settings.dry_run)
    annotation_id = _annotation(step, settings, report, now) if settings.annotation.enabled else ""
    step.set_output("annotation-id", annotation_id)  # before the push: a failed push still reports the marker
    count = _metrics(step, settings.metrics, report, every, release, saved=report_path(settings))
    step.set_output("metrics-count", str(count))
    path = write(settings.artifacts_dir, file_name(STAGE_NAME, settings.tag, "json"), report.as_json(), step)
    step.set_output("report-file", str(path))
    step.summary(render_summary(report))
    preview.refresh(path.parent, settings.tag, step)
