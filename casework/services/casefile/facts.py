"""Editing a case's structured facts (corridor, language, what happened, agency, employer,
job, wages, dates) with the case's optimistic lock, and an audited before and after.

The facts are clear by design (jobs and reports read them without keys), so the audit event
carries the change itself ("employer_name: A → B"); the timeline gets an event shared with the
partner organisation whose sealed body says the same in full, and whose clear detail names only
the fields. Report facts and deadlines follow through the ORM (reports.facts, deadlines.touch).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.extensions import db
from casework.models import Case, CaseAbuse, CaseEvent, User
from casework.models import event as ev
from casework.services import audit
from casework.services.errors import CaseChanged
from casework.services.escalation.deadlines import touch
from casework.services.intake.complaint import TEXT_LIMITS
from casework.services.intake.operations import _find_or_add_agency, known_country_codes
from casework.services.keys.case_keys import case_key, seal_event_body
from casework.services.validation import FieldReader
from casework.vocabulary.abuse import ABUSE_CODES
from casework.vocabulary.fees import RECRUITMENT_CHANNELS
from casework.vocabulary.forums import ABUSE_LABELS
from casework.vocabulary.languages import LANGUAGES

FACTS_EDITED = "facts_edited"  # timeline event kind and audit action
DATE_FIELDS = ("departure_date", "job_start_date", "incident_date", "contract_end_date")
FACT_LABELS = {
    "origin_country": _l("Origin country"),
    "destination_country": _l("Destination country"),
    "language": _l("Worker's language"),
    "abuse_codes": _l("What happened"),
    "agency_name": _l("Agency"),
    "agency_licence": _l("Agency licence number"),
    "employer_name": _l("Employer"),
    "occupation": _l("Job"),
    "recruitment_channel": _l("Recruitment channel"),
    "promised_wage_amount": _l("Promised wage"),
    "promised_wage_currency": _l("Promised wage currency"),
    "actual_wage_amount": _l("Actual wage"),
    "actual_wage_currency": _l("Actual wage currency"),
    "departure_date": _l("Left home"),
    "job_start_date": _l("Job start"),
    "incident_date": _l("Incident"),
    "contract_end_date": _l("Contract end"),
}


@dataclass(frozen=True)
class FactChange:
    field: str
    before: str
    after: str


def shown(field: str, value: str) -> str:
    """A fact as the timeline says it: abuse codes in plain words, an empty value as a dash."""
    if field == "abuse_codes" and value:
        return ", ".join(str(ABUSE_LABELS.get(code, code)) for code in value.split(","))
    return value or "—"


def current_facts(case: Case) -> dict[str, str]:
    """The editable facts as the form shows them (strings; abuse codes comma-joined)."""
    agency = case.agency
    values: dict[str, Any] = {
        "origin_country": case.origin_country,
        "destination_country": case.destination_country,
        "language": case.language,
        "abuse_codes": ",".join(case.abuse_codes),
        "agency_name": agency.name if agency else "",
        "agency_licence": agency.licence_number if agency else "",
        "employer_name": case.employer_name,
        "occupation": case.occupation,
        "recruitment_channel": case.recruitment_channel,
        "promised_wage_amount": case.promised_wage_amount,
        "promised_wage_currency": case.promised_wage_currency,
        "actual_wage_amount": case.actual_wage_amount,
        "actual_wage_currency": case.actual_wage_currency,
        **{name: getattr(case, name) for name in DATE_FIELDS},
    }
    return {name: _text(value) for name, value in values.items()}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _parse(data: Mapping[str, Any], codes: list[str]) -> dict[str, Any]:
    r = FieldReader()
    parsed: dict[str, Any] = {
        "origin_country": r.country(data, "origin_country", known_country_codes()),
        "destination_country": r.country(data, "destination_country", known_country_codes()),
    }
    language = r.text(data, "language", "language", 8)
    if language not in LANGUAGES:
        r.fail("language", _l("Please choose a language."))
    parsed["language"] = language
    if any(code not in ABUSE_CODES for code in codes):
        r.fail("abuse_codes", _l("Please choose from the list."))
    parsed["abuse_codes"] = sorted({code for code in codes if code in ABUSE_CODES})
    parsed["agency_name"] = r.text(data, "agency_name", "agency_name", TEXT_LIMITS["agency.name"])
    parsed["agency_licence"] = r.text(
        data, "agency_licence", "agency_licence", TEXT_LIMITS["agency.licence_number"]
    )
    parsed["employer_name"] = r.text(
        data, "employer_name", "employer_name", TEXT_LIMITS["employer.name"]
    )
    parsed["occupation"] = r.text(data, "occupation", "occupation", TEXT_LIMITS["occupation"])
    parsed["recruitment_channel"] = r.choice(
        data, "recruitment_channel", "recruitment_channel", RECRUITMENT_CHANNELS
    )
    for which in ("promised", "actual"):
        amount = r.amount(data, f"{which}_wage_amount", f"{which}_wage_amount")
        currency = r.currency(data, f"{which}_wage_currency", f"{which}_wage_currency") or None
        if amount is not None and not currency:
            r.fail(f"{which}_wage_currency", _l("Please choose the currency."))
        parsed[f"{which}_wage_amount"] = amount
        parsed[f"{which}_wage_currency"] = currency if amount is not None else None
    for name in DATE_FIELDS:
        parsed[name] = r.day(data, name, name)
    r.raise_if_any()
    return parsed


def edit_facts(
    actor: User,
    case: Case,
    data: Mapping[str, Any],
    abuse_codes: list[str],
    expected_version: int,
) -> list[FactChange]:
    """Change the facts `data` gives (every editable fact: a field left empty clears it).

    Raises `CaseChanged` if the case changed since the actor loaded it, `InvalidInput` with
    every field's error (nothing changed). Returns what changed; no change writes nothing."""
    if case.version != expected_version:
        raise CaseChanged(case, expected_version)
    parsed = _parse(data, abuse_codes)
    before = current_facts(case)
    after = {
        name: ",".join(value) if name == "abuse_codes" else _text(value)
        for name, value in parsed.items()
    }
    changes = [
        FactChange(name, before[name], after[name])
        for name in before
        if before[name] != after[name]
    ]
    if not changes:
        return []
    _apply(case, parsed, {change.field for change in changes})
    event = CaseEvent(
        kind=FACTS_EDITED,
        visibility=ev.PARTNERS,
        actor_kind="staff",
        actor_user_id=actor.id,
        organisation_id=actor.organisation_id,
        detail=("changed: " + ", ".join(c.field for c in changes))[:200],
    )
    case.events.append(event)
    touch(case)
    db.session.flush()
    seal_event_body(
        case_key(case),
        case,
        event,
        "\n".join(
            f"{FACT_LABELS[c.field]}: {shown(c.field, c.before)} → {shown(c.field, c.after)}"
            for c in changes
        ),
    )
    audit.record_audit(
        actor,
        FACTS_EDITED,
        "case",
        str(case.id),
        "; ".join(f"{c.field}: {c.before}→{c.after}" for c in changes),
    )
    db.session.commit()
    return changes


def _apply(case: Case, parsed: dict[str, Any], changed: set[str]) -> None:
    simple = [
        "origin_country",
        "destination_country",
        "language",
        "employer_name",
        "occupation",
        "recruitment_channel",
        "promised_wage_amount",
        "promised_wage_currency",
        "actual_wage_amount",
        "actual_wage_currency",
        *DATE_FIELDS,
    ]
    for name in simple:
        if name in changed:
            setattr(case, name, parsed[name])
    if "abuse_codes" in changed:
        keep = set(parsed["abuse_codes"])
        case.abuses = [a for a in case.abuses if a.code in keep] + [
            CaseAbuse(code=code) for code in sorted(keep - set(case.abuse_codes))
        ]
    if changed & {"agency_name", "agency_licence", "origin_country"} and (
        parsed["agency_name"] or parsed["agency_licence"] or case.agency is not None
    ):
        name, licence = parsed["agency_name"], parsed["agency_licence"]
        case.agency = (
            _find_or_add_agency(name, licence, case.origin_country) if name or licence else None
        )
