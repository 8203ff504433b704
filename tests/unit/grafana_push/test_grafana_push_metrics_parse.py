"""The user's ``metrics`` lines and the metrics a changelog yields."""

from __future__ import annotations

import pytest

from sovereign.errors import Failed, SovereignError
from sovereign.grafana_push.metrics import (
    Metric,
    combine,
    days_from_changelog,
    parse_lines,
    parse_time,
    release_metrics,
)


def one(line: str) -> Metric:
    [metric] = parse_lines(line)
    return metric


@pytest.mark.parametrize(
    ("line", "name", "value", "labels"),
    [
        ("deploy_seconds 42", "deploy_seconds", 42.0, ()),
        ("deploy_seconds=42", "deploy_seconds", 42.0, ()),
        ("  deploy_seconds = -1.5e3  ", "deploy_seconds", -1500.0, ()),
        ("ratio .5", "ratio", 0.5, ()),
        ("app.build-time:s 7", "app.build-time:s", 7.0, ()),
        ('deploy{env="prod"} 1', "deploy", 1.0, (("env", "prod"),)),
        ('deploy{ z="1" , a="x y, z=w" }=2', "deploy", 2.0, (("a", "x y, z=w"), ("z", "1"))),
        (r'deploy{note="say \"hi\" \\o/"} 3', "deploy", 3.0, (("note", 'say "hi" \\o/'),)),
        ('flag "on"', "flag", "on", ()),
        (r'flag="a \"b\" \\ c"', "flag", 'a "b" \\ c', ()),
    ],
)
def test_good_lines(line, name, value, labels):
    metric = one(line)
    assert (metric.name, metric.value, metric.labels) == (name, value, labels)
    assert metric.field == "value" and metric.origin == "metrics line 1"


def test_blank_lines_and_comments_are_skipped_and_numbers_count_every_line():
    metrics = parse_lines("\n# a comment\n  \nfirst 1\n\nsecond 2\n")
    assert [(m.name, m.origin) for m in metrics] == [("first", "metrics line 4"), ("second", "metrics line 6")]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("42 deploy", "it must start with a metric name"),
        ("deploy", "write it as `name value` or `name=value`"),
        ("deploy=", "write it as `name value` or `name=value`"),
        ("deploy fast", "value 'fast' is not a number"),
        ("deploy nan", "value 'nan' is not a number"),
        ("deploy inf", "value 'inf' is not a number"),
        ("deploy 1_000", "value '1_000' is not a number"),
        ("deploy 1e999", "value '1e999' is too large"),
        ("deploy 1 2", "value '1 2' is not a number"),
        ('deploy "open', "the closing double quote is missing"),
        ('deploy "a" b', "nothing may follow the text value's closing quote"),
        (r'deploy "a\n"', "only"),
        ("deploy{env=prod} 1", 'label env must be written env="value"'),
        ('deploy{env="prod" 1', "labels must be separated by commas and closed with }"),
        ('deploy{env="prod} 1', "label env: the closing double quote is missing"),
        ('deploy{env="prod"', "labels must be separated by commas and closed with }"),
        ('deploy{1x="a"} 1', "expected a label name"),
        ('deploy{tag="v9"} 1', "label tag is set by Sovereign"),
        ('deploy{repository="x/y"} 1', "label repository is set by Sovereign"),
        ('deploy{__name__="x"} 1', "names starting with __ are reserved"),
        ('deploy{a="1",a="2"} 1', "label a is given twice"),
        ('deploy{a=""} 1', "label a has an empty value"),
    ],
)
def test_bad_line_is_an_error_naming_the_line(line, reason):
    with pytest.raises(SovereignError) as caught:
        parse_lines("ok 1\n" + line)
    error = caught.value
    assert not isinstance(error, Failed)
    assert error.what.startswith("input 'metrics' line 2 '")
    assert reason in error.what, error.what
    assert "name=42" in error.fix


def test_every_bad_line_is_reported_at_once():
    with pytest.raises(Failed) as caught:
        parse_lines("bad\nok 1\nworse x")
    assert [p.what.split(" does not parse")[0] for p in caught.value.problems] == [
        "input 'metrics' line 1 'bad'",
        "input 'metrics' line 3 'worse x'",
    ]


def test_control_characters_in_a_bad_line_are_shown_escaped():
    with pytest.raises(SovereignError) as caught:
        parse_lines("bad\x1b[31m")
    assert "\x1b" not in caught.value.what and "\\x1b" in caught.value.what


CHANGELOG = {
    "schema": "sovereign.changelog/v1",
    "tag": "v1.2.3",
    "repository": "octo/widget",
    "sections": [],
    "breaking": [{"title": "a"}, {"title": "b"}],
    "security": [{"title": "c"}],
    "contributors": ["ada", "grace", "linus"],
    "stats": {"commits": 12, "prs": 4},
}


def test_release_metrics_from_a_changelog():
    metrics = release_metrics(CHANGELOG, 13.5)  # type: ignore[arg-type]
    assert [(m.name, m.value) for m in metrics] == [
        ("sovereign_release_commits", 12),
        ("sovereign_release_pull_requests", 4),
        ("sovereign_release_contributors", 3),
        ("sovereign_release_breaking_changes", 2),
        ("sovereign_release_security_fixes", 1),
        ("sovereign_release_days_since_previous", 13.5),
    ]
    assert all(m.measurement == "sovereign_release" and m.labels == () for m in metrics)
    assert isinstance(metrics[0].value, int) and isinstance(metrics[-1].value, float)


def test_release_metrics_leave_out_what_the_changelog_lacks_or_garbles():
    garbled = {**CHANGELOG, "stats": {"commits": "12", "prs": True}}
    names = [m.name for m in release_metrics(garbled, None)]  # type: ignore[arg-type]
    assert "sovereign_release_commits" not in names and "sovereign_release_pull_requests" not in names
    assert "sovereign_release_days_since_previous" not in names


@pytest.mark.parametrize(
    ("extra", "days"),
    [
        ({"stats": {"days_since_previous": 3.14159}}, 3.142),
        ({"date": "2026-11-20T10:00:00Z", "previous_date": "2026-11-06T22:00:00Z"}, 13.5),
        ({"date": "2026-11-20", "previous_date": "2026-11-10"}, 10.0),
        ({"date": "2026-11-20T10:00:00+02:00", "previous_date": "2026-11-20T08:00:00Z"}, 0.0),
        ({"date": "2026-11-20"}, None),
        ({"date": "yesterday", "previous_date": "2026-11-10"}, None),
        ({"stats": {"days_since_previous": True}}, None),
    ],
)
def test_days_since_previous_from_the_changelog(extra, days):
    assert days_from_changelog({**CHANGELOG, **extra}) == days  # type: ignore[arg-type]


def test_parse_time_takes_z_on_every_python():
    when = parse_time("2026-11-20T10:00:00Z")
    assert when is not None and when.utcoffset() is not None and when.hour == 10


def test_combine_refuses_the_same_series_twice():
    derived = release_metrics(CHANGELOG, None)  # type: ignore[arg-type]
    mine = parse_lines('sovereign_release_commits 1\ndeploy{env="a"} 1\ndeploy{env="b"} 2\ndeploy{env="a"} 3')
    with pytest.raises(Failed) as caught:
        combine(derived, mine)
    assert [p.what for p in caught.value.problems] == [
        "input 'metrics' metrics line 1: metric sovereign_release_commits is derived from the changelog",
        "input 'metrics' metrics line 4: metric deploy is already set on metrics line 2",
    ]
    assert len(combine(derived, mine[1:3])) == len(derived) + 2
