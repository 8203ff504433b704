"""Grafana's time syntax turned into absolute epoch milliseconds.

Understands what a dashboard's time picker holds: ``now``, ``now-6h``,
``now+1d``, chained operations such as ``now-1d/d`` (start of yesterday) and
``now/w``, epoch milliseconds (``1700000000000``) and ISO dates
(``2024-05-01``, ``2024-05-01T12:00:00Z``). ``now`` is injected so every result
is reproducible. Rounding follows Grafana: ``/d`` rounds down in ``from`` and
up (to the last millisecond of the day) in ``to``. Calendar rounding is done
in UTC; weeks start on ``week_start`` (Monday unless the dashboard says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sovereign.errors import SovereignError

_OP = re.compile(r"([+-])(\d*)([yMwdhms])|/([yMwdhms])")
_DURATION = re.compile(r"^(\d+)(ms|[yMwdhms])$")
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_MS_PER = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


@dataclass(frozen=True)
class TimeRange:
    """An absolute range in epoch milliseconds, and the text it came from."""

    from_ms: int
    to_ms: int
    raw_from: str
    raw_to: str

    @property
    def span_ms(self) -> int:
        return self.to_ms - self.from_ms

    def iso(self) -> dict[str, str]:
        """``{"from": ..., "to": ...}`` as ISO strings, the way a snapshot stores its time."""
        return {"from": iso_ms(self.from_ms), "to": iso_ms(self.to_ms)}


def iso_ms(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_first = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=moment.tzinfo)
    last_day = (next_first - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _shift(moment: datetime, sign: int, amount: int, unit: str) -> datetime:
    if unit == "y":
        return _add_months(moment, sign * amount * 12)
    if unit == "M":
        return _add_months(moment, sign * amount)
    return moment + timedelta(milliseconds=sign * amount * _MS_PER[unit])


def _start_of(moment: datetime, unit: str, week_start: int) -> datetime:
    if unit == "y":
        return moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "M":
        return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "w":
        day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        return day - timedelta(days=(day.weekday() - week_start) % 7)
    if unit == "d":
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "h":
        return moment.replace(minute=0, second=0, microsecond=0)
    if unit == "m":
        return moment.replace(second=0, microsecond=0)
    return moment.replace(microsecond=0)


def _round(moment: datetime, unit: str, round_up: bool, week_start: int) -> datetime:
    start = _start_of(moment, unit, week_start)
    if not round_up:
        return start
    return _shift(start, 1, 1, unit) - timedelta(milliseconds=1)


def _to_ms(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _absolute(text: str) -> datetime | None:
    if text.isascii() and text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=timezone.utc)
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def parse(text: str, now_ms: int, round_up: bool = False, week_start: int = 0, what: str = "time") -> int:
    """One time expression to epoch milliseconds, or a SovereignError naming ``what``."""
    raw = text.strip()
    if raw.startswith("now"):
        moment = datetime.fromtimestamp(now_ms / 1000, tz=timezone.utc)
        rest, pos = raw[3:], 0
        while pos < len(rest):
            match = _OP.match(rest, pos)
            if not match:
                raise _bad(text, what)
            if match.group(4):
                moment = _round(moment, match.group(4), round_up, week_start)
            else:
                amount = int(match.group(2) or "1")
                moment = _shift(moment, 1 if match.group(1) == "+" else -1, amount, match.group(3))
            pos = match.end()
        return _to_ms(moment)
    absolute = _absolute(raw)
    if absolute is None:
        raise _bad(text, what)
    return _to_ms(absolute)


def _bad(text: str, what: str) -> SovereignError:
    shown = text if len(text) <= 60 else text[:60] + "…"
    return SovereignError(
        f"{what} {shown!r} is not a time Grafana understands",
        "use now, now-6h, now-1d/d, now/w, epoch milliseconds or an ISO date such as 2024-05-01T12:00:00Z",
    )


def week_start_of(setting: str) -> int:
    """A dashboard's ``weekStart`` ("monday", "sunday", …) as a weekday number; Monday by default."""
    return _WEEKDAYS.get(setting.strip().lower(), 0)


def resolve(time_from: str, time_to: str, now_ms: int, week_start: int = 0) -> TimeRange:
    """The range a dashboard would show at ``now_ms``; an empty or reversed range is refused."""
    start = parse(time_from, now_ms, False, week_start, "input 'time-from'")
    end = parse(time_to, now_ms, True, week_start, "input 'time-to'")
    if start >= end:
        raise SovereignError(
            f"time range {time_from!r} to {time_to!r} is empty or reversed ({iso_ms(start)} ≥ {iso_ms(end)})",
            "time-from must be before time-to, e.g. time-from: now-6h, time-to: now",
        )
    return TimeRange(start, end, time_from, time_to)


def duration_ms(text: str) -> int | None:
    """A Grafana interval such as ``15s``, ``1m`` or ``>10s`` in milliseconds; None if not one."""
    match = _DURATION.match(text.strip().lstrip(">"))
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2)
    if unit in ("y", "M"):
        return amount * (365 if unit == "y" else 30) * _MS_PER["d"]
    return amount * _MS_PER[unit]
