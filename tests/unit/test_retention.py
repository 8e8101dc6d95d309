"""Retention: closed cases are crypto-shredded after the retention period, and audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select

from casework.extensions import db
from casework.jobs import run_job
from casework.models import AuditEvent, Complainant, Evidence
from casework.services.escalation.deadlines import set_status
from casework.services.followup.operations import add_worker_message, authenticate_followup
from casework.services.keys.case_keys import CasePurged, case_key
from casework.services.keys.retention import purge_expired_cases
from casework.services.runtime import evidence_store
from tests import samples
from tests.conftest import case_by_reference

WORKER_NAME = "Ram Bahadur Test"


def _blob_path(blob_id: str) -> Path:
    store: Any = evidence_store()
    return Path(store.blobs) / blob_id[:2] / blob_id


def _closed_case(lodge: Any, status: str = "closed") -> tuple[Any, list[str]]:
    """A case with a complainant, a story, evidence and a worker's message, then closed now."""
    lodged = lodge(files=[("receipt.png", samples.png()), ("contract.pdf", samples.pdf())])
    add_worker_message(
        case_by_reference(lodged.reference), "They still keep my passport at the camp."
    )
    case = case_by_reference(lodged.reference)
    set_status(case, status)
    db.session.commit()
    return lodged, [e.blob_id for e in case_by_reference(lodged.reference).evidence]


def _purge_audits() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "purge").order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def start() -> datetime:
    # Blob files carry real modification times, so the story starts now and moves forward.
    return datetime.now(UTC).replace(microsecond=0)


def test_an_expired_case_is_crypto_shredded_and_audited(
    app: Flask, lodge: Any, start: datetime
) -> None:
    assert app.config["RETENTION_DAYS"] == 730
    with time_machine.travel(start, tick=False) as clock:
        lodged, blobs = _closed_case(lodge)
        withdrawn, withdrawn_blobs = _closed_case(lodge, status="withdrawn")
        assert len(blobs) == 2 and all(_blob_path(b).exists() for b in blobs)
        case = case_by_reference(lodged.reference)
        facts = (case.origin_country, case.destination_country, case.abuse_codes, case.status)
        fees = [(f.category, f.amount_paid, f.currency) for f in case.fees]

        clock.move_to(start + timedelta(days=731))
        report = purge_expired_cases()

        assert sorted(report.cases) == sorted([case.id, case_by_reference(withdrawn.reference).id])
        assert report.blobs_deleted == 4
        case = case_by_reference(lodged.reference)
        with pytest.raises(CasePurged):
            case_key(case)
        assert case.wrapped_key is None and case.narrative_sealed is None
        assert case.purged_at == start + timedelta(days=731)
        assert db.session.get(Complainant, case.id) is None
        assert db.session.scalar(select(func.count(Evidence.id))) == 0
        assert not any(_blob_path(b).exists() for b in blobs + withdrawn_blobs)
        assert case.events and all(e.body_sealed is None for e in case.events)
        # The structured facts stay for the outcome reports.
        assert (
            case.origin_country,
            case.destination_country,
            case.abuse_codes,
            case.status,
        ) == facts
        assert [(f.category, f.amount_paid, f.currency) for f in case.fees] == fees
        # The worker's follow-up secret no longer opens it (no crash on a keyless case).
        assert authenticate_followup(lodged.reference, lodged.secret) is None
        # Every purge is audited, with the case id and nothing personal.
        audits = _purge_audits()
        assert sorted(a.object_id for a in audits) == sorted(str(i) for i in report.cases)
        assert all(a.object_type == "case" and a.actor_label.startswith("system") for a in audits)
        for audit in audits:
            assert WORKER_NAME not in audit.detail and lodged.reference not in audit.detail


def test_a_recently_closed_case_and_an_open_case_are_untouched(
    app: Flask, lodge: Any, start: datetime
) -> None:
    with time_machine.travel(start, tick=False) as clock:
        still_open = lodge(files=[("receipt.png", samples.png())])
        clock.move_to(start + timedelta(days=700))
        recent, blobs = _closed_case(lodge)
        clock.move_to(start + timedelta(days=800))
        report = purge_expired_cases()
        assert report.cases == []
        for reference in (recent.reference, still_open.reference):
            case = case_by_reference(reference)
            assert case.purged_at is None and case.wrapped_key is not None
            assert case_key(case)
            assert case.evidence and all(_blob_path(e.blob_id).exists() for e in case.evidence)
        case = case_by_reference(recent.reference)
        assert case.narrative_sealed is not None
        assert db.session.get(Complainant, case.id) is not None
        assert authenticate_followup(recent.reference, recent.secret) is not None
        assert _purge_audits() == []


def test_running_the_purge_twice_changes_nothing_the_second_time(
    app: Flask, lodge: Any, start: datetime
) -> None:
    with time_machine.travel(start, tick=False) as clock:
        _closed_case(lodge)
        clock.move_to(start + timedelta(days=731))
        assert len(purge_expired_cases().cases) == 1
        audits = db.session.scalar(select(func.count(AuditEvent.id)))
        again = purge_expired_cases()
        assert again.cases == [] and again.blobs_deleted == 0
        assert again.orphan_blobs_deleted == again.stale_temp_files_deleted == 0
        assert db.session.scalar(select(func.count(AuditEvent.id))) == audits


def test_orphan_blobs_and_stale_uploads_are_removed_and_audited(
    app: Flask, lodge: Any, start: datetime
) -> None:
    store = evidence_store()
    with time_machine.travel(start, tick=False) as clock:
        kept = lodge(files=[("receipt.png", samples.png())])
        temp_path, handle = store.temp_file()
        handle.write(b"encrypted bytes of a crashed upload")
        handle.close()
        orphan_path, handle = store.temp_file()
        handle.write(b"a blob whose row never committed")
        handle.close()
        orphan = store.commit(orphan_path)
        stale_path, handle = store.temp_file()
        handle.close()
        clock.move_to(start + timedelta(days=2))
        summary = run_job("retention")
        assert "1 orphan blob(s) and 2 stale upload(s) removed" in summary
        assert not _blob_path(orphan).exists()
        assert not temp_path.exists() and not stale_path.exists()
        assert all(
            _blob_path(e.blob_id).exists() for e in case_by_reference(kept.reference).evidence
        )
        [cleanup] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "evidence_cleanup")
        ).all()
        assert cleanup.detail == "1 orphan blob(s), 2 stale upload(s) removed"
