"""The three wire formats, byte for byte, and what each refuses before sending."""

from __future__ import annotations

import base64
import json

import pytest

from sovereign.errors import Failed, SovereignError
from sovereign.grafana_push.formats import (
    Release,
    build_push,
    check_format,
    check_metrics,
    influx_url,
    pushgateway_url,
    render_graphite,
    render_influx,
    render_prometheus,
)
from sovereign.grafana_push.metrics import Metric, parse_lines

RELEASE = Release("octo/widget", "v1.2.3", 1_700_000_000.5)
NS = "1700000000500000000"
COUNTS = [
    Metric("sovereign_release", "commits", 12, (), "Commits in the release"),
    Metric("sovereign_release", "days_since_previous", 13.5, (), "Days between releases"),
]


# -- influx -------------------------------------------------------------------------------


def test_influx_groups_fields_of_a_measurement_and_types_them():
    assert render_influx(COUNTS, RELEASE) == (
        f"sovereign_release,repository=octo/widget,tag=v1.2.3 commits=12i,days_since_previous=13.5 {NS}\n"
    )


def test_influx_escapes_names_tags_and_text():
    metrics = [
        Metric("deploy time,eu", "value", 2.0, (("env", "prod, eu=1"), ("a b", "x"))),
        Metric("flag", "value", 'say "hi" \\ now'),
        Metric("m", "my field,=x", 1.0),
    ]
    assert render_influx(metrics, Release("o/r", "v1", 1.0)).splitlines() == [
        r"deploy\ time\,eu,a\ b=x,env=prod\,\ eu\=1,repository=o/r,tag=v1 value=2 1000000000",
        r'flag,repository=o/r,tag=v1 value="say \"hi\" \\ now" 1000000000',
        r"m,repository=o/r,tag=v1 my\ field\,\=x=1 1000000000",
    ]


@pytest.mark.parametrize(("value", "text"), [(3.0, "3"), (0.25, "0.25"), (-2.0, "-2"), (1e20, "1e+20"), (7, "7i")])
def test_influx_numbers(value, text):
    assert render_influx([Metric("m", "value", value)], RELEASE).split(" ")[1] == f"value={text}"


def test_influx_url_completes_grafana_clouds_shown_endpoint_only():
    assert (
        influx_url("https://influx-prod-1.grafana.net/api/v1/push/influx")
        == "https://influx-prod-1.grafana.net/api/v1/push/influx/write"
    )
    assert (
        influx_url("https://x.grafana.net/api/v1/push/influx/write") == "https://x.grafana.net/api/v1/push/influx/write"
    )
    assert influx_url("http://127.0.0.1:8086/write?db=r") == "http://127.0.0.1:8086/write?db=r"


# -- prometheus ---------------------------------------------------------------------------


def test_prometheus_text_has_help_type_lf_and_a_final_newline_and_no_timestamps():
    metrics = [*COUNTS, *parse_lines('deploy{env="a \\"b\\" \\\\"} 1\ndeploy{env="c"} 2.5')]
    text = render_prometheus(metrics)
    assert text == (
        "# HELP sovereign_release_commits Commits in the release\n"
        "# TYPE sovereign_release_commits gauge\n"
        "sovereign_release_commits 12\n"
        "# HELP sovereign_release_days_since_previous Days between releases\n"
        "# TYPE sovereign_release_days_since_previous gauge\n"
        "sovereign_release_days_since_previous 13.5\n"
        "# HELP deploy Release metric pushed by Sovereign\n"
        "# TYPE deploy gauge\n"
        'deploy{env="a \\"b\\" \\\\"} 1\n'
        'deploy{env="c"} 2.5\n'
    )
    assert "\r" not in text and "repository" not in text, "the grouping key carries repository and tag"


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def test_pushgateway_url_puts_release_labels_in_the_grouping_key():
    assert pushgateway_url("http://127.0.0.1:9091", "sovereign", RELEASE) == (
        f"http://127.0.0.1:9091/metrics/job/sovereign/repository@base64/{b64('octo/widget')}/tag/v1.2.3"
    )
    weird = Release("o/r", "v1/../x y", 0)
    assert pushgateway_url("https://gw.example/prefix/", "my job", weird) == (
        f"https://gw.example/prefix/metrics/job@base64/{b64('my job')}"
        f"/repository@base64/{b64('o/r')}/tag@base64/{b64('v1/../x y')}"
    )
    assert pushgateway_url("https://gw.example/metrics/job/ci", "ignored", Release("o-r", "v1", 0)) == (
        "https://gw.example/metrics/job/ci/repository/o-r/tag/v1"
    )


# -- graphite -----------------------------------------------------------------------------


def test_graphite_json_shape():
    metrics = [COUNTS[0], *parse_lines('deploy{env="prod"} 4.5')]
    assert json.loads(render_graphite(metrics, RELEASE)) == [
        {
            "name": "sovereign_release_commits",
            "interval": 10,
            "value": 12,
            "time": 1_700_000_000,
            "tags": ["repository=octo/widget", "tag=v1.2.3"],
        },
        {
            "name": "deploy",
            "interval": 10,
            "value": 4.5,
            "time": 1_700_000_000,
            "tags": ["env=prod", "repository=octo/widget", "tag=v1.2.3"],
        },
    ]


# -- what each format refuses --------------------------------------------------------------


def test_unknown_format():
    with pytest.raises(SovereignError, match="input 'metrics-format' is 'json', which is not a known format"):
        check_format("json")
    assert [check_format(f) for f in ("influx", "prometheus", "graphite")] == ["influx", "prometheus", "graphite"]


@pytest.mark.parametrize(
    ("fmt", "line", "reason"),
    [
        ("prometheus", 'flag "on"', "metric flag (metrics line 1) has a text value, which prometheus cannot carry"),
        ("graphite", 'flag "on"', "has a text value, which graphite cannot carry"),
        ("prometheus", "deploy.time 1", "metric deploy.time (metrics line 1) is not a valid Prometheus metric name"),
        ("prometheus", "deploy-time 1", "is not a valid Prometheus metric name"),
        ("graphite", 'deploy{env="a;b"} 1', "Graphite tag env 'a;b' holds ';' or starts with '~'"),
        ("graphite", 'deploy{env="~a"} 1', "Graphite tag env '~a' holds ';'"),
        ("influx", 'deploy{env="a\\\\"} 1', "a name or label ends with a backslash"),
    ],
)
def test_format_limits_are_errors_before_sending(fmt, line, reason):
    with pytest.raises(SovereignError) as caught:
        check_metrics(fmt, parse_lines(line), RELEASE)
    assert reason in caught.value.what


def test_what_each_format_accepts():
    check_metrics("influx", parse_lines('flag "on"\ndeploy.time-x 1\ndeploy{env="a;b"} 1'), RELEASE)
    check_metrics("graphite", parse_lines("deploy.time-x 1"), RELEASE)
    check_metrics("prometheus", parse_lines("deploy:time_x 1"), RELEASE)


def test_several_format_problems_are_reported_together():
    with pytest.raises(Failed) as caught:
        check_metrics("prometheus", parse_lines('a.b 1\nflag "x"'), RELEASE)
    assert len(caught.value.problems) == 2


def test_a_tag_graphite_cannot_carry_is_refused():
    with pytest.raises(SovereignError, match="input 'tag' 'v1;x' cannot be a Graphite tag value"):
        check_metrics("graphite", COUNTS, Release("o/r", "v1;x", 0))


def test_build_push_per_format():
    influx = build_push("influx", "http://127.0.0.1:8086/write?db=r", COUNTS, RELEASE, "sovereign")
    assert (influx.method, influx.content_type) == ("POST", "text/plain; charset=utf-8")
    prometheus = build_push("prometheus", "http://127.0.0.1:9091", COUNTS, RELEASE, "sovereign")
    assert prometheus.method == "PUT" and prometheus.url.endswith("/tag/v1.2.3")
    assert prometheus.content_type == "text/plain; version=0.0.4; charset=utf-8"
    graphite = build_push("graphite", "https://graphite.example/graphite/metrics", COUNTS, RELEASE, "sovereign")
    assert (graphite.method, graphite.content_type) == ("POST", "application/json")
    assert build_push("prometheus", "", COUNTS, RELEASE, "sovereign").url == "<metrics-url>", "dry-run without a URL"
