"""What the report page shows above and beside its tables: the headline figures, and each
table's chart (geometry from casework.services.reports.charts, drawn by
templates/reports/_chart.html) with a title and a description that says what it shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.blueprints.reports.presenting import label_vocabulary, text_cell, words
from casework.services.reports.charts import (
    MAX_BARS,
    Chart,
    Datum,
    bar_chart,
    histogram,
    line_chart,
)
from casework.services.reports.remedy_figures import ALL
from casework.services.reports.tables import Chart as ChartSpec
from casework.services.reports.tables import Hidden, Table

NARROW = 360  # the width of a phone's chart, in SVG units


@dataclass(frozen=True)
class ChartView:
    """One chart as the template draws it."""

    id: str
    title: str
    description: str
    geometry: Chart
    narrow: Chart  # the same chart for a phone: bars for ranges, fewer labels
    series: tuple[str, ...]


@dataclass(frozen=True)
class Headline:
    """One headline figure: what it counts, the number as written, and a hint beneath."""

    key: str
    label: str
    text: str
    hint: str = ""
    hidden: bool = False


def _data(table: Table, spec: ChartSpec, currency: str) -> tuple[list[Datum], tuple[str, ...]]:
    label_column = table.column(spec.label)
    columns = [table.column(key) for key in spec.values]
    data = []
    for row in table.rows:
        if row.get(spec.label) == ALL:  # the total of every currency: in the headline
            continue
        cells = [row.get(c.key) for c in columns]
        data.append(
            Datum(
                label=words(row.get(spec.label), label_vocabulary(label_column), currency),
                values=tuple(
                    None if isinstance(v, Hidden) or v is None else float(v) for v in cells
                ),
                texts=tuple(text_cell(v, c, currency) for v, c in zip(cells, columns, strict=True)),
                suppressed=tuple(isinstance(v, Hidden) for v in cells),
            )
        )
    return data, tuple(str(c.label) for c in columns)


def _largest(data: list[Datum]) -> Datum | None:
    known = [d for d in data if d.values[0] is not None]
    return max(known, key=lambda d: d.values[0] or 0.0) if known else None


def chart(table: Table, currency: str) -> ChartView | None:
    """The table's chart, or None when it has none or there is nothing to draw (every value
    zero or missing, nothing suppressed)."""
    spec = table.chart
    if spec is None or not table.rows:
        return None
    data, series = _data(table, spec, currency)
    if not any(v for d in data for v in d.values) and not any(
        s for d in data for s in d.suppressed
    ):
        return None
    title = str(table.title)
    if spec.kind == "columns":
        geometry, narrow = line_chart(data), line_chart(data, NARROW)
        top = _largest(data)
        description = str(
            _l(
                "Line chart of %(what)s per period, from %(first)s to %(last)s.",
                what=series[0],
                first=data[0].label,
                last=data[-1].label,
            )
        )
        if top is not None:
            description += " " + str(
                _l("The highest is %(value)s, in %(period)s.", value=top.texts[0], period=top.label)
            )
    elif spec.kind == "histogram":
        geometry, narrow = histogram(data), bar_chart(data, series, NARROW)
        top = _largest(data)
        description = str(
            _l(
                "Column chart of %(what)s in each range, from %(first)s to %(last)s.",
                what=series[0],
                first=data[0].label,
                last=data[-1].label,
            )
        )
        if top is not None:
            description += " " + str(
                _l("The most: %(range)s, %(value)s.", range=top.label, value=top.texts[0])
            )
    else:
        geometry, narrow = bar_chart(data, series), bar_chart(data, series, NARROW)
        label_column = table.column(spec.label)
        by = str(label_column.label)
        description = str(
            _l("Bar chart of %(what)s by %(by)s.", what=", ".join(series), by=by.lower())
        )
        total = next((row for row in table.rows if row.get(spec.label) == ALL), None)
        if total is not None:  # left out of the bars (it would dwarf them): said here
            columns = [table.column(key) for key in spec.values]
            said = ", ".join(
                f"{c.label}: {text_cell(total.get(c.key), c, currency)}" for c in columns
            )
            description += f" {words(ALL, label_vocabulary(label_column), currency)}: {said}."
        if len(data) > MAX_BARS:
            description += " " + str(_l("It shows the first %(count)s rows.", count=MAX_BARS))
    if geometry.suppressed:
        description += " " + str(
            _l(
                "Hatched markers stand for %(count)s hidden numbers: fewer than 5 cases.",
                count=geometry.suppressed,
            )
        )
    description += " " + str(_l("The numbers are in the table beside it."))
    return ChartView(f"chart-{table.name}", title, description, geometry, narrow, series)


def _cell(table: Table | None, key: str, **match: Any) -> Any:
    if table is None:
        return None
    for row in table.rows:
        if all(row.get(k) == v for k, v in match.items()):
            return row.get(key)
    return None


def headlines(tables: list[Table], currency: str) -> list[Headline]:
    """The figures a reader wants first, taken from the tables below (hidden stays hidden)."""
    by_name = {t.name: t for t in tables}
    wanted: list[tuple[str, str, Any, str]] = [
        ("summary", "cases", {}, str(_l("Cases"))),
        ("summary", "open", {}, str(_l("Open now"))),
        ("summary", "finished", {}, str(_l("Resolved or closed"))),
        ("response_times", "median", {"measure": "first_response"}, str(_l("Days to a first answer (median)"))),
        ("remedy_rate", "rate", {}, str(_l("Remedy rate"))),
        ("money", "recovered_rep", {"currency": ALL}, str(_l("Recovered for workers (%(currency)s)", currency=currency))),
        ("flags", "cases", {"measure": "flagged"}, str(_l("Open cases with a flag"))),
    ]  # fmt: skip
    found = []
    for name, key, match, text in wanted:
        table = by_name.get(name)
        if table is None:
            continue
        value = _cell(table, key, **match)
        hint = ""
        if isinstance(value, Hidden):
            hint = str(_l("hidden: fewer than 5 cases"))
        written = text_cell(value, table.column(key), currency)
        found.append(Headline(f"{name}-{key}", text, written, hint, isinstance(value, Hidden)))
    return found
