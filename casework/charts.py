"""Accessible SVG charts drawn on the server: no script, no inline style, no CDN.

Each chart is an `<svg role="img">` named by its `<title>` and `<desc>` (through
aria-labelledby); the page shows the same numbers in a table beside it. Colours are SVG
presentation attributes (the CSP allows no inline style) that a stylesheet may override through
the classes. A hidden (small-cell) value draws no bar, only its "<5" text.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 230
ROW = 22
BAR = 14
TOP = 8
LEGEND = 22
COLOURS = ("#1f5f99", "#d9822b", "#3c8c4a")
MAX_LABEL = 30
MAX_BARS = 20


@dataclass(frozen=True)
class Point:
    """One row of a chart: its label, the values (None when hidden or missing) and how each
    value is written next to its bar."""

    label: str
    values: tuple[float | None, ...]
    texts: tuple[str, ...]


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(chart_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-size="11" font-family="sans-serif" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _legend(series: tuple[str, ...], y: int) -> list[str]:
    if len(series) < 2:
        return []
    parts, x = [], LABEL_WIDTH
    for index, name in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        parts.append(
            f'<rect class="series-{index}" x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(
            f'<text class="legend" x="{x + 16}" y="{y + 10}">{escape(_short(name))}</text>'
        )
        x += 28 + 7 * min(len(name), MAX_LABEL)
    return parts


def bar_chart(
    chart_id: str, title: str, description: str, series: tuple[str, ...], points: list[Point]
) -> Markup:
    """Horizontal bars, one group per row (at most MAX_BARS rows), one bar per series."""
    points = points[:MAX_BARS]
    per_row = max(1, len(series))
    height = TOP + len(points) * (ROW + BAR * (per_row - 1)) + (LEGEND if per_row > 1 else 0) + 4
    largest = max((v for p in points for v in p.values if v), default=0.0)
    scale = (WIDTH - LABEL_WIDTH - 110) / largest if largest else 0.0
    parts = _open(chart_id, title, description, height)
    y = TOP
    for point in points:
        parts.append(
            f'<text class="label" x="{LABEL_WIDTH - 6}" y="{y + BAR - 3}" text-anchor="end">'
            f"{escape(_short(point.label))}</text>"
        )
        for index, (value, text) in enumerate(zip(point.values, point.texts, strict=True)):
            width = round((value or 0) * scale, 1)
            colour = COLOURS[index % len(COLOURS)]
            if width > 0:
                parts.append(
                    f'<rect class="bar series-{index}" x="{LABEL_WIDTH}" y="{y}" '
                    f'width="{width}" height="{BAR - 2}" fill="{colour}"/>'
                )
            parts.append(
                f'<text class="value" x="{LABEL_WIDTH + width + 4}" y="{y + BAR - 3}">'
                f"{escape(text)}</text>"
            )
            y += BAR
        y += ROW - BAR
    parts += _legend(series, y)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def column_chart(chart_id: str, title: str, description: str, points: list[Point]) -> Markup:
    """Vertical columns over time (one series), labels every few columns so they fit."""
    height, bottom, left = 220, 28, 48
    plot = height - bottom - TOP
    largest = max((p.values[0] or 0 for p in points), default=0.0)
    scale = plot / largest if largest else 0.0
    step = (WIDTH - left - 8) / max(1, len(points))
    every = max(1, round(len(points) / 8))
    parts = _open(chart_id, title, description, height)
    parts.append(
        f'<line class="axis" x1="{left}" y1="{TOP + plot}" x2="{WIDTH - 4}" y2="{TOP + plot}" '
        'stroke="#666" stroke-width="1"/>'
    )
    parts.append(
        f'<text class="value" x="{left - 4}" y="{TOP + 10}" text-anchor="end">'
        f"{escape(_largest_text(points))}</text>"
    )
    for index, point in enumerate(points):
        value = point.values[0] or 0
        column = round(value * scale, 1)
        x = round(left + index * step + step * 0.1, 1)
        if column > 0:
            parts.append(
                f'<rect class="bar series-0" x="{x}" y="{round(TOP + plot - column, 1)}" '
                f'width="{round(step * 0.8, 1)}" height="{column}" fill="{COLOURS[0]}"/>'
            )
        if index % every == 0:
            parts.append(
                f'<text class="label" x="{x}" y="{height - 10}">{escape(_short(point.label, 8))}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def _largest_text(points: list[Point]) -> str:
    best = max(points, key=lambda p: p.values[0] or 0, default=None)
    return best.texts[0] if best is not None and best.values[0] else ""
