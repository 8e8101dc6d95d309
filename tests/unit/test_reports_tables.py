"""The small-cell rule, the SVG charts and the CSV cells, without a database."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

from flask import Flask

from casework.charts import Point, bar_chart, column_chart
from casework.services.reports.tables import (
    COUNT,
    LABEL,
    MONEY,
    PERCENT,
    SMALL_BASIS,
    SMALL_COUNT,
    Column,
    Table,
    protect,
)

SVG = "{http://www.w3.org/2000/svg}"


def _table(rows: list[dict[str, Any]], partition: bool = False) -> Table:
    return Table(
        "t",
        "Title",
        "Description",
        [
            Column("label", "Label", LABEL),
            Column("cases", "Cases", COUNT),
            Column("paid", "Paid", MONEY, basis=("cases",)),
            Column("rate", "Rate", PERCENT, basis=("cases", "won")),
            Column("won", "Won", COUNT),
        ],
        rows,
        partition=partition,
    )


def test_counts_from_one_to_four_are_hidden_and_what_rests_on_them() -> None:
    rows = [
        {"label": "a", "cases": 4, "paid": 10.0, "rate": 50.0, "won": 2},
        {"label": "b", "cases": 5, "paid": 20.0, "rate": 20.0, "won": 1},
        {"label": "c", "cases": 0, "paid": None, "rate": None, "won": 0},
        {"label": "d", "cases": 12, "paid": 30.0, "rate": 50.0, "won": 6},
    ]
    a, b, c, d = protect(_table(rows), everyone=True).rows
    assert (a["cases"], a["paid"], a["rate"], a["won"]) == (
        SMALL_COUNT,
        SMALL_BASIS,
        SMALL_BASIS,
        SMALL_COUNT,
    )
    # Five cases are shown; the rate would give away the one case won, so it is hidden.
    assert (b["cases"], b["paid"], b["rate"], b["won"]) == (5, 20.0, SMALL_BASIS, SMALL_COUNT)
    assert (c["cases"], c["won"]) == (0, 0)  # zero describes no one
    assert d == rows[3]
    assert str(SMALL_COUNT) == "<5" and str(SMALL_BASIS) == "n<5"


def test_supervisors_see_exact_rows_of_their_own_cases_only() -> None:
    rows = [
        {"label": "own", "cases": 2, "paid": 1.0, "rate": None, "won": 0, "_shared": 0},
        {"label": "shared", "cases": 2, "paid": 1.0, "rate": None, "won": 0, "_shared": 1},
    ]
    own, shared = protect(_table(rows), everyone=False).rows
    assert own["cases"] == 2 and own["paid"] == 1.0
    assert shared["cases"] == SMALL_COUNT and shared["paid"] == SMALL_BASIS


def test_a_single_hidden_cell_of_a_partition_takes_the_next_smallest_with_it() -> None:
    rows = [
        {"label": "a", "cases": 3, "won": 0},
        {"label": "b", "cases": 7, "won": 0},
        {"label": "c", "cases": 40, "won": 0},
    ]
    hidden = protect(_table(rows, partition=True), everyone=True).rows
    assert [r["cases"] for r in hidden] == [SMALL_COUNT, SMALL_COUNT, 40]
    # Two hidden cells already protect each other; a non-partition table is left alone.
    rows[1]["cases"] = 2
    assert [r["cases"] for r in protect(_table(rows, True), True).rows] == [
        SMALL_COUNT,
        SMALL_COUNT,
        40,
    ]
    rows[1]["cases"] = 7
    assert [r["cases"] for r in protect(_table(rows), True).rows] == [SMALL_COUNT, 7, 40]


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own markup
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "style" not in svg
    return root


def test_bar_chart_is_well_formed_escapes_text_and_draws_no_bar_for_hidden_values() -> None:
    points = [
        Point("Agency <Ltd> & Sons", (12.0, 4.0), ("12", "4")),
        Point("Hidden", (None, 30.0), ("<5", "30")),
    ]
    root = _parse(str(bar_chart("c1", "Fees & <more>", "Two series", ("Paid", "Won"), points)))
    assert root.find(f"{SVG}title").text == "Fees & <more>"  # type: ignore[union-attr]
    bars = root.findall(f"{SVG}rect[@class]")
    assert len([b for b in bars if "bar" in (b.get("class") or "")]) == 3
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Agency <Ltd> & Sons" in texts and "<5" in texts
    assert "Paid" in texts and "Won" in texts  # the legend


def test_column_chart_is_well_formed_and_scales_to_the_largest_value() -> None:
    points = [Point(f"2026-{m:02d}", (float(m),), (str(m),)) for m in range(1, 13)]
    root = _parse(str(column_chart("c2", "New cases", "Per month", points)))
    heights = [float(r.get("height", 0)) for r in root.findall(f"{SVG}rect")]
    assert len(heights) == 12 and heights[-1] == max(heights) and heights[0] < heights[1]


def test_csv_cells_hide_small_numbers_and_never_start_a_formula(app: Flask) -> None:
    from casework.blueprints.reports.presenting import csv_text

    table = Table(
        "agencies",
        "Agencies",
        "",
        [
            Column("agency", "Agency", "text"),
            Column("complaints", "Complaints", COUNT),
            Column("fees", "Fees", MONEY, basis=("complaints",)),
            Column("status", "Status", LABEL, vocabulary="status"),
        ],
        [
            {"agency": "=cmd|' /C calc'!A0", "complaints": 3, "fees": 10.5, "status": "closed"},
            {"agency": "+Plain", "complaints": 9, "fees": 1234.5, "status": "in_progress"},
        ],
    )
    with app.test_request_context():
        text = csv_text(protect(table, everyone=True), "USD")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Agency", "Complaints", "Fees", "Status", "status_code"]
    assert rows[1] == ["'=cmd|' /C calc'!A0", "<5", "n<5", "Closed", "closed"]
    assert rows[2] == ["'+Plain", "9", "1234.50", "In progress", "in_progress"]
