"""The small-cell rule and the CSV cells, without a database (chart geometry: test_chart_geometry)."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Flask

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
    assert rows[0] == ["Agency", "Complaints", "Fees", "Status", "Status (code)"]
    assert rows[1] == ["'=cmd|' /C calc'!A0", "<5", "n<5", "Closed", "closed"]
    assert rows[2] == ["'+Plain", "9", "1234.50", "In progress", "in_progress"]
