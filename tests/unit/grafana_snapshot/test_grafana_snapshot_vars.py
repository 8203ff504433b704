"""Template variables: current values, and interpolation as Grafana's frontend does it."""

from __future__ import annotations

import pytest

from sovereign.grafana_snapshot.variables import (
    Value,
    builtins,
    current_values,
    interpolate,
    interpolate_all,
    unresolved_all,
    variable_name,
    with_scoped,
)


def dashboard(*variables):
    return {"templating": {"list": list(variables)}}


JOB = {
    "name": "job",
    "type": "query",
    "multi": True,
    "includeAll": True,
    "current": {"text": ["api", "worker"], "value": ["api", "worker"]},
}
ENV = {"name": "env", "type": "custom", "current": {"text": "prod", "value": "prod"}}


def test_current_values():
    values = current_values(dashboard(JOB, ENV, {"name": "filters", "type": "adhoc"}))
    assert values == {
        "job": Value(("api", "worker"), "api + worker", multi=True, include_all=True),
        "env": Value(("prod",), "prod"),
    }


def test_all_expands_to_stored_options_or_custom_all_value():
    options = {
        **JOB,
        "current": {"text": "All", "value": ["$__all"]},
        "options": [{"text": "All", "value": "$__all"}, {"text": "a", "value": "a"}, {"text": "b", "value": "b"}],
    }
    assert current_values(dashboard(options))["job"].values == ("a", "b")
    custom = {**JOB, "current": {"text": "All", "value": "$__all"}, "allValue": ".*"}
    assert current_values(dashboard(custom))["job"] == Value((".*",), "All", True, True, custom_all=True)
    unknown = {**JOB, "current": {"text": "All", "value": "$__all"}, "options": []}
    assert "job" not in current_values(dashboard(unknown))
    assert unresolved_all(dashboard(unknown)) == {"job"}


@pytest.mark.parametrize(
    ("text", "ds_type", "expected"),
    [
        ('up{job=~"$job", env="$env"}', "prometheus", 'up{job=~"(api|worker)", env="prod"}'),
        ('up{job=~"${job}"}', "loki", 'up{job=~"(api|worker)"}'),
        (
            "WHERE job IN ($job) AND env = '$env'",
            "grafana-postgresql-datasource",
            "WHERE job IN ('api','worker') AND env = 'prod'",
        ),
        ("jobs: $job", "", "jobs: {api,worker}"),
        ("${job:csv}", "prometheus", "api,worker"),
        ("${job:pipe}", "", "api|worker"),
        ("${job:json}", "", '["api", "worker"]'),
        ("${job:singlequote}", "", "'api','worker'"),
        ("${job:doublequote}", "", '"api","worker"'),
        ("${job:sqlstring}", "", "'api','worker'"),
        ("${job:queryparam}", "", "var-job=api&var-job=worker"),
        ("${job:text}", "", "api + worker"),
        ("[[env]]", "", "prod"),
        (
            "$__rate_interval $__interval $__timeFilter(ts) $unknown",
            "prometheus",
            "$__rate_interval $__interval $__timeFilter(ts) $unknown",
        ),
    ],
)
def test_interpolate(text, ds_type, expected):
    values = current_values(dashboard(JOB, ENV))
    assert interpolate(text, values, ds_type) == expected


def test_regex_values_are_escaped_for_prometheus():
    values = {"path": Value(("/api/v1.0", "a|b"), "", multi=True)}
    assert interpolate('{path=~"$path"}', values, "prometheus") == '{path=~"(/api/v1\\\\.0|a\\\\|b)"}'
    assert interpolate("${path:regex}", values, "") == "(\\/api\\/v1\\.0|a\\|b)"


def test_sql_single_value_quotes_are_doubled():
    values = {"name": Value(("O'Brien",), "O'Brien")}
    assert interpolate("WHERE name = '$name'", values, "mysql") == "WHERE name = 'O''Brien'"


def test_custom_all_value_is_used_raw():
    values = {"job": Value((".*",), "All", True, True, custom_all=True)}
    assert interpolate('up{job=~"$job"}', values, "prometheus") == 'up{job=~".*"}'


def test_scoped_value_wins_and_builtins():
    values = with_scoped(current_values(dashboard(JOB)), {"job": {"text": "api", "value": "api"}})
    values = {**values, **builtins(1_000, 3_601_000, "Release overview")}
    text = "$job $__from $__to $__range $__range_s $__range_ms ${__dashboard}"
    assert interpolate(text, values, "prometheus") == "api 1000 3601000 3600s 3600 3600000 Release overview"


def test_interpolate_all_walks_nested_queries_and_keeps_keys():
    values = current_values(dashboard(ENV))
    query = {"$env": "x", "filters": [{"value": "$env"}], "limit": 10, "on": True}
    assert interpolate_all(query, values, "") == {"$env": "x", "filters": [{"value": "prod"}], "limit": 10, "on": True}


@pytest.mark.parametrize(
    ("ref", "name"), [("$ds", "ds"), ("${ds}", "ds"), ("${ds:raw}", "ds"), ("[[ds]]", "ds"), ("prom-uid", None)]
)
def test_variable_name(ref, name):
    assert variable_name(ref) == name
