"""The complaint as the worker gave it, checked field by field.

The JSON API sends this payload as is (DESIGN §6); the web form builds the same payload from
its fields. Both go through `parse_complaint`, so the rules and the error messages are one.
Messages are lazy translations: they render in the language of the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.services.errors import InvalidInput
from casework.services.notifications.safe_hours import known_time_zone, parse_safe_hours
from casework.services.validation import UNSTORABLE, FieldReader, Money, storable
from casework.vocabulary.abuse import ABUSE_CODES
from casework.vocabulary.fees import (
    CONTACT_CHANNELS,
    FEE_CATEGORIES,
    LENDER_KINDS,
    PAYEE_KINDS,
    RECRUITMENT_CHANNELS,
)
from casework.vocabulary.languages import LANGUAGES

MAX_NARRATIVE = 20_000
MAX_MESSAGE = 5_000
MAX_FEES = 40
# Longest text per field (after trimming spaces); the API's OpenAPI document states the same.
TEXT_LIMITS = {
    "agency.name": 200,
    "agency.licence_number": 80,
    "employer.name": 200,
    "occupation": 120,
    "narrative": MAX_NARRATIVE,
    "contact.name": 200,
    "contact.phone": 40,
    "contact.email": 200,
    "contact.safe_times": 200,
    "contact.passport_number": 40,
    "contact.safe_hours": 20,
    "contact.time_zone": 64,
}
SEXES = frozenset({"female", "male", "other"})


@dataclass
class FeeInput:
    category: str
    amount_paid: Decimal
    currency: str
    receipt_amount: Decimal | None = None
    paid_on: date | None = None
    payee: str | None = None
    loan: bool = False
    lender_kind: str | None = None
    loan_interest_pct: Decimal | None = None


@dataclass
class ContactInput:
    name: str = ""
    phone: str = ""
    email: str = ""
    channel: str = ""
    safe_times: str = ""
    passport_number: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    # Nudges (services/notifications/nudges.py): tell me when there is news, inside these
    # local hours ("18-21"), in this time zone (default: the destination country's).
    notify: bool = False
    safe_hours: str = ""
    time_zone: str = ""

    def is_empty(self) -> bool:
        return (
            not any((self.name, self.phone, self.email, self.safe_times, self.passport_number))
            and self.date_of_birth is None
        )


@dataclass
class ComplaintInput:
    language: str
    origin_country: str
    destination_country: str
    abuse_categories: list[str] = field(default_factory=list)
    agency_name: str = ""
    agency_licence: str = ""
    employer_name: str = ""
    occupation: str = ""
    fees: list[FeeInput] = field(default_factory=list)
    recruitment_channel: str | None = None
    promised_wage: Money | None = None
    actual_wage: Money | None = None
    departure_date: date | None = None
    job_start_date: date | None = None
    incident_date: date | None = None
    contract_end_date: date | None = None
    narrative: str = ""
    contact: ContactInput | None = None
    consent_share_partners: bool = False
    consent_cross_border: bool = False


def parse_complaint(payload: Any, known_countries: frozenset[str]) -> ComplaintInput:
    """Check a complaint payload; raises `InvalidInput` with every field error found."""
    if not isinstance(payload, Mapping):
        raise InvalidInput({"complaint": str(_l("The complaint is not in the expected form."))})
    r = FieldReader()
    language = r.text(payload, "language", "language", 8)
    if language not in LANGUAGES:
        r.fail("language", _l("Please choose a language."))
    complaint = ComplaintInput(
        language=language,
        origin_country=r.country(payload, "origin_country", known_countries),
        destination_country=r.country(payload, "destination_country", known_countries),
    )
    codes = payload.get("abuse_categories") or []
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        r.fail("abuse_categories", _l("Please choose from the list."))
        codes = []
    unknown = [c for c in codes if c not in ABUSE_CODES]
    if unknown:
        r.fail("abuse_categories", _l("Please choose from the list."))
    complaint.abuse_categories = sorted({c for c in codes if c in ABUSE_CODES})

    agency = r.section(payload, "agency")
    complaint.agency_name = r.text(agency, "name", "agency.name", TEXT_LIMITS["agency.name"])
    complaint.agency_licence = r.text(
        agency, "licence_number", "agency.licence_number", TEXT_LIMITS["agency.licence_number"]
    )
    complaint.employer_name = r.text(
        r.section(payload, "employer"), "name", "employer.name", TEXT_LIMITS["employer.name"]
    )
    complaint.occupation = r.text(payload, "occupation", "occupation", TEXT_LIMITS["occupation"])
    complaint.recruitment_channel = r.choice(
        payload, "recruitment_channel", "recruitment_channel", RECRUITMENT_CHANNELS
    )
    complaint.promised_wage = r.money(payload, "promised_monthly_wage")
    complaint.actual_wage = r.money(payload, "actual_monthly_wage")
    for name in ("departure_date", "job_start_date", "incident_date", "contract_end_date"):
        setattr(complaint, name, r.day(payload, name, name))
    complaint.narrative = r.text(payload, "narrative", "narrative", TEXT_LIMITS["narrative"])
    complaint.fees = _parse_fees(r, payload.get("fees"))
    complaint.contact = _parse_contact(r, r.section(payload, "contact"))
    consent = r.section(payload, "consent")
    complaint.consent_share_partners = r.flag(consent, "share_with_partners")
    complaint.consent_cross_border = r.flag(consent, "share_across_borders")

    if (
        not complaint.abuse_categories
        and not complaint.narrative
        and "abuse_categories" not in r.errors
        and "narrative" not in r.errors
    ):
        r.fail(
            "abuse_categories",
            _l("Please tell us what happened: answer at least one question or write your story."),
        )
    if r.errors:
        raise InvalidInput(r.errors)
    return complaint


def _parse_fees(r: FieldReader, raw: Any) -> list[FeeInput]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_FEES:
        r.fail("fees", _l("The list of payments is not in the expected form."))
        return []
    fees = []
    for index, item in enumerate(raw):
        path = f"fees.{index}"
        if item is None:  # a blank row on the web form
            continue
        if not isinstance(item, Mapping):
            r.fail(path, _l("The list of payments is not in the expected form."))
            continue
        category = r.choice(item, "category", f"{path}.category", FEE_CATEGORIES)
        amount = r.amount(item, "amount", f"{path}.amount")
        currency = r.currency(item, "currency", f"{path}.currency")
        if category is None and f"{path}.category" not in r.errors:
            r.fail(f"{path}.category", _l("Please say what this payment was for."))
        if amount is None and f"{path}.amount" not in r.errors:
            r.fail(f"{path}.amount", _l("Please write how much you paid."))
        if not currency and f"{path}.currency" not in r.errors:
            r.fail(f"{path}.currency", _l("Please choose the currency."))
        loan_raw = item.get("loan")
        loan = r.section(item, "loan") if isinstance(loan_raw, Mapping) else {}
        fee = FeeInput(
            category=category or "",
            amount_paid=amount or Decimal(0),
            currency=currency,
            receipt_amount=r.amount(item, "receipt_amount", f"{path}.receipt_amount"),
            paid_on=r.day(item, "paid_on", f"{path}.paid_on"),
            payee=r.choice(item, "payee", f"{path}.payee", PAYEE_KINDS),
            loan=bool(loan) or r.flag(item, "loan"),
            lender_kind=r.choice(loan, "lender", f"{path}.loan.lender", LENDER_KINDS),
            loan_interest_pct=r.amount(
                loan, "annual_interest_pct", f"{path}.loan.annual_interest_pct"
            ),
        )
        fees.append(fee)
    return fees


def _parse_contact(r: FieldReader, data: Mapping[str, Any]) -> ContactInput | None:
    if not data:
        return None

    def text(key: str) -> str:
        return r.text(data, key, f"contact.{key}", TEXT_LIMITS[f"contact.{key}"])

    contact = ContactInput(
        name=text("name"),
        phone=text("phone"),
        email=text("email"),
        channel=r.choice(data, "channel", "contact.channel", CONTACT_CHANNELS) or "",
        safe_times=text("safe_times"),
        passport_number=text("passport_number"),
        date_of_birth=r.day(data, "date_of_birth", "contact.date_of_birth"),
        sex=r.choice(data, "sex", "contact.sex", SEXES) or "",
    )
    _parse_nudge_wish(r, data, contact)
    if contact.phone and sum(ch.isdigit() for ch in contact.phone) < 6:
        r.fail("contact.phone", _l("Please check the phone number (with country code)."))
    if contact.email and ("@" not in contact.email or "." not in contact.email.rsplit("@", 1)[-1]):
        r.fail("contact.email", _l("Please check the email address."))
    return None if contact.is_empty() else contact


def _parse_nudge_wish(r: FieldReader, data: Mapping[str, Any], contact: ContactInput) -> None:
    contact.notify = r.flag(data, "notify")
    contact.safe_hours = r.text(
        data, "safe_hours", "contact.safe_hours", TEXT_LIMITS["contact.safe_hours"]
    )
    contact.time_zone = r.text(
        data, "time_zone", "contact.time_zone", TEXT_LIMITS["contact.time_zone"]
    )
    if contact.safe_hours and parse_safe_hours(contact.safe_hours) is None:
        r.fail("contact.safe_hours", _l("Please write the hours like 18-21."))
    if contact.time_zone and not known_time_zone(contact.time_zone):
        r.fail("contact.time_zone", _l("Please choose a time zone from the list."))
    if contact.notify and not (contact.phone or contact.email):
        r.fail(
            "contact.notify",
            _l("To be told when there is news, please give a phone number or an email."),
        )


def parse_message(text: Any) -> str:
    """A worker's follow-up message; raises `InvalidInput` on the `message` field."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput({"message": str(_l("Please write a message."))})
    if not storable(text):
        raise InvalidInput({"message": str(UNSTORABLE)})
    if len(text) > MAX_MESSAGE:
        raise InvalidInput(
            {
                "message": str(
                    _l("This is too long (at most %(limit)s characters).", limit=MAX_MESSAGE)
                )
            }
        )
    return text.strip()
