"""Template variables, reduced to their current values, and interpolated the way
Grafana's frontend does before it sends a query (``$var``, ``${var}``,
``${var:format}``, ``[[var]]``). Pure: no I/O.

Grafana's backend interpolates its own macros (``$__interval``,
``$__rate_interval``, ``$__timeFilter(...)``, …), so only names known here are
replaced; anything else is left exactly as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as url_quote

ALL = "$__all"
# Grafana's own variable regex (templateSrv), without field paths.
_VARIABLE = re.compile(r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?::([^}]+))?\}")
_REGEX_SPECIAL = re.compile(r"[\\^$*+?.()|{}\[\]/]")
PROMETHEUS_LIKE = frozenset({"prometheus", "loki"})
SQL_LIKE = frozenset({"mysql", "postgres", "grafana-postgresql-datasource", "mssql", "grafana-mssql-datasource"})
REGEX_LIKE = frozenset({"influxdb", "graphite", "elasticsearch"})


@dataclass(frozen=True)
class Value:
    """A variable's value for one query: its values, its display text, and how it may be formatted."""

    values: tuple[str, ...]
    text: str
    multi: bool = False
    include_all: bool = False
    custom_all: bool = False  # a custom "All" value is used raw, never formatted


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]


def _text(current: Mapping[str, Any]) -> str:
    text = current.get("text")
    return " + ".join(_as_list(text)) if isinstance(text, list) else str(text if text is not None else "")


def current_values(dashboard: Mapping[str, Any]) -> dict[str, Value]:
    """Each template variable's current value, "All" expanded where the dashboard says what it means."""
    found: dict[str, Value] = {}
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        name = str(variable.get("name") or "")
        if not name or variable.get("type") == "adhoc":
            continue
        current = variable.get("current") or {}
        values = _as_list(current.get("value"))
        multi, include_all = bool(variable.get("multi")), bool(variable.get("includeAll"))
        if ALL in values:
            if variable.get("allValue"):
                found[name] = Value((str(variable["allValue"]),), "All", multi, include_all, custom_all=True)
                continue
            values = [str(o.get("value")) for o in variable.get("options") or [] if str(o.get("value")) != ALL]
            if not values:
                continue  # an "All" nobody can expand: left as written, and reported by the caller
        found[name] = Value(tuple(values), _text(current), multi, include_all)
    return found


def unresolved_all(dashboard: Mapping[str, Any]) -> set[str]:
    """Variables set to "All" whose values the saved dashboard does not hold."""
    names = set()
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        current = (variable.get("current") or {}).get("value")
        if ALL in _as_list(current) and not variable.get("allValue") and not variable.get("options"):
            names.add(str(variable.get("name")))
    return names


def scoped(name: str, value: str, text: str | None = None) -> dict[str, dict[str, str]]:
    """The ``scopedVars`` Grafana stores on a repeated panel or row."""
    return {name: {"text": value if text is None else text, "value": value}}


def _regex_escape(value: str) -> str:
    return _REGEX_SPECIAL.sub(lambda m: "\\" + m.group(0), value)


def _prometheus_regular(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\\\'")


def _prometheus_special(value: str) -> str:
    return re.sub(r"[$^*{}\[\]'+?.()|]", lambda m: "\\\\" + m.group(0), value.replace("\\", "\\\\\\\\"))


def _sql_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _one_or_group(values: list[str], open_: str, sep: str, close: str) -> str:
    return values[0] if len(values) == 1 else open_ + sep.join(values) + close


def _datasource_format(value: Value, ds_type: str) -> str:
    """What Grafana's datasource plugins do with a variable when no format is given."""
    values = list(value.values)
    many = value.multi or value.include_all
    if ds_type in PROMETHEUS_LIKE:
        if not many:
            return ",".join(_prometheus_regular(v) for v in values)
        return _one_or_group([_prometheus_special(v) for v in values], "(", "|", ")")
    if ds_type in SQL_LIKE:
        if not many:
            return ",".join(v.replace("'", "''") for v in values)
        return ",".join(_sql_quote(v) for v in values)
    if ds_type in REGEX_LIKE and many:
        return _one_or_group([_regex_escape(v) for v in values], "(", "|", ")")
    return _one_or_group(values, "{", ",", "}")


def format_value(name: str, value: Value, fmt: str | None, ds_type: str) -> str:
    if value.custom_all and fmt not in ("text", "percentencode", "queryparam"):
        return value.values[0]
    values = list(value.values)
    formats = {
        "raw": lambda: ",".join(values),
        "csv": lambda: ",".join(values),
        "pipe": lambda: "|".join(values),
        "text": lambda: value.text,
        "json": lambda: json.dumps(values if len(values) != 1 else values[0]),
        "glob": lambda: _one_or_group(values, "{", ",", "}"),
        "regex": lambda: _one_or_group([_regex_escape(v) for v in values], "(", "|", ")"),
        "singlequote": lambda: ",".join("'" + v.replace("'", "\\'") + "'" for v in values),
        "doublequote": lambda: ",".join('"' + v.replace('"', '\\"') + '"' for v in values),
        "sqlstring": lambda: ",".join(_sql_quote(v) for v in values),
        "percentencode": lambda: url_quote(_one_or_group(values, "{", ",", "}"), safe=""),
        "queryparam": lambda: "&".join(f"var-{name}={url_quote(v, safe='')}" for v in values),
    }
    chosen = formats.get(fmt or "")
    return chosen() if chosen else _datasource_format(value, ds_type)


def builtins(from_ms: int, to_ms: int, dashboard_title: str) -> dict[str, Value]:
    """The global variables the frontend fills in ($__from, $__to, $__range, $__dashboard)."""
    span = to_ms - from_ms
    seconds = round(span / 1000)
    plain = {
        "__from": str(from_ms),
        "__to": str(to_ms),
        "__range_ms": str(span),
        "__range_s": str(seconds),
        "__range": f"{seconds}s",
        "__dashboard": dashboard_title,
    }
    return {k: Value((v,), v) for k, v in plain.items()}


def with_scoped(base: Mapping[str, Value], scoped_vars: Mapping[str, Any]) -> dict[str, Value]:
    """Variables as a repeated panel sees them: its own value of the repeat variable wins."""
    merged = dict(base)
    for name, item in scoped_vars.items():
        if isinstance(item, dict):
            value = _as_list(item.get("value"))
            merged[name] = Value(tuple(value), _text(item))
    return merged


def interpolate(text: str, variables: Mapping[str, Value], ds_type: str) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(4)
        fmt = match.group(3) or match.group(5)
        value = variables.get(name)
        return match.group(0) if value is None else format_value(name, value, fmt, ds_type)

    return _VARIABLE.sub(one, text)


def interpolate_all(data: Any, variables: Mapping[str, Value], ds_type: str) -> Any:
    """Every string inside a query (nested too) interpolated; keys are left alone."""
    if isinstance(data, str):
        return interpolate(data, variables, ds_type)
    if isinstance(data, list):
        return [interpolate_all(v, variables, ds_type) for v in data]
    if isinstance(data, dict):
        return {k: interpolate_all(v, variables, ds_type) for k, v in data.items()}
    return data


def variable_name(reference: str) -> str | None:
    """``$ds``, ``${ds}``, ``${ds:raw}`` or ``[[ds]]`` → ``ds``; anything else → None."""
    match = _VARIABLE.fullmatch(reference.strip())
    return (match.group(1) or match.group(2) or match.group(4)) if match else None
