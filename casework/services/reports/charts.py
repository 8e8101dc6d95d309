"""Chart geometry for the report: where every line, bar, dot and label goes, in SVG user units.

No markup here: templates/reports/_chart.html draws a `Chart` as inline SVG (no script, no
style attribute), so the page works without JS and prints. Three shapes:

- `line_chart`: one value over time (new cases per month);
- `bar_chart`: horizontal bars per row, one bar per series (outcomes; claimed vs recovered);
- `histogram`: adjacent columns over ordered ranges (days to first response).

A suppressed value (the small-cell rule: "<5" or "n<5") is never drawn as zero nor as a bar
of some length: it gets a hatched marker of a fixed small size, outlined with a dashed line and
labelled with its text, and the line of a line chart breaks around it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH = 640
FONT = 12
LABEL_WIDTH = 210  # bar charts: room for the row labels
VALUE_ROOM = 120  # bar charts: room after the longest bar for its value
BAR = 16
GAP = 10
MARK = 14  # the side of a suppressed marker
MAX_BARS = 20
MAX_LABEL = 30


@dataclass(frozen=True)
class Datum:
    """One row of a chart: its label and, per series, the value (None when there is none or it
    is suppressed), how it is written, and whether it is suppressed."""

    label: str
    values: tuple[float | None, ...]
    texts: tuple[str, ...]
    suppressed: tuple[bool, ...]


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    series: int = 0
    suppressed: bool = False
    tip: str = ""  # shown as the shape's own <title>


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    kind: str = "label"  # label | value | axis | suppressed | legend
    anchor: str = "start"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str = "axis"  # axis | grid


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    tip: str


@dataclass
class Chart:
    """Everything the template needs to draw one chart."""

    kind: str
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # polyline points, "x,y x,y ..."
    dots: list[Dot] = field(default_factory=list)
    suppressed: int = 0  # how many values are drawn as suppressed


def short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def nice_top(largest: float) -> tuple[float, float]:
    """A round top for the value axis at or above `largest`, and the step between its ticks
    (1, 2 or 5 times a power of ten, four or five steps)."""
    if largest <= 0:
        return 5.0, 1.0
    raw = largest / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * math.ceil(largest / step), step


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def _value_axis(
    chart: Chart, left: float, right: float, top: float, bottom: float, high: float
) -> float:
    """Horizontal grid lines and their numbers; returns the scale (units per value)."""
    ceiling, step = nice_top(high)
    scale = (bottom - top) / ceiling
    tick = 0.0
    while tick <= ceiling + step / 2:
        y = round(bottom - tick * scale, 1)
        chart.lines.append(Line(left, y, right, y, "axis" if tick == 0 else "grid"))
        chart.texts.append(Text(left - 6, y + 4, _number(tick), "axis", "end"))
        tick += step
    return scale


def _marker(chart: Chart, x: float, y: float, text: str, series: int = 0) -> None:
    chart.rects.append(Rect(x, y, MARK, MARK, series, suppressed=True, tip=text))
    chart.suppressed += 1


def line_chart(data: list[Datum], width: int = WIDTH) -> Chart:
    """One series over time: a line through the known values, broken where a value is
    suppressed; a hatched marker on the axis stands for each suppressed value."""
    height, left, right, top, bottom = 250, 52, width - 34, 16, 250 - 40
    chart = Chart("line", width, height)
    largest = max((d.values[0] or 0.0 for d in data), default=0.0)
    scale = _value_axis(chart, left, right, top, bottom, largest)
    step = (right - left) / max(1, len(data) - 1)
    every = max(1, math.ceil(len(data) / (8 if width >= WIDTH else 4)))
    segment: list[str] = []
    for index, datum in enumerate(data):
        x = round(left + index * step if len(data) > 1 else (left + right) / 2, 1)
        value = datum.values[0]
        if datum.suppressed[0]:
            if len(segment) > 1:
                chart.paths.append(" ".join(segment))
            segment = []
            _marker(chart, x - MARK / 2, bottom - MARK - 2, f"{datum.label}: {datum.texts[0]}")
            chart.texts.append(Text(x, bottom - MARK - 6, datum.texts[0], "suppressed", "middle"))
        elif value is not None:
            y = round(bottom - value * scale, 1)
            segment.append(f"{x},{y}")
            chart.dots.append(Dot(x, y, f"{datum.label}: {datum.texts[0]}"))
        if index % every == 0 or index == len(data) - 1 and len(data) <= 12:
            chart.texts.append(Text(x, height - 18, short(datum.label, 10), "label", "middle"))
    if len(segment) > 1:
        chart.paths.append(" ".join(segment))
    return chart


def bar_chart(data: list[Datum], series: tuple[str, ...], width: int = WIDTH) -> Chart:
    """Horizontal bars, one group per row (at most MAX_BARS rows), one bar per series, each
    bar followed by its value as written in the table."""
    data = data[:MAX_BARS]
    per_row = max(1, len(series))
    narrow = width < WIDTH
    label_width = round(width * 0.36) if narrow else LABEL_WIDTH
    limit = 17 if narrow else MAX_LABEL
    keys: list[tuple[float, float, int, str]] = []  # the legend: x, y, series, name
    x, top = float(label_width), 4.0
    for index, name in enumerate(series if per_row > 1 else ()):
        name = short(name, limit)
        room = 24 + 7 * len(name)
        if x + room > width and x > label_width:  # no room left on this line: the next one
            x, top = float(label_width), top + 18
        keys.append((x, top, index, name))
        x += room + 16
    legend = round(top + 22) if keys else 0
    row_height = per_row * BAR + GAP
    height = legend + len(data) * row_height + 8
    chart = Chart("bars", width, height)
    largest = max((v for d in data for v in d.values if v), default=0.0)
    room = width - label_width - (84 if narrow else VALUE_ROOM)
    scale = room / largest if largest else 0.0
    for key_x, key_y, index, name in keys:
        chart.rects.append(Rect(key_x, key_y, 12, 12, index))
        chart.texts.append(Text(key_x + 16, key_y + 10, name, "legend"))
    y = float(legend + 4)
    for datum in data:
        middle = y + per_row * BAR / 2 + 4
        chart.texts.append(Text(label_width - 8, middle, short(datum.label, limit), "label", "end"))
        for index in range(per_row):
            value, text = datum.values[index], datum.texts[index]
            if datum.suppressed[index]:
                _marker(chart, label_width, y + 1, f"{datum.label}: {text}", index)
                chart.texts.append(Text(label_width + MARK + 6, y + BAR - 4, text, "suppressed"))
            else:
                length = round((value or 0.0) * scale, 1)
                if length > 0:
                    tip = f"{datum.label}, {series[index]}: {text}" if series else text
                    chart.rects.append(Rect(label_width, y + 1, length, BAR - 2, index, tip=tip))
                chart.texts.append(Text(label_width + length + 5, y + BAR - 4, text, "value"))
            y += BAR
        y += GAP
    chart.lines.append(Line(label_width, legend, label_width, y - GAP + 2))
    return chart


def histogram(data: list[Datum]) -> Chart:
    """Adjacent columns over ordered ranges, each topped by its count; a suppressed range
    gets a hatched marker on the axis and its "<5"."""
    height, left, right, top, bottom = 250, 52, WIDTH - 16, 22, 250 - 44
    chart = Chart("histogram", WIDTH, height)
    largest = max((d.values[0] or 0.0 for d in data), default=0.0)
    scale = _value_axis(chart, left, right, top, bottom, largest)
    step = (right - left) / max(1, len(data))
    for index, datum in enumerate(data):
        x = round(left + index * step, 1)
        centre = round(x + step / 2, 1)
        text = datum.texts[0]
        if datum.suppressed[0]:
            _marker(chart, centre - MARK / 2, bottom - MARK - 2, f"{datum.label}: {text}")
            chart.texts.append(Text(centre, bottom - MARK - 6, text, "suppressed", "middle"))
        else:
            column = round((datum.values[0] or 0.0) * scale, 1)
            if column > 0:
                chart.rects.append(
                    Rect(x + 1, round(bottom - column, 1), round(step - 2, 1), column, 0, tip=text)
                )
            chart.texts.append(Text(centre, round(bottom - column - 5, 1), text, "value", "middle"))
        chart.texts.append(Text(centre, height - 24, short(datum.label, 14), "label", "middle"))
    return chart
