"""What the browser journeys (and `make screenshots`) file and find: the new languages'
complaints as a worker types them, and a union desk with its staff and cases, made through the
services rather than through the pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, Organisation, User
from casework.services.assignments.operations import accept_offer
from casework.services.directory.staff_auth import hash_password
from casework.services.intake.operations import lodge_complaint
from casework.services.runtime import evidence_store
from casework.storage.spool import spool_bytes
from tests import media_samples
from tests.browser.conftest import LiveServer
from tests.conftest import STAFF_PASSWORD, complaint_payload


@dataclass(frozen=True)
class Filing:
    """A worker's complaint in language `code`, the money typed as their phone types it."""

    code: str
    origin: str
    destination: str
    currency: str
    amount: str  # as the worker types it
    receipt: str  # the receipt's amount, as typed ("" for none)
    narrative: str
    paid: Decimal  # what the case must store
    receipt_paid: Decimal | None


FILINGS = [
    # Bengali digits, South Asian grouping (CLDR's default numbering system for bn is beng).
    Filing(
        "bn", "BD", "SA", "BDT", "৪,৫০,০০০", "৫০,০০০",
        "দালাল আমার পাসপোর্ট রেখে দিয়েছে। টাকার রসিদ দেয়নি।",
        Decimal("450000"), Decimal("50000"),
    ),
    # Sinhala and Amharic phones type Western digits (CLDR: latn for si and am).
    Filing(
        "si", "LK", "KW", "LKR", "350,000", "",
        "ඒජන්තවරයා මගේ ගමන් බලපත්‍රය තබා ගත්තා.",
        Decimal("350000"), None,
    ),
    Filing(
        "am", "ET", "SA", "ETB", "85,000", "",
        "ደላላው ፓስፖርቴን ወሰደ። ደረሰኝ አልሰጠኝም።",
        Decimal("85000"), None,
    ),
    # Arabic-Indic digits with the Arabic thousands (٬) and decimal (٫) separators. No origin
    # the deployment offers speaks Arabic first; Ethiopian workers in Jordan often write it.
    Filing(
        "ar", "ET", "JO", "JOD", "٢٬٥٠٠", "١٬٢٠٠٫٥٠",
        "أخذ الوكيل جواز سفري ولم يعطني إيصالاً.",
        Decimal("2500"), Decimal("1200.50"),
    ),
    # The older languages whose whole journey test_worker_journeys.py does not walk: Tagalog,
    # and Urdu right to left with the Eastern Arabic-Indic digits Urdu keyboards type.
    Filing(
        "tl", "PH", "HK", "PHP", "120,000", "20,000",
        "Kinuha ng ahente ang pasaporte ko. Walang resibo ang binayaran ko.",
        Decimal("120000"), Decimal("20000"),
    ),
    Filing(
        "ur", "PK", "SA", "PKR", "۵۰۰,۰۰۰", "",
        "ایجنٹ نے میرا پاسپورٹ رکھ لیا۔ رسید نہیں دی۔",
        Decimal("500000"), None,
    ),
]  # fmt: skip
FILED_IN = {filing.code: filing for filing in FILINGS}

CASEWORKER = "asha@gefont.example.org"
SUPERVISOR = "bikash@gefont.example.org"
ARABIC_SUPERVISOR = "layla@gefont.example.org"  # has not chosen a page language yet
COLLEAGUE = "Rita Shrestha"
FIRST_STORY = "The agent kept my passport. This is the room we sleep in."
AGAIN_STORY = "I lost my code. It is the same agent."


@dataclass(frozen=True)
class Desk:
    first: str  # a worker's complaint, with a photo
    again: str  # the same worker again, having lost the secret
    cleaning: str  # another worker's case, for a supervisor to hand on


def _lodge(server: LiveServer, files: list[tuple[str, bytes]], **changes: Any) -> str:
    config = server.app.config
    uploads = [
        (
            name,
            spool_bytes(
                evidence_store(), data, config["MAX_FILE_BYTES"], config["EVIDENCE_CHUNK_SIZE"]
            ),
        )
        for name, data in files
    ]
    return lodge_complaint(complaint_payload(**changes), uploads, source="api").reference


def set_up_desk(server: LiveServer) -> Desk:
    """GEFONT: a Nepali-speaking caseworker who accepted three cases, two supervisors (one reads
    Arabic), and a colleague who speaks only English (so no Nepali case was offered to her)."""
    with server.app.app_context():
        org = Organisation(slug="gefont", name="GEFONT Migrant Workers Desk", kind="union")
        org.countries, org.languages = ["NP"], ["ne", "en"]
        db.session.add(org)
        db.session.flush()
        for email, name, role, speaks in (
            (CASEWORKER, "Asha Gurung", "caseworker", ["ne", "en"]),
            (SUPERVISOR, "Bikash Thapa", "supervisor", ["ne", "en"]),
            (ARABIC_SUPERVISOR, "Layla Haddad", "supervisor", ["ar", "en"]),
            ("rita@gefont.example.org", COLLEAGUE, "caseworker", ["en"]),
        ):
            user = User(email=email, name=name, organisation_id=org.id, role=role)
            user.password_hash = hash_password(STAFF_PASSWORD)
            user.languages = speaks
            db.session.add(user)
        db.session.commit()
        first = _lodge(server, [("room.jpg", media_samples.jpeg_with_gps())], narrative=FIRST_STORY)
        again = _lodge(server, [], narrative=AGAIN_STORY)
        cleaning = _lodge(
            server,
            [],
            employer={"name": "Al Noor Cleaning Services"},
            destination_country="SA",
            abuse_categories=["FL_WAGES"],
        )
        asha = db.session.scalars(select(User).where(User.email == CASEWORKER)).one()
        for reference in (first, again, cleaning):
            case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
            assert case.assignments[0].user_id == asha.id
            accept_offer(asha, case, case.assignments[0].id)
        db.session.remove()
    return Desk(first=first, again=again, cleaning=cleaning)
