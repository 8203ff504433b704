"""grafana-push's inputs as one frozen, typed value, checked before any git or HTTP call.

``stage.py`` reads the raw inputs and hands them, as plain values, to the checks
below in a fixed order (so with several bad inputs the same one is reported
first); everything past it works from :class:`Settings` alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sovereign.artifacts import workspace_file
from sovereign.errors import SovereignError
from sovereign.gha import Secret, quote
from sovereign.grafana_push import formats
from sovereign.grafana_push.metrics import Metric, parse_lines
from sovereign.grafana_push.push import authorization
from sovereign.http import check_url
from sovereign.release import Changelog, load
from sovereign.release import check_tag as check_release_tag

DEFAULT_JOB = "sovereign"


@dataclass(frozen=True)
class AnnotationSettings:
    """The release marker in Grafana."""

    enabled: bool
    grafana_url: str  # "" skips the marker (a dry-run shows it with <grafana-url>)
    api_key: Secret
    dashboard_uid: str  # "" marks the whole organisation
    extra_tags: tuple[str, ...]
    text: str  # "" means the default text: title, numbers and links


@dataclass(frozen=True)
class MetricsSettings:
    """Where the release's metrics go, in which format, with which credentials."""

    format: str
    url: str  # "" computes the metrics without pushing them
    given: tuple[Metric, ...]  # the ``metrics`` input, parsed
    user: str
    token: Secret
    job: str


@dataclass(frozen=True)
class Settings:
    tag: str
    repository: str
    dry_run: bool
    changelog: Changelog | None
    annotation: AnnotationSettings
    metrics: MetricsSettings
    artifacts_dir: Path


def check_tag(tag: str) -> str:
    if not tag.strip() or tag.startswith("-") or any(ch.isspace() or not ch.isprintable() for ch in tag):
        raise SovereignError(
            f"input 'tag' {quote(tag)} is not a usable release tag",
            "give the tag itself, e.g. v1.2.3 (no spaces, line breaks or leading '-')",
        )
    return tag


def check_repository(repository: str) -> str:
    if not repository:
        raise SovereignError(
            "input 'repository' is empty, GITHUB_REPOSITORY is not set and the checkout has no GitHub origin remote",
            "pass --repository owner/name",
        )
    return repository


def check_grafana_url(url: str) -> str:
    if url:
        check_url(url, "input 'grafana-url'")
    return url


def load_changelog(path: str, tag: str, environ: Mapping[str, str]) -> Changelog | None:
    """The ``changelog-json`` file, which must describe this release; None when not given."""
    if not path:
        return None
    changelog = load(workspace_file(path, "changelog-json", environ))
    check_release_tag(changelog, tag)
    return changelog


def metrics_settings(
    *, fmt: str, url: str, lines: str, user: str, token: Secret, job: str, dry_run: bool
) -> MetricsSettings:
    """Format, endpoint, every line of the ``metrics`` input and the credentials, checked."""
    fmt = formats.check_format(fmt)
    if url:
        check_url(url, "input 'metrics-url'")
    given = tuple(parse_lines(lines))
    authorization(user, token)  # refuses a user without a token
    if given and not url and not dry_run:
        raise SovereignError(
            "input 'metrics' is set but 'metrics-url' is empty", "set metrics-url to where the metrics should go"
        )
    return MetricsSettings(fmt, url, given, user, token, job or DEFAULT_JOB)


def check_targets(settings: Settings) -> Settings:
    """A real run needs somewhere to send, and Grafana needs its key."""
    marker = settings.annotation
    if not settings.dry_run and not marker.grafana_url and not settings.metrics.url:
        raise SovereignError(
            "nothing to do: neither grafana-url nor metrics-url is set",
            "set grafana-url (annotation) and/or metrics-url (metrics), or run with dry-run: true to see the payloads",
        )
    if marker.enabled and marker.grafana_url and not marker.api_key and not settings.dry_run:
        raise SovereignError(
            "input 'grafana-api-key' is empty", "pass a Grafana service-account token (see the grafana-push README)"
        )
    return settings
