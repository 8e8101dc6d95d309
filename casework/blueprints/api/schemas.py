"""The pieces of API v1's OpenAPI document: what each request and answer may hold.

Built from the same constants the services check with, so the document cannot drift from
what the server enforces (tests/web/test_api_schema.py runs Schemathesis against it).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from casework.error_pages import CODES as ERROR_CODES
from casework.services.evidence.operations import MAX_FILES_PER_SUBMISSION
from casework.services.intake.complaint import MAX_FEES, MAX_MESSAGE, SEXES, TEXT_LIMITS
from casework.services.intake.operations import known_country_codes
from casework.services.intake.references import ALPHABET
from casework.services.validation import CURRENCIES, DAYS_AHEAD, EARLIEST_DAY, MAX_AMOUNT
from casework.vocabulary.abuse import ABUSE_CODES
from casework.vocabulary.fees import (
    CONTACT_CHANNELS,
    FEE_CATEGORIES,
    LENDER_KINDS,
    PAYEE_KINDS,
    RECRUITMENT_CHANNELS,
)
from casework.vocabulary.languages import LANGUAGES
from casework.vocabulary.media import ALLOWED_MEDIA_TYPES
from casework.vocabulary.status import STATUSES

# Text the server stores: no NUL character (it refuses those with a field error).
NO_NUL = "^[^\\u0000]*$"
_INTEGER_DIGITS = len(str(int(MAX_AMOUNT))) - 1
DECIMAL = {
    "type": "string",
    "pattern": rf"^[0-9]{{1,{_INTEGER_DIGITS}}}(\.[0-9]{{1,2}})?$",
    "description": f"A decimal string, at least 0 and below {int(MAX_AMOUNT):,}, "
    "with at most two decimals.",
    "examples": ["150000"],
}
CURRENCY = {"type": "string", "enum": sorted(CURRENCIES), "description": "ISO 4217"}
REFERENCE_PATTERN = f"^CW-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$"
DATE_TIME = {"type": "string", "format": "date-time"}


def _text(path: str) -> dict[str, Any]:
    return {"type": "string", "maxLength": TEXT_LIMITS[path], "pattern": NO_NUL}


def _years(first: int, last: int) -> str:
    """A regular expression for the years first..last, a decade at a time where it can."""
    parts = []
    year = first
    while year <= last:
        if year % 10 == 0 and year + 9 <= last:
            parts.append(f"{year // 10}[0-9]")
            year += 10
        else:
            parts.append(str(year))
            year += 1
    return "|".join(parts)


def _date() -> dict[str, Any]:
    # Every full year the server accepts (from 1950 to about ten years ahead); JSON Schema has
    # no date range, so the years are spelt out.
    last_full_year = (date.today() + timedelta(days=DAYS_AHEAD)).year - 1
    return {
        "type": "string",
        "format": "date",
        "pattern": f"^({_years(EARLIEST_DAY.year, last_full_year)})-[0-9]{{2}}-[0-9]{{2}}$",
        "description": f"From {EARLIEST_DAY.isoformat()} to about ten years ahead.",
    }


def enum_of(values: Any) -> dict[str, Any]:
    return {"type": "string", "enum": sorted(values)}


def _money() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["amount", "currency"],
        "properties": {"amount": DECIMAL, "currency": CURRENCY},
    }


def error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


SECRET = {
    "name": "X-Complaint-Secret",
    "in": "header",
    "required": True,
    "description": "The 16-digit secret given when the complaint was lodged. Spaces and dashes "
    "are ignored; digits of any script (Devanagari, Arabic-Indic, Persian, full-width) count, "
    "sent as UTF-8. Superscript or circled numbers are not digits.",
    "schema": {"type": "string"},
}
REFERENCE = {
    "name": "reference",
    "in": "path",
    "required": True,
    "description": "The complaint's reference. Lower case and missing dashes are accepted too.",
    "schema": {"type": "string", "pattern": REFERENCE_PATTERN},
}


def complaint_schema() -> dict[str, Any]:
    countries = {
        "type": "string",
        "enum": sorted(known_country_codes()),
        "description": "ISO 3166-1 alpha-2, one of the countries this service covers",
    }
    day = _date()
    fee = {
        "type": "object",
        "required": ["category", "amount", "currency"],
        "properties": {
            "category": enum_of(FEE_CATEGORIES),
            "amount": DECIMAL,
            "receipt_amount": DECIMAL,
            "currency": CURRENCY,
            "paid_on": day,
            "payee": enum_of(PAYEE_KINDS),
            "loan": {
                "type": "object",
                "properties": {"lender": enum_of(LENDER_KINDS), "annual_interest_pct": DECIMAL},
            },
        },
    }
    return {
        "type": "object",
        "required": ["language", "origin_country", "destination_country"],
        "description": "At least one abuse category or a narrative is required. "
        "`contact` absent means anonymous. Text is trimmed of surrounding spaces before its "
        "length is checked.",
        "anyOf": [
            {"required": ["abuse_categories"], "properties": {"abuse_categories": {"minItems": 1}}},
            {"required": ["narrative"], "properties": {"narrative": {"pattern": "\\S"}}},
        ],
        "properties": {
            "language": enum_of(LANGUAGES),
            "origin_country": countries,
            "destination_country": countries,
            "agency": {
                "type": "object",
                "properties": {
                    "name": _text("agency.name"),
                    "licence_number": _text("agency.licence_number"),
                },
            },
            "employer": {"type": "object", "properties": {"name": _text("employer.name")}},
            "occupation": _text("occupation"),
            "abuse_categories": {"type": "array", "items": enum_of(ABUSE_CODES)},
            "fees": {"type": "array", "maxItems": MAX_FEES, "items": fee},
            "recruitment_channel": enum_of(RECRUITMENT_CHANNELS),
            "promised_monthly_wage": _money(),
            "actual_monthly_wage": _money(),
            "departure_date": day,
            "job_start_date": day,
            "incident_date": day,
            "contract_end_date": day,
            "narrative": _text("narrative"),
            "contact": {
                "type": "object",
                "properties": {
                    "name": _text("contact.name"),
                    "phone": {
                        **_text("contact.phone"),
                        "description": "With country code; at least 6 digits",
                    },
                    "email": _text("contact.email"),
                    "channel": enum_of(CONTACT_CHANNELS),
                    "safe_times": _text("contact.safe_times"),
                    "passport_number": _text("contact.passport_number"),
                    "date_of_birth": day,
                    "sex": enum_of(SEXES),
                    "notify": {
                        "type": "boolean",
                        "description": "Tell the worker when there is news: one short text "
                        '(SMS to `phone`, else e-mail to `email`) that says only "There is news '
                        'about your complaint" and the follow-up address, at most once a day, '
                        "inside `safe_hours`, until the worker replies STOP. Needs `phone` or "
                        "`email`.",
                    },
                    "safe_hours": {
                        **_text("contact.safe_hours"),
                        "description": "When a text is safe, local time: `18-21`, `18:30-21:00`, "
                        "or `22-06` past midnight (default 08-20)",
                        "examples": ["18-21"],
                    },
                    "time_zone": {
                        **_text("contact.time_zone"),
                        "description": "IANA time zone of `safe_hours`, e.g. `Asia/Kathmandu` "
                        "for a worker back home (default: the destination country's)",
                    },
                },
            },
            "consent": {
                "type": "object",
                "properties": {
                    "share_with_partners": {"type": "boolean"},
                    "share_across_borders": {"type": "boolean"},
                },
            },
        },
    }


def status_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": [
            "reference",
            "status",
            "status_label",
            "updated_at",
            "evidence_count",
            "messages",
            "pending_referrals",
        ],
        "properties": {
            "reference": {"type": "string", "pattern": REFERENCE_PATTERN},
            "status": enum_of(STATUSES),
            "status_label": {"type": "string", "description": "Plain words in the case's language"},
            "updated_at": DATE_TIME,
            "evidence_count": {"type": "integer", "minimum": 0},
            "pending_referrals": {
                "type": "array",
                "description": "Referrals awaiting the worker's consent (answer on the follow-up page)",
                "items": {
                    "type": "object",
                    "required": ["id", "authority", "name", "country"],
                    "properties": {
                        "id": {"type": "integer"},
                        "authority": {"type": "string"},
                        "name": {"type": "string"},
                        "country": {"type": "string"},
                        "does": {
                            "type": "string",
                            "description": "What this place can do for the worker, in plain words",
                        },
                    },
                },
            },
            "messages": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["at", "from", "text"],
                    "properties": {
                        "at": DATE_TIME,
                        "from": enum_of({"worker", "caseworker"}),
                        "text": {"type": "string"},
                    },
                },
            },
        },
    }


def files_schema() -> dict[str, Any]:
    return {
        "type": "array",
        "maxItems": MAX_FILES_PER_SUBMISSION,
        "items": {"type": "string", "contentMediaType": "application/octet-stream"},
        "description": "Accepted by content: " + ", ".join(sorted(ALLOWED_MEDIA_TYPES)),
    }


def message_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["message"],
        "properties": {
            "message": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_MESSAGE,
                "pattern": NO_NUL,
            }
        },
    }


def error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "description": "Every error answer. `fields` maps a field's path in the request (like "
        "`fees.0.amount` or `contact.phone`) to a message in the complaint's language; it is "
        "empty when no one field is at fault.",
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": enum_of({*ERROR_CODES.values(), "error"}),
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }
        },
    }
