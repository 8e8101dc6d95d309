"""A purge leaves no copy that the database keeps (issue 12.1a).

`retention` used to set `wrapped_key = None` and stop there: the old row version, with the
wrapped case key, stayed in the SQLite WAL (and in free space in the file), or as a dead row
version in PostgreSQL, so a copy of the database files taken after the purge still held it.
Also: nothing secret stays in the report facts, the idempotency receipts or the logs.
"""

from __future__ import annotations

import base64
import logging
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import LargeBinary, select, text

from casework.extensions import db
from casework.models import ReportCase, ReportOrgCase, Submission
from casework.services.escalation.deadlines import set_status
from casework.services.followup.operations import add_worker_message
from casework.services.intake.operations import lodge_complaint
from casework.services.keys.retention import purge_expired_cases
from tests import samples
from tests.conftest import ON_POSTGRES, case_by_reference, complaint_payload

NAME = "Ram Bahadur Test"
STORY = "The agent took my passport and charged me 150000 rupees."
MESSAGE = "They still keep my passport at the camp."


@pytest.fixture
def start() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _lodge_and_close(lodge: Any) -> tuple[Any, dict[str, bytes]]:
    """A case with identity, story, a file and a message, closed now; returns its sealed bytes."""
    lodged = lodge(files=[("receipt.png", samples.png())])
    add_worker_message(case_by_reference(lodged.reference), MESSAGE)
    case = case_by_reference(lodged.reference)
    sealed = {
        "wrapped case key": bytes(case.wrapped_key or b""),
        "narrative": bytes(case.narrative_sealed or b""),
        "identity": bytes(case.complainant.identity_sealed if case.complainant else b""),
        "wrapped file key": bytes(case.evidence[0].wrapped_file_key),
    }
    set_status(case, "closed")
    db.session.commit()
    return lodged, sealed


def _sqlite_files(app: Flask) -> list[Path]:
    database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    return [p for p in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if p.exists()]


def _found_in_files(app: Flask, needles: dict[str, bytes]) -> list[str]:
    contents = b"".join(path.read_bytes() for path in _sqlite_files(app))
    return [name for name, needle in needles.items() if needle and needle in contents]


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite files")
def test_a_purge_leaves_no_sealed_byte_in_the_sqlite_file_or_its_wal(
    app: Flask, lodge: Any, start: datetime
) -> None:
    with time_machine.travel(start, tick=False) as clock:
        lodged, sealed = _lodge_and_close(lodge)
        db.session.commit()
        assert _found_in_files(app, sealed) == list(sealed)  # the test can see them
        clock.move_to(start + timedelta(days=731))
        assert purge_expired_cases().cases
        db.session.commit()
        assert _found_in_files(app, sealed) == []
        assert case_by_reference(lodged.reference).purged_at is not None


def _tuples_holding(table: str, needle: bytes) -> int:
    """Row versions — live or dead — in `table`'s heap whose data holds `needle`."""
    with db.engine.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        conn.commit()
        pages = conn.scalar(
            text(
                "SELECT pg_relation_size(CAST(:t AS regclass)) / current_setting('block_size')::int"
            ),
            {"t": table},
        )
        found = 0
        for block in range(int(pages or 0)):
            rows = conn.execute(
                text("SELECT t_data FROM heap_page_items(get_raw_page(:t, :b))"),
                {"t": table, "b": block},
            )
            found += sum(1 for (data,) in rows if data is not None and needle in bytes(data))
        conn.rollback()
    return found


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's dead row versions")
def test_a_purge_leaves_no_dead_row_version_with_the_wrapped_key_in_postgresql(
    app: Flask, lodge: Any, start: datetime
) -> None:
    with time_machine.travel(start, tick=False) as clock:
        lodged, sealed = _lodge_and_close(lodge)
        db.session.commit()
        assert _tuples_holding("cases", sealed["wrapped case key"]) >= 1
        assert _tuples_holding("complainants", sealed["identity"]) >= 1
        clock.move_to(start + timedelta(days=731))
        assert purge_expired_cases().cases
        db.session.commit()
        assert _tuples_holding("cases", sealed["wrapped case key"]) == 0
        assert _tuples_holding("cases", sealed["narrative"]) == 0
        assert _tuples_holding("complainants", sealed["identity"]) == 0
        assert _tuples_holding("evidence", sealed["wrapped file key"]) == 0
        assert case_by_reference(lodged.reference).wrapped_key is None


def test_a_purge_deletes_the_cases_idempotency_receipts(app: Flask, start: datetime) -> None:
    with time_machine.travel(start, tick=False) as clock:
        lodged = lodge_complaint(
            complaint_payload(), [], source="api", submission_token=secrets.token_urlsafe(24)
        )
        case = case_by_reference(lodged.reference)
        assert db.session.scalars(select(Submission).where(Submission.case_id == case.id)).all()
        set_status(case, "closed")
        db.session.commit()
        clock.move_to(start + timedelta(days=731))
        purge_expired_cases()
        assert not db.session.scalars(select(Submission).where(Submission.case_id == case.id)).all()


def test_nothing_secret_in_the_report_facts_or_the_logs_of_a_purge(
    app: Flask, lodge: Any, start: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with time_machine.travel(start, tick=False) as clock:
        lodged, sealed = _lodge_and_close(lodge)
        clock.move_to(start + timedelta(days=731))
        from casework.jobs import run_job

        run_job("retention")
        run_job("keys")
        case = case_by_reference(lodged.reference)
        for model in (ReportCase, ReportOrgCase):
            for row in db.session.scalars(select(model).where(model.case_id == case.id)):
                values = " ".join(str(getattr(row, c.key)) for c in model.__table__.columns)
                assert NAME not in values and STORY not in values and MESSAGE not in values
            assert not any(isinstance(c.type, LargeBinary) for c in model.__table__.columns)
    logged = caplog.text
    for secret in (NAME, STORY, MESSAGE, lodged.secret):
        assert secret not in logged
    for value in sealed.values():
        assert value.hex() not in logged
        assert base64.b64encode(value).decode() not in logged
        assert base64.urlsafe_b64encode(value).decode() not in logged
