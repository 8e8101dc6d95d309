"""lodge_complaint: what is stored, what is encrypted, what is refused."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Agency, Case, Evidence
from casework.services.errors import EvidenceRejected, InvalidInput
from casework.services.evidence.operations import read_evidence
from casework.services.followup.operations import authenticate_followup
from casework.services.intake.operations import lodge_complaint
from casework.services.keys.case_keys import case_key, open_text
from tests import samples
from tests.conftest import case_by_reference, complaint_payload


def test_complaint_is_stored_with_facts_in_clear_and_story_sealed(app: Flask, lodge: Any) -> None:
    lodged = lodge()
    case = case_by_reference(lodged.reference)
    assert case.status == "received"
    assert (case.origin_country, case.destination_country) == ("NP", "QA")
    assert case.abuse_codes == ["FL_DOCS", "RA_FEES"]
    assert case.fees[0].amount_paid == Decimal("150000.00")
    assert case.fees[0].receipt_amount == Decimal("10000.00")
    assert case.actual_wage_amount == Decimal("800.00")
    assert case.agency is not None and case.agency.licence_number == "1234/067/68"
    # Narrative and identity are not readable in the row...
    assert b"passport" not in (case.narrative_sealed or b"")
    assert case.complainant is not None
    assert b"Ram Bahadur" not in case.complainant.identity_sealed
    # ...but open with the case key.
    key = case_key(case)
    assert "passport" in open_text(key, case, "narrative", case.narrative_sealed or b"")
    identity = json.loads(open_text(key, case, "identity", case.complainant.identity_sealed))
    assert identity["name"] == "Ram Bahadur Test"
    assert identity["channel"] == "whatsapp"


def test_database_file_holds_no_plaintext_story_or_name(app: Flask, lodge: Any) -> None:
    lodge(narrative="UNIQUE-STORY-MARKER-4471 my boss kept my passport")
    db.session.remove()
    db.engine.dispose()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("inspects the SQLite file; PostgreSQL pages are checked by the same sealing")
    database = Path(url.removeprefix("sqlite:///"))
    raw = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
    assert b"UNIQUE-STORY-MARKER-4471" not in raw
    assert b"Ram Bahadur" not in raw


def test_anonymous_complaint_has_no_complainant(app: Flask, lodge: Any) -> None:
    lodged = lodge(contact=None)
    assert case_by_reference(lodged.reference).complainant is None


def test_secret_is_sixteen_digits_and_only_a_hash_is_kept(app: Flask, lodge: Any) -> None:
    lodged = lodge()
    assert len(lodged.secret) == 16 and lodged.secret.isdigit()
    case = case_by_reference(lodged.reference)
    assert lodged.secret not in case.secret_hash
    assert case.secret_hash.startswith("$argon2id$")
    assert authenticate_followup(lodged.reference, lodged.secret) is case
    assert authenticate_followup(lodged.reference.lower().replace("-", " "), lodged.secret) is case


def test_evidence_is_stored_encrypted_with_custody_hash(app: Flask, lodge: Any) -> None:
    photo = samples.png()
    lodged = lodge(files=[("contract.png", photo), ("voice.ogg", samples.ogg_opus_voice_note())])
    case = case_by_reference(lodged.reference)
    assert [e.media_type for e in case.evidence] == ["image/png", "audio/opus"]
    first = case.evidence[0]
    assert first.sha256 == hashlib.sha256(photo).hexdigest()
    assert b"".join(read_evidence(case, case_key(case), first)) == photo
    assert b"contract.png" not in first.filename_sealed


def test_same_agency_is_recognised_across_complaints(app: Flask, lodge: Any) -> None:
    lodge()
    lodge(agency={"name": "HIMAL overseas  manpower", "licence_number": "1234/067/68"})
    assert db.session.scalar(select(func.count(Agency.id))) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"origin_country": ""}, "origin_country"),
        ({"destination_country": "XX"}, "destination_country"),
        ({"language": "fr"}, "language"),
        ({"abuse_categories": [], "narrative": ""}, "abuse_categories"),
        ({"abuse_categories": ["NOT_A_CODE"]}, "abuse_categories"),
        (
            {"fees": [{"category": "FEE_AGENT", "amount": "abc", "currency": "NPR"}]},
            "fees.0.amount",
        ),
        (
            {"fees": [{"category": "FEE_AGENT", "amount": "10", "currency": "XYZ"}]},
            "fees.0.currency",
        ),
        ({"fees": [{"amount": "10", "currency": "NPR"}]}, "fees.0.category"),
        ({"departure_date": "01/04/2026"}, "departure_date"),
        ({"promised_monthly_wage": {"amount": "1200"}}, "promised_monthly_wage.currency"),
        ({"contact": {"email": "not-an-email"}}, "contact.email"),
    ],
)
def test_invalid_complaint_names_the_field_and_stores_nothing(
    app: Flask, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        lodge_complaint(complaint_payload(**changes))
    assert field in raised.value.fields
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_only_language_countries_and_what_happened_are_required(app: Flask) -> None:
    lodged = lodge_complaint(
        {"language": "ur", "origin_country": "PK", "destination_country": "AE", "narrative": "..."}
    )
    assert lodged.language == "ur"


def test_disallowed_file_type_is_refused_and_nothing_is_stored(app: Flask, lodge: Any) -> None:
    with pytest.raises(EvidenceRejected) as raised:
        lodge(files=[("photo.png", samples.png()), ("setup.png", samples.exe())])
    assert raised.value.status == 415
    assert raised.value.position == 1
    assert db.session.scalar(select(func.count(Case.id))) == 0
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    store = app.extensions["casework.evidence_store"]
    assert list(store.blob_ids()) == []
    assert list(store.tmp.iterdir()) == []


def test_failed_commit_leaves_no_blob_behind(app: Flask, lodge: Any, monkeypatch: Any) -> None:
    def broken_commit() -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        lodge(files=[("photo.png", samples.png())])
    monkeypatch.undo()
    store = app.extensions["casework.evidence_store"]
    assert list(store.blob_ids()) == []
