"""Reference data for the demo corridors (DOMAIN.md), demo staff, and the demo cases (a lived-in
history from services/demo, then a few complaints of today)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update

from casework.extensions import db
from casework.models import Case, Country, ExchangeRate, Organisation, User
from casework.services.agencies.demo_lists import load_demo_agency_lists
from casework.services.directory.staff_auth import hash_password
from casework.services.intake.operations import lodge_complaint
from casework.services.reference.loading import load_reference
from casework.services.runtime import evidence_store
from casework.storage.spool import spool_bytes

# The demo corridors (DOMAIN.md) and a few more countries workers leave from and go to.
DEMO_ORIGINS = ("NP", "PH", "ID", "BD", "PK", "ET", "KE", "UG", "LK", "IN")
DEMO_DESTINATIONS = ("QA", "SA", "AE", "MY", "HK", "TW", "OM", "KW", "BH", "JO")

# A valid 1×1 PNG: a "photo of a receipt" small enough to ship in code.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f6e1"
    "f00000000049454e44ae426082"
)

DEMO_COMPLAINTS: list[dict[str, Any]] = [
    {
        "language": "ne",
        "origin_country": "NP",
        "destination_country": "QA",
        "agency": {"name": "Himal Overseas Manpower", "licence_number": "1234/067/68"},
        "employer": {"name": "Doha Build Contracting"},
        "occupation": "Construction labourer",
        "abuse_categories": ["RA_FEES", "RA_CONTRACT_SUB", "FL_DOCS", "FL_DEBT"],
        "fees": [
            {
                "category": "FEE_AGENT",
                "amount": "300000",
                "receipt_amount": "10000",
                "currency": "NPR",
                "paid_on": "2026-02-10",
                "payee": "agency",
                "loan": {"lender": "moneylender", "annual_interest_pct": "36"},
            },
            {"category": "COST_MEDICAL", "amount": "8000", "currency": "NPR", "payee": "agency"},
        ],
        "recruitment_channel": "agency",
        "promised_monthly_wage": {"amount": "1400", "currency": "QAR"},
        "actual_monthly_wage": {"amount": "900", "currency": "QAR"},
        "departure_date": "2026-03-15",
        "job_start_date": "2026-03-20",
        "incident_date": "2026-06-01",
        "narrative": "एजेन्टले ३ लाख लियो तर रसिद १० हजारको मात्र दियो। कम्पनीले राहदानी राखेको छ।",
        "contact": {
            "name": "Demo Worker One",
            "phone": "+977 9800000001",
            "channel": "whatsapp",
            "safe_times": "evenings after 8",
        },
        "consent": {"share_with_partners": True, "share_across_borders": True},
    },
    {
        "language": "tl",
        "origin_country": "PH",
        "destination_country": "SA",
        "agency": {"name": "Pacific Bridge Placement"},
        "abuse_categories": ["FL_WAGES", "FL_MOVEMENT", "RA_ABSCONDING"],
        "recruitment_channel": "agency",
        "promised_monthly_wage": {"amount": "1500", "currency": "SAR"},
        "narrative": "Hindi binabayaran ang sahod ko nang tatlong buwan.",
        "consent": {"share_with_partners": True, "share_across_borders": False},
    },
    {
        "language": "ur",
        "origin_country": "PK",
        "destination_country": "AE",
        "abuse_categories": ["RA_FEES", "RA_NO_JOB"],
        "fees": [
            {"category": "FEE_AGENT", "amount": "450000", "currency": "PKR", "payee": "sub_agent"}
        ],
        "recruitment_channel": "personal_network",
        "narrative": "ایجنٹ نے پیسے لیے لیکن ویزا نہیں آیا۔",
        "consent": {"share_with_partners": True, "share_across_borders": True},
    },
]


# Approximate units per US dollar, for the demo only: a real deployment imports its rates
# (`flask --app casework reference rates import`); `reference load` never adds these.
DEMO_RATES_DAY = date(2025, 1, 1)
DEMO_RATES_SOURCE = "demo: approximate figures, not for real use"
DEMO_RATES = {
    "NPR": "136",
    "PHP": "58",
    "IDR": "16300",
    "BDT": "122",
    "PKR": "281",
    "ETB": "125",
    "KES": "129",
    "UGX": "3700",
    "LKR": "300",
    "INR": "86",
    "QAR": "3.64",
    "SAR": "3.75",
    "AED": "3.6725",
    "MYR": "4.4",
    "HKD": "7.8",
    "TWD": "32",
    "OMR": "0.385",
    "KWD": "0.307",
    "BHD": "0.376",
    "JOD": "0.709",
    "EUR": "0.92",
}

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - demo mode only; printed by `make run`
# slug: (name, kind, countries, languages)
DEMO_ORGANISATIONS = {
    "gefont": ("GEFONT Migrant Workers Desk", "union", ["NP"], ["ne", "en"]),
    "qatar-legal-aid": (
        "Qatar Migrant Legal Aid",
        "legal_aid",
        ["QA", "AE", "SA"],
        ["en", "ne", "ur", "tl"],
    ),
    "pinoy-mrc": (
        "Philippine Migrant Resource Centre",
        "migrant_resource_centre",
        ["PH"],
        ["tl", "en"],
    ),
    "pakistan-union": ("Pakistan Overseas Workers Union", "union", ["PK"], ["ur", "en"]),
    "hk-mission": (
        "Hong Kong Migrant Workers Mission",
        "ngo",
        ["HK", "MY", "TW"],
        ["id", "tl", "en"],
    ),
    "bd-welfare": ("Bangladesh Migrant Workers Welfare Desk", "union", ["BD"], ["bn", "en"]),
}
# email: (name, org slug, role, languages)
DEMO_USERS = {
    "asha@gefont.example.org": ("Asha Gurung", "gefont", "caseworker", ["ne", "en"]),
    "bikash@gefont.example.org": ("Bikash Thapa", "gefont", "supervisor", ["ne", "en"]),
    "mariam@qla.example.org": (
        "Mariam Haddad",
        "qatar-legal-aid",
        "caseworker",
        ["en", "ne", "ur"],
    ),
    "jose@pmrc.example.org": ("Jose Santos", "pinoy-mrc", "caseworker", ["tl", "en"]),
    "imran@pou.example.org": ("Imran Qureshi", "pakistan-union", "caseworker", ["ur", "en"]),
    "sunita@gefont.example.org": ("Sunita Rai", "gefont", "caseworker", ["ne", "en"]),
    "omar@qla.example.org": ("Omar Farouk", "qatar-legal-aid", "supervisor", ["en", "ur"]),
    "priya@qla.example.org": ("Priya Nair", "qatar-legal-aid", "caseworker", ["en", "tl"]),
    "grace@pmrc.example.org": ("Grace Reyes", "pinoy-mrc", "supervisor", ["tl", "en"]),
    "dewi@hkmission.example.org": ("Dewi Lestari", "hk-mission", "caseworker", ["id", "en"]),
    "rahim@bdwelfare.example.org": ("Rahim Uddin", "bd-welfare", "caseworker", ["bn", "en"]),
    "admin@casework.example.org": ("Platform Admin", "gefont", "admin", ["en"]),
}


def load_demo_staff() -> list[str]:
    """Demo organisations and staff (password DEMO_PASSWORD); returns the logins."""
    orgs = {}
    for slug, (name, kind, countries, languages) in DEMO_ORGANISATIONS.items():
        org = db.session.scalars(select(Organisation).where(Organisation.slug == slug)).first()
        if org is None:
            org = Organisation(slug=slug, name=name, kind=kind)
            org.countries = countries
            org.languages = languages
            db.session.add(org)
        orgs[slug] = org
    db.session.flush()
    logins = []
    for email, (name, slug, role, languages) in DEMO_USERS.items():
        if db.session.scalars(select(User).where(User.email == email)).first() is None:
            user = User(
                email=email,
                name=name,
                organisation_id=orgs[slug].id,
                role=role,
                password_hash=hash_password(DEMO_PASSWORD),
            )
            user.languages = languages
            db.session.add(user)
        logins.append(f"{role:<10} {email}")
    db.session.commit()
    return logins


def load_reference_data() -> int:
    """For the demo: what `reference load` loads, the demo corridors offered (if no country is
    offered yet) and approximate demo rates. Returns how many countries are offered."""
    load_reference()
    offered = Country.is_origin | Country.is_destination
    if not db.session.scalar(select(func.count()).select_from(Country).where(offered)):
        for codes, flag in ((DEMO_ORIGINS, "is_origin"), (DEMO_DESTINATIONS, "is_destination")):
            db.session.execute(update(Country).where(Country.code.in_(codes)).values({flag: True}))
    held = set(
        db.session.scalars(
            select(ExchangeRate.currency).where(ExchangeRate.valid_from == DEMO_RATES_DAY)
        )
    )
    db.session.add_all(
        ExchangeRate(
            currency=currency,
            valid_from=DEMO_RATES_DAY,
            per_usd=Decimal(rate),
            source=DEMO_RATES_SOURCE,
        )
        for currency, rate in DEMO_RATES.items()
        if currency not in held
    )
    db.session.commit()
    return int(db.session.scalar(select(func.count()).select_from(Country).where(offered)) or 0)


def load_demo_data(only_if_empty: bool = False, history: int = 300) -> str:
    """Reference data, `history` demo cases worked over the last 18 months (services.demo),
    then the demo complaints of today; with `only_if_empty`, skip if cases exist."""
    countries = load_reference_data()
    logins = load_demo_staff()
    load_demo_agency_lists()  # before the complaints, so that intake matches their agencies
    banner = "\n".join(
        [
            "",
            "Demo logins (password: " + DEMO_PASSWORD + "), at /login:",
            *("  " + line for line in logins),
        ]
    )
    if only_if_empty and db.session.scalar(select(func.count(Case.id))):
        return f"{countries} countries; cases already present, no demo complaints added{banner}"
    lived = ""
    if history:
        from casework.services.demo import play

        played = play(count=history)
        lived = f"; {played.cases} demo cases over 18 months ({played.seconds:.0f} s)"
    config = current_app.config
    references = []
    for payload in DEMO_COMPLAINTS:
        uploads = []
        if payload["origin_country"] == "NP":
            spool = spool_bytes(
                evidence_store(), TINY_PNG, config["MAX_FILE_BYTES"], config["EVIDENCE_CHUNK_SIZE"]
            )
            uploads.append(("receipt.png", spool))
        lodged = lodge_complaint(payload, uploads, source="demo")
        references.append(lodged.reference)
    return f"{countries} countries{lived}; demo complaints {', '.join(references)}{banner}"
