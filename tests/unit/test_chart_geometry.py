"""Chart geometry, without a database: values scale to the axis, a suppressed value gets a
marker of its own (never a bar whose length says something, never a point at zero), and the
line breaks around it."""

from __future__ import annotations

from casework.services.reports.charts import (
    MARK,
    Datum,
    bar_chart,
    histogram,
    line_chart,
    nice_top,
)


def _datum(label: str, value: float | None, text: str = "", hidden: bool = False) -> Datum:
    return Datum(label, (value,), (text or str(value),), (hidden,))


def test_the_value_axis_ends_on_a_round_number_above_the_largest_value() -> None:
    assert nice_top(0) == (5.0, 1.0)
    assert nice_top(28) == (30.0, 10.0)
    assert nice_top(130) == (150.0, 50.0)
    assert nice_top(7) == (8.0, 2.0)


def test_a_line_breaks_around_a_suppressed_month_which_gets_a_marker_not_a_point() -> None:
    months = [
        _datum("2026-01", 12),
        _datum("2026-02", 20),
        _datum("2026-03", None, "<5", hidden=True),
        _datum("2026-04", 10),
        _datum("2026-05", 30),
    ]
    chart = line_chart(months)
    assert len(chart.paths) == 2  # January–February, April–May: nothing joins through March
    assert len(chart.dots) == 4
    markers = [r for r in chart.rects if r.suppressed]
    assert len(markers) == 1 and markers[0].tip == "2026-03: <5"
    assert (markers[0].width, markers[0].height) == (MARK, MARK)
    assert [t.text for t in chart.texts if t.kind == "suppressed"] == ["<5"]
    highest = min(chart.dots, key=lambda d: d.y)  # SVG y grows downwards
    assert highest.tip == "2026-05: 30"


def test_a_suppressed_bar_is_a_fixed_marker_whatever_the_scale() -> None:
    for largest in (6.0, 6000.0):
        rows = [
            Datum("Money recovered", (largest, largest / 2), ("a", "b"), (False, False)),
            Datum("Documents returned", (None, None), ("<5", "n<5"), (True, True)),
        ]
        chart = bar_chart(rows, ("Claimed", "Recovered"))
        bars = [r for r in chart.rects if not r.suppressed and r.tip]
        markers = [r for r in chart.rects if r.suppressed]
        assert len(bars) == 2 and bars[0].width == 2 * bars[1].width
        assert [m.width for m in markers] == [MARK, MARK]
        assert chart.suppressed == 2
        assert {"Claimed", "Recovered"} <= {t.text for t in chart.texts if t.kind == "legend"}


def test_a_histogram_draws_adjacent_ranges_with_their_counts_and_a_narrow_chart_fits() -> None:
    ranges = [_datum("Within a day", 40, "40"), _datum("1 day", 10, "10"), _datum("2–3 days", 0)]
    chart = histogram(ranges)
    columns = [r for r in chart.rects if not r.suppressed]
    assert len(columns) == 2 and columns[0].height == 4 * columns[1].height
    assert columns[1].x > columns[0].x + columns[0].width - 3  # side by side
    assert [t.text for t in chart.texts if t.kind == "label"] == [
        "Within a day",
        "1 day",
        "2–3 days",
    ]
    narrow = bar_chart(ranges, ("Cases",), width=360)
    assert narrow.width == 360
    assert all(r.x + r.width <= 360 for r in narrow.rects)
