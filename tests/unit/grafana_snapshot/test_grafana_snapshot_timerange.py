"""Grafana's time syntax, always against a fixed `now`."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sovereign.errors import SovereignError
from sovereign.grafana_snapshot import timerange

# Wednesday 2026-05-20 14:37:12.345 UTC
NOW = int(datetime(2026, 5, 20, 14, 37, 12, 345000, tzinfo=timezone.utc).timestamp() * 1000)


def ms(*args: int) -> int:
    return int(datetime(*args, tzinfo=timezone.utc).timestamp() * 1000)


@pytest.mark.parametrize(
    ("text", "round_up", "expected"),
    [
        ("now", False, NOW),
        ("now-6h", False, NOW - 6 * 3_600_000),
        ("now+15m", False, NOW + 15 * 60_000),
        ("now-1d/d", False, ms(2026, 5, 19)),
        ("now-1d/d", True, ms(2026, 5, 20) - 1),
        ("now/d", False, ms(2026, 5, 20)),
        ("now/d", True, ms(2026, 5, 21) - 1),
        ("now/w", False, ms(2026, 5, 18)),  # Monday
        ("now/w", True, ms(2026, 5, 25) - 1),
        ("now/M", False, ms(2026, 5, 1)),
        ("now-1M/M", False, ms(2026, 4, 1)),
        ("now/y", False, ms(2026, 1, 1)),
        ("now-1y", False, ms(2025, 5, 20, 14, 37, 12) + 345),
        ("now-h", False, NOW - 3_600_000),  # a missing number means 1, as in Grafana
        ("now/h", False, ms(2026, 5, 20, 14)),
        ("1779436800000", False, 1779436800000),
        ("2026-05-01", False, ms(2026, 5, 1)),
        ("2026-05-01T12:30:00Z", False, ms(2026, 5, 1, 12, 30)),
        ("2026-05-01T12:30:00+02:00", False, ms(2026, 5, 1, 10, 30)),
        (" now-6h ", False, NOW - 6 * 3_600_000),
    ],
)
def test_parse(text, round_up, expected):
    assert timerange.parse(text, NOW, round_up) == expected


def test_month_arithmetic_clamps_to_the_last_day():
    march_31 = ms(2026, 3, 31, 8)
    assert timerange.parse("now-1M", march_31) == ms(2026, 2, 28, 8)


def test_week_start_from_the_dashboard():
    assert timerange.parse("now/w", NOW, week_start=timerange.week_start_of("sunday")) == ms(2026, 5, 17)
    assert timerange.week_start_of("") == 0
    assert timerange.week_start_of("Saturday") == 5


@pytest.mark.parametrize(
    "text", ["", "yesterday", "now-6x", "now-", "now--1h", "now/", "6h", "2026-13-01", "now-1h junk"]
)
def test_bad_time_is_a_clear_error(text):
    with pytest.raises(SovereignError) as caught:
        timerange.parse(text, NOW, what="input 'time-from'")
    assert caught.value.what.startswith("input 'time-from' ")
    assert "now-6h" in caught.value.fix


def test_resolve_makes_the_range_absolute():
    result = timerange.resolve("now-6h", "now", NOW)
    assert (result.from_ms, result.to_ms) == (NOW - 21_600_000, NOW)
    assert result.iso() == {"from": "2026-05-20T08:37:12.345Z", "to": "2026-05-20T14:37:12.345Z"}
    assert result.span_ms == 21_600_000


def test_resolve_rounds_the_end_up():
    result = timerange.resolve("now-1d/d", "now-1d/d", NOW)
    assert result.iso() == {"from": "2026-05-19T00:00:00.000Z", "to": "2026-05-19T23:59:59.999Z"}


def test_reversed_range_is_refused():
    with pytest.raises(SovereignError, match="empty or reversed"):
        timerange.resolve("now", "now-1h", NOW)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("15s", 15_000), ("1m", 60_000), (">10s", 10_000), ("2h", 7_200_000), ("1d", 86_400_000), ("500ms", 500)],
)
def test_duration(text, expected):
    assert timerange.duration_ms(text) == expected


@pytest.mark.parametrize("text", ["", "$__auto", "fast", "10"])
def test_not_a_duration(text):
    assert timerange.duration_ms(text) is None
