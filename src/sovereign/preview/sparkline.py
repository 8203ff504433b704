"""A small inline SVG line chart: one polyline per series, gaps where a value is missing."""

from __future__ import annotations

from collections.abc import Sequence

from sovereign.preview.markup import esc

WIDTH, HEIGHT, PAD = 280, 56, 3
COLOURS = ("#2f7de1", "#e0752d", "#37a169", "#c2448f", "#8a63d2", "#b8860b")

Point = tuple[float, float | None]  # (time, value); None is a gap


def _scale(value: float, low: float, high: float, size: float) -> float:
    return size / 2 if high == low else (value - low) / (high - low) * size


def svg(series: Sequence[Sequence[Point]], label: str) -> str:
    """The chart of ``series`` (x is time, y the value); "" when there is nothing to draw."""
    points = [p for line in series for p in line if p[1] is not None]
    if not points:
        return ""
    xs = [x for x, _ in points]
    ys = [y for _, y in points if y is not None]
    x_low, x_high, y_low, y_high = min(xs), max(xs), min(ys), max(ys)
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    shapes = []
    for index, line in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        runs: list[list[str]] = [[]]
        for x, y in sorted(line, key=lambda p: p[0]):
            if y is None:
                runs.append([])
                continue
            px = PAD + _scale(x, x_low, x_high, inner_w)
            py = PAD + inner_h - _scale(y, y_low, y_high, inner_h)
            runs[-1].append(f"{px:.1f},{py:.1f}")
        for run in runs:
            if len(run) == 1:
                cx, cy = run[0].split(",")
                shapes.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{colour}"/>')
            elif run:
                shapes.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="1.5" '
                    'stroke-linejoin="round"/>'
                )
    return (
        f'<svg class="spark" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{esc(label)}">'
        f"<title>{esc(label)}</title>"
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#111217"/>{"".join(shapes)}</svg>'
    )
