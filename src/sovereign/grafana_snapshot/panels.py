"""A dashboard's panels as a snapshot shows them: rows opened up and repeats
expanded for the variables' current values. Pure: no I/O.

A snapshot is never re-repeated when Grafana loads it, so each repeated copy
becomes a panel of its own (with the ``scopedVars`` Grafana gives it and its
title filled in) and ``repeat`` is removed, as Grafana's own snapshot code does.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from sovereign.grafana_snapshot.variables import Value, interpolate, scoped, with_scoped

GRID_COLUMNS = 24
_REPEAT_KEYS = ("repeat", "repeatDirection", "maxPerRow", "repeatIteration", "repeatPanelId", "repeatedByRow")

Panel = dict[str, Any]


def _grid(panel: Panel) -> dict[str, int]:
    pos = panel.get("gridPos") or {}
    return {k: int(pos.get(k) or 0) for k in ("x", "y", "w", "h")}


def _bottom(panels: list[Panel]) -> int:
    return max((_grid(p)["y"] + _grid(p)["h"] for p in panels), default=0)


def all_panels(panels: list[Panel]) -> Iterator[Panel]:
    """Every panel, including those folded inside collapsed rows."""
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels") or []) if panel.get("type") == "row" else ()


class _Ids:
    def __init__(self, panels: list[Panel]) -> None:
        self.last = max((int(p.get("id") or 0) for p in all_panels(panels)), default=0)

    def next(self) -> int:
        self.last += 1
        return self.last


def _repeat_values(panel: Panel, variables: Mapping[str, Value]) -> tuple[str, list[str]] | None:
    name = str(panel.get("repeat") or "")
    value = variables.get(name)
    if not name or value is None or not value.values:
        return None
    return name, list(value.values)


def _strip_repeat(panel: Panel) -> None:
    for key in _REPEAT_KEYS:
        panel.pop(key, None)


def _with_scope(panel: Panel, scope: Mapping[str, Any], variables: Mapping[str, Value]) -> Panel:
    """A copy of ``panel`` that sees ``scope``: scopedVars set, title filled in."""
    clone = copy.deepcopy(panel)
    merged = {**(clone.get("scopedVars") or {}), **scope}
    clone["scopedVars"] = merged
    if isinstance(clone.get("title"), str):
        clone["title"] = interpolate(clone["title"], with_scoped({}, merged), "")
    return clone


def _repeat_panel(panel: Panel, variables: Mapping[str, Value], ids: _Ids) -> tuple[list[Panel], int]:
    """The copies of a repeated panel laid out as Grafana lays them out, and how far they push what follows."""
    found = _repeat_values(panel, variables)
    if found is None:
        single = copy.deepcopy(panel)
        _strip_repeat(single)
        return [single], 0
    name, values = found
    grid = _grid(panel)
    vertical = panel.get("repeatDirection") == "v"
    per_row = int(panel.get("maxPerRow") or 4)
    width = max(GRID_COLUMNS // len(values), GRID_COLUMNS // max(per_row, 1)) if not vertical else grid["w"]
    copies, x, y = [], grid["x"] if vertical else 0, grid["y"]
    for index, value in enumerate(values):
        text = value
        current = variables[name]
        if len(current.values) == 1 and not current.custom_all:
            text = current.text or value
        clone = _with_scope(panel, scoped(name, value, text), variables)
        _strip_repeat(clone)
        if index:
            clone["id"] = ids.next()
        if vertical:
            clone["gridPos"] = {**grid, "y": y}
            y += grid["h"]
        else:
            clone["gridPos"] = {**grid, "x": x, "y": y, "w": width}
            x += width
            if x + width > GRID_COLUMNS and index < len(values) - 1:
                x, y = 0, y + grid["h"]
        copies.append(clone)
    pushed = _bottom(copies) - (grid["y"] + grid["h"])
    return copies, max(pushed, 0)


def _push_down(panels: list[Panel], below: int, by: int) -> None:
    if by <= 0:
        return
    for panel in panels:
        grid = _grid(panel)
        if grid["y"] >= below:
            panel["gridPos"] = {**(panel.get("gridPos") or {}), "y": grid["y"] + by}


def _expand_list(panels: list[Panel], variables: Mapping[str, Value], ids: _Ids) -> list[Panel]:
    """Repeated panels of one level (top level or a collapsed row's) expanded in place."""
    result: list[Panel] = []
    pending = [copy.deepcopy(p) for p in panels]
    while pending:
        panel = pending.pop(0)
        if panel.get("type") == "row":
            result.append(panel)
            continue
        copies, pushed = _repeat_panel(panel, variables, ids)
        _push_down(pending, _grid(panel)["y"] + _grid(panel)["h"], pushed)
        result.extend(copies)
    return result


def _sections(panels: list[Panel]) -> list[tuple[Panel | None, list[Panel]]]:
    """Top-level panels split into (row, the panels under it); the first row may be None."""
    sections: list[tuple[Panel | None, list[Panel]]] = [(None, [])]
    for panel in panels:
        if panel.get("type") == "row":
            sections.append((panel, []))
        else:
            sections[-1][1].append(panel)
    return sections


def _scope_section(
    row: Panel, members: list[Panel], scope: Mapping[str, Any] | None, variables: Mapping[str, Value], shift: int
) -> tuple[Panel, list[Panel]]:
    """One copy of a row and the panels under it, moved down by ``shift`` and seeing ``scope``."""

    def one(panel: Panel) -> Panel:
        inner = _with_scope(panel, scope, variables) if scope is not None else copy.deepcopy(panel)
        inner["gridPos"] = {**(panel.get("gridPos") or {}), "y": _grid(panel)["y"] + shift}
        return inner

    row_copy = one({k: v for k, v in row.items() if k != "panels"})
    if row.get("panels") is not None:
        row_copy["panels"] = [one(p) for p in row["panels"]]
    return row_copy, [one(p) for p in members]


def _renumber(panels: list[Panel], ids: _Ids) -> None:
    for panel in panels:
        panel["id"] = ids.next()
        for inner in panel.get("panels") or []:
            inner["id"] = ids.next()


def expand(dashboard: Mapping[str, Any], variables: Mapping[str, Value]) -> list[Panel]:
    """The dashboard's panels with repeated rows and panels expanded; the input is not changed."""
    source = [p for p in dashboard.get("panels") or [] if isinstance(p, dict)]
    ids = _Ids(source)
    out: list[Panel] = []
    shift = 0  # how far everything from here on has moved down
    for row, members in _sections(source):
        if row is None:
            expanded = _expand_list(members, variables, ids)
            out.extend(expanded)
            shift = max(_bottom(expanded) - _bottom(members), 0)
            continue
        start = _grid(row)["y"]
        collapsed = bool(row.get("collapsed"))
        original_bottom = start + 1 if collapsed else max(start + 1, _bottom(members))
        found = _repeat_values(row, variables)
        scopes: list[dict[str, Any] | None] = [scoped(found[0], v) for v in found[1]] if found else [None]
        cursor = start + shift
        for index, scope in enumerate(scopes):
            row_copy, moved = _scope_section(row, members, scope, variables, cursor - start)
            if index:
                _renumber([row_copy, *moved], ids)
            _strip_repeat(row_copy)
            if row_copy.get("panels"):
                row_copy["panels"] = _expand_list(row_copy["panels"], variables, ids)
            expanded = _expand_list(moved, variables, ids)
            out.append(row_copy)
            out.extend(expanded)
            top = _grid(row_copy)["y"] + 1
            cursor = top if collapsed else max(top, _bottom(expanded))
        shift = cursor - original_bottom
    return out


def data_panels(panels: list[Panel]) -> Iterator[Panel]:
    """The panels that show data: everything but rows, including panels inside collapsed rows."""
    for panel in all_panels(panels):
        if panel.get("type") != "row":
            yield panel
