"""grafana-push: the release marker in Grafana and the release's metrics.

Every input is read and checked here, once, into :class:`Settings` (URLs,
format, every metrics line, the credentials, the changelog), so a bad input
fails before any git or HTTP call; :func:`core.publish` does the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

from sovereign.artifacts import artifacts_dir
from sovereign.gha import REPOSITORY_INPUT, TAG_INPUT, Input, Inputs, Stage, Step, release_tag
from sovereign.github_env import repository_or_origin
from sovereign.grafana import API_KEY_INPUT
from sovereign.grafana_push.core import STAGE_NAME, publish
from sovereign.grafana_push.settings import (
    AnnotationSettings,
    Settings,
    check_grafana_url,
    check_repository,
    check_tag,
    check_targets,
    load_changelog,
    metrics_settings,
)


def read_settings(inputs: Inputs, environ: Mapping[str, str]) -> Settings:
    """The inputs in the order they have always been checked: with several bad ones,
    the same one is reported."""
    dry_run = inputs.flag("dry-run")
    want_annotation = inputs.flag("annotation")
    tag = check_tag(release_tag(inputs.raw("tag"), environ))
    repository = check_repository(repository_or_origin(inputs.text("repository"), environ))
    grafana_url = check_grafana_url(inputs.text("grafana-url"))
    changelog = load_changelog(inputs.text("changelog-json"), tag, environ)
    wanted_metrics = metrics_settings(
        fmt=inputs.text("metrics-format"),
        url=inputs.text("metrics-url"),
        lines=inputs.raw("metrics"),
        user=inputs.text("metrics-user"),
        token=inputs.secret("metrics-token"),
        job=inputs.text("metrics-job"),
        dry_run=dry_run,
    )
    marker = AnnotationSettings(
        enabled=want_annotation,
        grafana_url=grafana_url,
        api_key=inputs.secret("grafana-api-key"),
        dashboard_uid=inputs.text("dashboard-uid"),
        extra_tags=tuple(inputs.items("annotation-tags")),
        text=inputs.raw("annotation-text").strip(),
    )
    settings = Settings(
        tag=tag,
        repository=repository,
        dry_run=dry_run,
        changelog=changelog,
        annotation=marker,
        metrics=wanted_metrics,
        artifacts_dir=artifacts_dir(inputs.text("artifacts-dir"), environ),
    )
    return check_targets(settings)


def run(step: Step, inputs: Inputs) -> None:
    publish(step, read_settings(inputs, step.environ))


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
