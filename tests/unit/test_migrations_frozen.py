"""Migrations are frozen history: none imports the application, and 0007 fills the report
facts itself, in plain SQL, exactly as the application's `refresh_all` computes them."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, inspect, text

from casework import MIGRATIONS_PATH
from casework.extensions import db
from tests.conftest import ON_POSTGRES, make_app

# The facts' columns as of 0007 (literal: the test checks that revision, not the head).
COLUMNS = (
    "case_id",
    "created_at",
    "created_month",
    "status",
    "origin_country",
    "destination_country",
    "agency_id",
    "organisations",
    "origin_caseworker_id",
    "destination_caseworker_id",
    "first_response_seconds",
    "resolution_seconds",
    "outcome_state",
    "recruitment_months",
    "claim_deadline",
    "next_deadline_at",
    "abuse_codes",
)


def _imports_of_casework(source: str, filename: str) -> list[str]:
    """Every import of `casework` (or a submodule) anywhere in the module, functions included,
    also through importlib.import_module / __import__ with a literal name."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if called in {"import_module", "__import__"} and isinstance(first, ast.Constant):
                names = [str(first.value)]
        found += [
            f"{filename}:{node.lineno} imports {name}"
            for name in names
            if name == "casework" or name.startswith("casework.")
        ]
    return found


def test_the_checker_sees_imports_inside_functions() -> None:
    source = (
        "import os\n"
        "def upgrade():\n"
        "    from casework.services.reports.facts import refresh_all\n"
        "    import casework\n"
        "    importlib.import_module('casework.models')\n"
    )
    assert len(_imports_of_casework(source, "x.py")) == 3
    assert _imports_of_casework("import caseworkers\nfrom . import casework\n", "y.py") == []


def test_no_migration_imports_the_application() -> None:
    files = sorted(MIGRATIONS_PATH.rglob("*.py"))
    assert any(path.parent.name == "versions" for path in files), "no migrations found"
    offending = [
        found
        for path in files
        for found in _imports_of_casework(path.read_text(encoding="utf-8"), str(path))
    ]
    assert offending == []


# --- 0007 fills the facts itself ---------------------------------------------------------------


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    with app.app_context():
        if ON_POSTGRES:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        yield app
        db.session.remove()
        db.engine.dispose()


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _case(case_id: int, created_at: datetime, status: str, **values: Any) -> dict[str, Any]:
    """A `cases` row as of 0006 (every NOT NULL column given)."""
    row = {
        "id": case_id,
        "reference": f"CW-TEST-{case_id:04d}",
        "status": status,
        "language": "ne",
        "origin_country": "NP",
        "destination_country": "QA",
        "agency_id": None,
        "employer_name": "Doha Build Contracting",
        "occupation": "mason",
        "actual_wage_amount": None,
        "actual_wage_currency": None,
        "consent_share_partners": True,
        "consent_cross_border": True,
        "source": "api",
        "created_at": created_at,
        "updated_at": created_at,
        "last_activity_at": created_at,
        "next_deadline_at": None,
        "claim_deadline": None,
        "version": 1,
        "key_id": "k1",
        "wrapped_key": b"\x00" * 16,
        "secret_hash": "x",
        "status_since": created_at,
        "paused_seconds": 0,
        "closed_at": None,
        "in_triage": False,
    }
    row.update(values)
    return row


def _assignment(
    case_id: int,
    organisation_id: int,
    user_id: int | None,
    side: str,
    status: str,
    responded_at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "organisation_id": organisation_id,
        "user_id": user_id,
        "side": side,
        "status": status,
        "decline_reason": "",
        "offered_at": _at(2026, 1, 1),
        "responded_at": responded_at,
    }


def _fee(case_id: int, amount: str, currency: str, paid_on: date | None) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "category": "FEE_AGENT",
        "amount_paid": Decimal(amount),
        "currency": currency,
        "paid_on": paid_on,
        "loan": False,
    }


def _outcome(case_id: int, code: str) -> dict[str, Any]:
    return {"case_id": case_id, "code": code, "recorded_at": _at(2026, 5, 1)}


def _load_cases_at_0006() -> None:
    """A handful of cases through the schema as of 0006 (reflected, no application models),
    covering each fact: shared and single-organisation cases, declined and ended assignments,
    each side's caseworker, resolved and closed cases, remedies and other outcomes, payments
    converted at the day's rate, without a date, in the wage currency, without any rate."""
    metadata = MetaData()
    with db.engine.begin() as conn:
        metadata.reflect(conn)
        t = metadata.tables
        created = _at(2026, 1, 1)
        conn.execute(
            t["agencies"].insert(),
            [
                {
                    "id": 1,
                    "name": "Himal Overseas Manpower",
                    "name_key": "himal overseas manpower",
                    "licence_number": "1234/067/68",
                    "country": "NP",
                    "created_at": created,
                }
            ],
        )
        organisation = {"kind": "union", "languages": "en", "active": True, "created_at": created}
        conn.execute(
            t["organisations"].insert(),
            [
                {"id": 1, "slug": "gefont", "name": "GEFONT", **organisation},
                {"id": 2, "slug": "doha-ngo", "name": "Doha NGO", **organisation},
                {"id": 3, "slug": "third", "name": "Third", **organisation},
            ],
        )
        user = {
            "role": "caseworker",
            "languages": "en",
            "password_hash": "x",
            "totp_confirmed": False,
            "totp_last_step": 0,
            "active": True,
            "session_version": 1,
            "created_at": created,
        }
        conn.execute(
            t["users"].insert(),
            [
                {
                    "id": n,
                    "email": f"u{n}@example.org",
                    "name": f"U{n}",
                    "organisation_id": o,
                    **user,
                }
                for n, o in ((1, 1), (2, 2), (3, 1), (4, 3))
            ],
        )
        conn.execute(
            t["exchange_rates"].insert(),
            [
                {"currency": "NPR", "valid_from": date(2026, 1, 1), "per_usd": Decimal("133.5")},
                {"currency": "NPR", "valid_from": date(2026, 3, 1), "per_usd": Decimal("134.25")},
                {"currency": "QAR", "valid_from": date(2026, 1, 1), "per_usd": Decimal("3.64")},
                {"currency": "QAR", "valid_from": date(2026, 6, 1), "per_usd": Decimal("3.65")},
            ],
        )
        conn.execute(
            t["cases"].insert(),
            [
                # shared, resolved, remedy; fees in NPR (one undated) and USD, wage in QAR;
                # created late on the last day of a month
                _case(
                    1,
                    _at(2026, 1, 31, 23, 30),
                    "resolved",
                    agency_id=1,
                    status_since=_at(2026, 5, 1, 12),
                    actual_wage_amount=Decimal("800"),
                    actual_wage_currency="QAR",
                    claim_deadline=date(2027, 1, 31),
                    next_deadline_at=_at(2026, 6, 1, 9),
                ),
                # closed; a fee with no rate at all; an offer not yet answered
                _case(
                    2,
                    _at(2026, 2, 10, 10),
                    "closed",
                    agency_id=1,
                    status_since=_at(2026, 4, 10, 10),
                    closed_at=_at(2026, 4, 12, 8, 0, 30),
                    actual_wage_amount=Decimal("1000"),
                    actual_wage_currency="QAR",
                ),
                # received, nobody assigned, no wage
                _case(3, _at(2026, 3, 5, 6), "received", destination_country="MY"),
                # in progress; fee in the wage currency; an acceptance without a time
                _case(
                    4,
                    _at(2026, 3, 20, 14, 45),
                    "in_progress",
                    actual_wage_amount=Decimal("900"),
                    actual_wage_currency="QAR",
                    next_deadline_at=_at(2026, 4, 3, 14, 45),
                ),
                # closed with no closing time; a zero wage
                _case(
                    5,
                    _at(2026, 4, 30, 22, 30),
                    "closed",
                    actual_wage_amount=Decimal("0"),
                    actual_wage_currency="QAR",
                ),
            ],
        )
        conn.execute(
            t["assignments"].insert(),
            [
                _assignment(1, 1, 3, "origin", "ended", _at(2026, 2, 1, 8)),
                _assignment(1, 1, 1, "origin", "accepted", _at(2026, 2, 3, 10, 15, 30)),
                _assignment(1, 2, 2, "destination", "accepted", _at(2026, 2, 2, 7)),
                _assignment(1, 3, 4, "destination", "declined", _at(2026, 2, 1, 6)),
                _assignment(2, 1, None, "origin", "offered"),
                _assignment(4, 2, 2, "destination", "accepted", None),
                _assignment(4, 1, 1, "origin", "accepted", _at(2026, 3, 21, 9, 5)),
                _assignment(4, 3, None, "origin", "declined", _at(2026, 3, 20, 16)),
                _assignment(5, 3, 4, "destination", "accepted", _at(2026, 5, 2)),
            ],
        )
        conn.execute(
            t["outcomes"].insert(),
            [
                _outcome(1, "OUT_FINE"),
                _outcome(1, "OUT_MONEY_RECOVERED"),
                _outcome(2, "OUT_WITHDRAWN"),
                _outcome(5, "OUT_AWARD"),
            ],
        )
        conn.execute(
            t["fee_payments"].insert(),
            [
                _fee(1, "150000", "NPR", date(2026, 3, 15)),
                _fee(1, "20000", "NPR", None),
                _fee(1, "100", "USD", date(2026, 1, 10)),
                _fee(2, "500", "INR", date(2026, 2, 1)),
                _fee(2, "100", "QAR", date(2026, 2, 1)),
                _fee(3, "1000", "NPR", date(2026, 3, 1)),
                _fee(4, "2700", "QAR", date(2026, 3, 1)),
                _fee(5, "5000", "NPR", date(2026, 4, 1)),
            ],
        )
        conn.execute(
            t["case_abuses"].insert(),
            [
                {"case_id": 1, "code": "RA_FEES"},
                {"case_id": 1, "code": "FL_DOCS"},
                {"case_id": 1, "code": "FL_WAGES"},
                {"case_id": 2, "code": "RA_PASSPORT"},
                {"case_id": 5, "code": "FL_WAGES"},
            ],
        )
        # A stale row, as the application of 0006's time may have left: 0007 recomputes it.
        stale = {name: None for name in t["report_cases"].columns.keys()}
        stale.update(
            case_id=1,
            created_at=_at(2020, 1, 1),
            created_month="2020-01",
            status="received",
            origin_country="XX",
            destination_country="YY",
            organisations=9,
            outcome_state=0,
        )
        conn.execute(t["report_cases"].insert(), [stale])


def _normal(row: Any) -> tuple[Any, ...]:
    """A row with its abuse codes as a sorted list of the space-separated parts (the codes'
    order within the text is not defined; the spaces around them are kept and compared)."""
    values = dict(row._mapping)
    values["abuse_codes"] = sorted(values["abuse_codes"].split(" "))
    return tuple(values.values())


def _facts() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    columns = ", ".join(COLUMNS)
    with db.engine.connect() as conn:
        cases = conn.execute(
            text(f"SELECT {columns} FROM report_cases ORDER BY case_id")  # noqa: S608
        ).all()
        organisations = conn.execute(
            text(
                f"SELECT organisation_id, {columns} FROM report_org_cases "  # noqa: S608
                "ORDER BY organisation_id, case_id"
            )
        ).all()
    return [_normal(r) for r in cases], [_normal(r) for r in organisations]


def test_0007_fills_the_facts_as_the_application_computes_them(empty_app: Flask) -> None:
    directory = str(MIGRATIONS_PATH)
    upgrade(directory=directory, revision="0006")
    _load_cases_at_0006()

    upgrade(directory=directory, revision="0007")
    migrated = _facts()

    upgrade(directory=directory)  # head: the application's schema
    result = empty_app.test_cli_runner().invoke(args=["reports", "refresh-facts"])
    assert result.exit_code == 0, result.output
    assert "5 case(s)" in result.output
    computed = _facts()
    db.session.remove()

    assert migrated[0] == computed[0]
    assert migrated[1] == computed[1]

    # The data exercises every column: sanity of a few values against the definitions.
    by_case = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in migrated[0]}
    assert sorted(by_case) == [1, 2, 3, 4, 5]
    one, two, three, four, five = (by_case[n] for n in range(1, 6))
    assert (one["organisations"], two["organisations"], three["organisations"]) == (2, 1, 0)
    assert (one["origin_caseworker_id"], one["destination_caseworker_id"]) == (1, 2)
    assert one["created_month"] == "2026-01" and five["created_month"] == "2026-04"
    assert one["first_response_seconds"] == pytest.approx(31.5 * 3600)
    assert two["first_response_seconds"] is None
    assert four["first_response_seconds"] == pytest.approx(18 * 3600 + 20 * 60)
    assert one["resolution_seconds"] == pytest.approx(
        (_at(2026, 5, 1, 12) - _at(2026, 1, 31, 23, 30)).total_seconds()
    )
    assert two["resolution_seconds"] == pytest.approx(60 * 86400 + 22 * 3600 + 30)
    assert (four["resolution_seconds"], five["resolution_seconds"]) == (None, None)
    assert [by_case[n]["outcome_state"] for n in range(1, 6)] == [2, 1, 0, 0, 2]
    paid_qar = (150000 / 134.25 + 20000 / 133.5 + 100) * 3.64
    assert one["recruitment_months"] == pytest.approx(paid_qar / 800)
    assert four["recruitment_months"] == pytest.approx(3.0)
    assert [by_case[n]["recruitment_months"] for n in (2, 3, 5)] == [None, None, None]
    assert one["abuse_codes"] == ["", "", "FL_DOCS", "FL_WAGES", "RA_FEES"]
    assert three["abuse_codes"] == [""]
    assert [row[:2] for row in migrated[1]] == [(1, 1), (1, 2), (1, 4), (2, 1), (2, 4), (3, 5)]

    # Back to 0006: the per-organisation table goes, the per-case rows stay; up again, both
    # are computed afresh.
    downgrade(directory=directory, revision="0006")
    tables = set(inspect(db.engine).get_table_names())
    assert "report_org_cases" not in tables and "report_cases" in tables
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM report_cases")).scalar_one() == 5
    upgrade(directory=directory)
    assert _facts() == computed
