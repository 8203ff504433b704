"""The Grafana side of the preview: the release annotation as Grafana shows its
text (a few HTML tags, everything else as text), the metrics pushed, and the
snapshot's panels with their embedded data (a sparkline per time-series panel)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Any

from sovereign.preview import sparkline
from sovereign.preview.markdown_html import render as markdown
from sovereign.preview.markup import arr, css_class, esc, link, number, obj, txt

TIME_SERIES = frozenset({"timeseries", "graph", "trend"})
SINGLE_VALUE = frozenset({"stat", "gauge", "bargauge"})
TABLE_ROWS = 5
TEXT_CHARS = 600


class _Annotation(HTMLParser):
    """Grafana renders an annotation's text as HTML: keep b/i/strong/em/br and
    vetted links (no attributes but href), show every other tag as nothing."""

    KEEP = frozenset({"b", "i", "strong", "em", "br", "a"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[tuple[str, str]] = []  # (the tag in the text, the tag written for it)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("<br>")
        elif tag == "a":
            opened = link("", next((v or "" for k, v in attrs if k == "href"), ""))  # "" for an unsafe URL
            self.out.append(opened.removesuffix("</a>") or "<span>")
            self.open.append(("a", "a" if opened else "span"))
        elif tag in self.KEEP:
            self.out.append(f"<{tag}>")
            self.open.append((tag, tag))

    def handle_endtag(self, tag: str) -> None:
        if any(name == tag for name, _ in self.open):  # close what is open, in order: balanced markup
            while self.open:
                name, written = self.open.pop()
                self.out.append(f"</{written}>")
                if name == tag:
                    break

    def handle_data(self, data: str) -> None:
        self.out.append(esc(data))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{written}>" for _, written in reversed(self.open))


def annotation_html(text: str) -> str:
    parser = _Annotation()
    parser.feed(text)
    return parser.result()


def _when(ms: object) -> str:
    value = number(ms)
    if value is None:
        return ""
    try:
        return datetime.fromtimestamp(value / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return txt(ms)


def push(record: dict[str, Any]) -> str:
    """The grafana-push report: the annotation and the metrics."""
    parts = []
    note = obj(record.get("annotation"))
    if note.get("action") == "skipped":
        parts.append(f'<p class="note">Annotation skipped: {esc(txt(note.get("reason")))}</p>')
    elif note:
        body = obj(note.get("body"))
        tags = "".join(f'<span class="chip">{esc(txt(t))}</span>' for t in arr(body.get("tags")))
        ident = f" #{esc(txt(note.get('id')))}" if note.get("id") is not None else ""
        parts.append(
            '<div class="annotation"><div class="annotation-head">'
            f"{esc(txt(note.get('action')) or 'annotation')}{ident} · {esc(txt(note.get('method')))} "
            f"<code>{esc(txt(note.get('url')))}</code></div>"
            f'<div class="annotation-time">{esc(_when(body.get("time")))}</div>'
            f'<div class="annotation-text">{annotation_html(txt(body.get("text")))}</div>'
            f'<div class="chips">{tags}</div></div>'
        )
    metrics = obj(record.get("metrics"))
    if metrics:
        state = (
            "sent" if metrics.get("sent") is True else ("not sent" if record.get("dry_run") is not True else "dry-run")
        )
        rows = "".join(
            f"<tr><td><code>{esc(txt(obj(s).get('name')))}</code></td>"
            f"<td>{esc(', '.join(f'{k}={txt(v)}' for k, v in obj(obj(s).get('labels')).items()))}</td>"
            f'<td class="num">{esc(txt(obj(s).get("value")))}</td></tr>'
            for s in arr(metrics.get("series"))
        )
        parts.append(
            f"<p>{esc(txt(metrics.get('count')))} metric(s), {esc(txt(metrics.get('format')))} format, "
            f"{esc(state)}: {esc(txt(metrics.get('method')))} <code>{esc(txt(metrics.get('url')))}</code></p>"
            f"<table><thead><tr><th>metric</th><th>labels</th><th>value</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<details><summary>Body ({esc(txt(metrics.get('content_type')))})</summary>"
            f"<pre>{esc(txt(metrics.get('body')))}</pre></details>"
        )
    else:
        parts.append('<p class="note">No metrics pushed.</p>')
    return "\n".join(parts)


# -- the snapshot ----------------------------------------------------------------


@dataclass
class Column:
    name: str
    kind: str
    values: list[Any]
    labels: dict[str, Any] = field(default_factory=dict)
    display: str = ""

    def label(self, frame_name: str) -> str:
        if self.display:
            return self.display
        if self.labels:
            return ", ".join(f"{k}={txt(v)}" for k, v in self.labels.items())
        return frame_name or self.name


def _frames(panel: dict[str, Any]) -> list[tuple[str, list[Column]]]:
    """Each embedded data frame as (name, columns): Grafana 10+ "snapshot" queries or older snapshotData."""
    frames: list[tuple[str, list[Column]]] = []
    for target in arr(panel.get("targets")):
        for frame in arr(obj(target).get("snapshot")):
            schema, data = obj(obj(frame).get("schema")), obj(obj(frame).get("data"))
            if obj(schema.get("meta")).get("dataTopic"):  # annotations ride along; they are not series
                continue
            values = arr(data.get("values"))
            columns = [
                Column(
                    txt(obj(spec).get("name")),
                    txt(obj(spec).get("type")),
                    arr(values[i]) if i < len(values) else [],
                    obj(obj(spec).get("labels")),
                    txt(obj(obj(spec).get("config")).get("displayName")),
                )
                for i, spec in enumerate(arr(schema.get("fields")))
            ]
            frames.append((txt(schema.get("name")), columns))
    for dto in arr(panel.get("snapshotData")):
        if obj(obj(dto).get("meta")).get("dataTopic"):
            continue
        columns = [
            Column(
                txt(obj(f).get("name")),
                txt(obj(f).get("type")),
                arr(obj(f).get("values")),
                obj(obj(f).get("labels")),
                txt(obj(obj(f).get("config")).get("displayName")),
            )
            for f in arr(obj(dto).get("fields"))
        ]
        frames.append((txt(obj(dto).get("name")), columns))
    return frames


def _series(frames: list[tuple[str, list[Column]]]) -> list[tuple[str, list[sparkline.Point]]]:
    """Every numeric column against its frame's time column."""
    found = []
    for name, columns in frames:
        times = next((c for c in columns if c.kind == "time"), None)
        if times is None:
            continue
        for column in columns:
            if column.kind != "number":
                continue
            points: list[sparkline.Point] = []
            for t, v in zip(times.values, column.values, strict=False):  # a short column ends the line
                x = number(t)
                if x is not None:
                    points.append((x, number(v)))
            found.append((column.label(name), points))
    return found


def _last(points: list[sparkline.Point]) -> str:
    value = next((v for _, v in reversed(points) if v is not None), None)
    return "–" if value is None else f"{value:.4g}"


def _legend(series: list[tuple[str, list[sparkline.Point]]]) -> str:
    items = "".join(
        f'<li><span class="swatch" style="background:{sparkline.COLOURS[i % len(sparkline.COLOURS)]}"></span>'
        f'{esc(name)} <span class="num">{esc(_last(points))}</span></li>'
        for i, (name, points) in enumerate(series)
    )
    return f'<ul class="legend">{items}</ul>'


def _cell(column: Column, row: int) -> str:
    value = column.values[row] if row < len(column.values) else None
    return (_when(value) or txt(value)) if column.kind == "time" else txt(value)


def _table(frames: list[tuple[str, list[Column]]]) -> str:
    if not frames:
        return ""
    _, columns = frames[0]
    head = "".join(f"<th>{esc(c.name)}</th>" for c in columns)
    count = max((len(c.values) for c in columns), default=0)
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(_cell(c, r))}</td>" for c in columns) + "</tr>"
        for r in range(min(count, TABLE_ROWS))
    )
    more = f'<p class="note">…and {count - TABLE_ROWS} more row(s)</p>' if count > TABLE_ROWS else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"


def panel_body(panel: dict[str, Any]) -> str:
    kind = txt(panel.get("type"))
    frames = _frames(panel)
    if kind == "text":
        content = txt(obj(panel.get("options")).get("content")) or txt(panel.get("content"))
        return f'<div class="text-panel">{markdown(content[:TEXT_CHARS], shift=3)}</div>'
    series = _series(frames)
    if kind in TIME_SERIES or (kind in SINGLE_VALUE and series):
        chart = sparkline.svg([points for _, points in series], f"{txt(panel.get('title'))}: {len(series)} series")
        if not chart:
            return '<p class="note">No data points embedded.</p>'
        if kind in SINGLE_VALUE:  # Grafana draws a stat's sparkline only when there is a line to draw
            trend = chart if len(series[0][1]) > 1 else ""
            return f'<div class="big-value">{esc(_last(series[0][1]))}</div>{trend}'
        return chart + _legend(series)
    if frames:
        return _table(frames)
    return '<p class="note">No data embedded.</p>'


def _panels(panels: list[Any]) -> list[dict[str, Any]]:
    """Panels in dashboard order, those folded inside collapsed rows included."""
    flat: list[dict[str, Any]] = []
    for value in panels:
        panel = obj(value)
        flat.append(panel)
        if panel.get("type") == "row":
            flat += _panels(arr(panel.get("panels")))
    return flat


def snapshot(record: dict[str, Any]) -> str:
    request = obj(record.get("request"))
    dashboard = obj(request.get("dashboard"))
    response = obj(record.get("response"))
    time = obj(record.get("time"))
    url = txt(response.get("url"))
    name = esc(txt(request.get("name")) or "(unnamed)")
    head = [
        f"<p><strong>{link(name, url) if url else name}</strong> — "
        + ("dry-run: not created" if record.get("dry_run") is True else ("created" if url else "not created"))
        + "</p>"
    ]
    if time:
        head.append(f"<p>Time: {esc(txt(time.get('from')))} → {esc(txt(time.get('to')))}</p>")
    if record.get("error"):
        head.append(f'<p class="fail">Grafana refused it: {esc(txt(record.get("error")))}</p>')
    if not dashboard:
        head.append(
            '<p class="note">The dashboard was not read (a dry-run without a token), so there are no panels.</p>'
        )
        return "\n".join(head)
    outcomes = {txt(obj(o).get("label")): obj(o) for o in arr(record.get("panels"))}
    cards = []
    for panel in _panels(arr(dashboard.get("panels"))):
        title = esc(txt(panel.get("title")) or "(untitled)")
        if panel.get("type") == "row":
            cards.append(f'<h4 class="panel-row">{title}</h4>')
            continue
        outcome = outcomes.get(f"#{txt(panel.get('id'))} {txt(panel.get('title')).strip() or '(untitled)'}", {})
        status = txt(outcome.get("status"))
        badge = f' <span class="badge {css_class(status)}">{esc(status)}</span>' if status else ""
        detail = f'<p class="note">{esc(txt(outcome.get("detail")))}</p>' if outcome.get("detail") else ""
        cards.append(
            f'<div class="panel"><div class="panel-title">{title} <span class="chip">{esc(txt(panel.get("type")))}</span>'
            f"{badge}</div>{panel_body(panel)}{detail}</div>"
        )
    return "\n".join(head) + f'<div class="panels">{"".join(cards)}</div>'
