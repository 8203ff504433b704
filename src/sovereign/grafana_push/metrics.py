"""Release metrics: the model, the user's ``metrics`` lines, and what a changelog tells.

A metric is an Influx-style (measurement, field) pair so that every format names
it the same way: Grafana Cloud's Influx endpoint turns field ``f`` of measurement
``m`` into the Prometheus series ``m_f``, which is the name the Pushgateway and
Graphite formats use too. A user's ``name 42`` is measurement ``name``, field
``value`` (named ``name`` in Prometheus/Graphite, ``name_value`` in Grafana Cloud
after its Influx conversion). Labels are the user's; the renderers add
``repository`` and ``tag``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sovereign.errors import SovereignError, raise_all
from sovereign.gha import quote
from sovereign.release import Changelog

RELEASE_MEASUREMENT = "sovereign_release"
RESERVED_LABELS = frozenset({"repository", "tag", "job"})  # set by Sovereign or the Pushgateway path

_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:.\-]*")
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ESCAPES = frozenset({"\\", '"'})

Value = int | float | str


@dataclass(frozen=True)
class Metric:
    measurement: str
    field: str
    value: Value  # int: a count (Influx integer); float: a measure; str: Influx only
    labels: tuple[tuple[str, str], ...] = ()  # sorted by name
    help: str = "Release metric pushed by Sovereign"
    origin: str = "changelog"  # where it came from, for error messages

    @property
    def name(self) -> str:
        """The Prometheus/Graphite name (Grafana Cloud's name after its Influx conversion)."""
        return self.measurement if self.field == "value" else f"{self.measurement}_{self.field}"

    @property
    def series(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return self.name, self.labels


# -- the user's metrics lines ---------------------------------------------------


class _LineError(Exception):
    """One reason a metrics line does not parse (wrapped with the line number)."""


def _quoted(text: str, pos: int, what: str) -> tuple[str, int]:
    """The double-quoted string starting at ``pos``; ``\\`` and ``\"`` are the only escapes."""
    chars: list[str] = []
    pos += 1
    while True:
        if pos >= len(text):
            raise _LineError(f"{what}: the closing double quote is missing")
        ch = text[pos]
        if ch == '"':
            return "".join(chars), pos + 1
        if ch == "\\":
            escaped = text[pos + 1 : pos + 2]
            if escaped not in _ESCAPES:
                raise _LineError(f'{what}: only \\\\ and \\" may be escaped (line breaks are not allowed)')
            chars.append(escaped)
            pos += 2
            continue
        chars.append(ch)
        pos += 1


def _skip_blanks(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _labels(text: str, pos: int) -> tuple[tuple[tuple[str, str], ...], int]:
    """Parse ``{a="x",b="y"}`` starting at ``pos`` (the ``{``); return labels and the end."""
    labels: dict[str, str] = {}
    pos += 1
    while True:
        pos = _skip_blanks(text, pos)
        if text.startswith("}", pos):
            return tuple(sorted(labels.items())), pos + 1
        match = _LABEL_NAME.match(text, pos)
        if not match:
            raise _LineError('expected a label name, as in name{env="prod"} 42')
        key = match.group()
        if not text.startswith('="', match.end()):
            raise _LineError(f'label {key} must be written {key}="value"')
        value, pos = _quoted(text, match.end() + 1, f"label {key}")
        if key.startswith("__"):
            raise _LineError(f"label {key}: names starting with __ are reserved")
        if key in RESERVED_LABELS:
            raise _LineError(f"label {key} is set by Sovereign; use another name")
        if key in labels:
            raise _LineError(f"label {key} is given twice")
        if not value:
            raise _LineError(f"label {key} has an empty value")
        labels[key] = value
        pos = _skip_blanks(text, pos)
        if text.startswith(",", pos):
            pos += 1
        elif not text.startswith("}", pos):
            raise _LineError("labels must be separated by commas and closed with }")


def _value(text: str) -> Value:
    if text.startswith('"'):
        value, end = _quoted(text, 0, "the text value")
        if end != len(text):
            raise _LineError("nothing may follow the text value's closing quote")
        return value
    if not _NUMBER.fullmatch(text):
        raise _LineError(f"value {quote(text)} is not a number (write text values in double quotes)")
    number = float(text)
    if not math.isfinite(number):
        raise _LineError(f"value {quote(text)} is too large")
    return number


def parse_line(line: str, origin: str) -> Metric:
    """``name 42``, ``name=42``, ``name{env="prod"} 42`` or ``name "text"`` (Influx only)."""
    text = line.strip()
    match = _NAME.match(text)
    if not match:
        raise _LineError("it must start with a metric name (letters, digits, _ : . -; not a digit first)")
    name, pos = match.group(), match.end()
    labels: tuple[tuple[str, str], ...] = ()
    if text.startswith("{", pos):
        labels, pos = _labels(text, pos)
    rest = text[pos:]
    separator = re.match(r"\s*=\s*|\s+", rest)
    if not separator or not rest[separator.end() :].strip():
        raise _LineError("write it as `name value` or `name=value`")
    value = _value(rest[separator.end() :].strip())
    return Metric(name, "value", value, labels, "Release metric pushed by Sovereign", origin)


def parse_lines(text: str) -> list[Metric]:
    """Every line of the ``metrics`` input; all bad lines are reported together."""
    metrics: list[Metric] = []
    problems: list[SovereignError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        origin = f"metrics line {number}"
        try:
            metrics.append(parse_line(line, origin))
        except _LineError as err:
            problems.append(
                SovereignError(
                    f"input 'metrics' line {number} {quote(line.strip())} does not parse: {err}",
                    'one metric per line: `name 42`, `name=42` or `name{label="x"} 42`',
                )
            )
    raise_all(problems)
    return metrics


# -- what the changelog tells ---------------------------------------------------

_RELEASE_FIELDS = (
    ("commits", "Commits in the release"),
    ("pull_requests", "Pull requests in the release"),
    ("contributors", "Contributors to the release"),
    ("breaking_changes", "Breaking changes in the release"),
    ("security_fixes", "Security fixes in the release"),
)


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return len(value)
    return None


def parse_time(text: Any) -> datetime | None:
    """An ISO 8601 date or date-time (``Z`` accepted on Python 3.10), as UTC."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def days_between(earlier: datetime, later: datetime) -> float:
    return round((later - earlier).total_seconds() / 86400, 3)


def days_from_changelog(changelog: Changelog) -> float | None:
    """``stats.days_since_previous``, else ``date`` minus ``previous_date`` when both are there."""
    stats = changelog.get("stats") or {}
    given = stats.get("days_since_previous") if isinstance(stats, dict) else None
    if isinstance(given, (int, float)) and not isinstance(given, bool) and math.isfinite(given):
        return round(float(given), 3)
    data: dict[str, Any] = dict(changelog)
    released, previous = parse_time(data.get("date")), parse_time(data.get("previous_date"))
    if released and previous:
        return days_between(previous, released)
    return None


def release_metrics(changelog: Changelog, days_since_previous: float | None) -> list[Metric]:
    """The release's numbers, as fields of the ``sovereign_release`` measurement."""
    stats = changelog.get("stats") or {}
    sources: dict[str, Any] = {
        "commits": stats.get("commits"),
        "pull_requests": stats.get("prs"),
        "contributors": changelog.get("contributors"),
        "breaking_changes": changelog.get("breaking"),
        "security_fixes": changelog.get("security"),
    }
    metrics = []
    for field, help_text in _RELEASE_FIELDS:
        count = _count(sources[field])
        if count is not None:
            metrics.append(Metric(RELEASE_MEASUREMENT, field, count, (), help_text))
    if days_since_previous is not None:
        metrics.append(
            Metric(
                RELEASE_MEASUREMENT,
                "days_since_previous",
                float(days_since_previous),
                (),
                "Days between the previous release and this one",
            )
        )
    return metrics


def combine(derived: Sequence[Metric], given: Sequence[Metric]) -> list[Metric]:
    """Derived metrics, then the user's; the same series twice is an error naming both."""
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], Metric] = {}
    problems = []
    for metric in [*derived, *given]:
        first = seen.get(metric.series)
        if first is not None:
            what = (
                "is derived from the changelog" if first.origin == "changelog" else f"is already set on {first.origin}"
            )
            problems.append(
                SovereignError(
                    f"input 'metrics' {metric.origin}: metric {metric.name} {what}",
                    "give each metric (with its labels) once, or rename it",
                )
            )
        else:
            seen[metric.series] = metric
    raise_all(problems)
    return list(seen.values())
