"""Lodging a worker's complaint: the one entry point for the web form, the API and demo data."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casework.extensions import db
from casework.models import Agency, Case, CaseAbuse, CaseEvent, Complainant, Country, FeePayment
from casework.models import event as ev
from casework.models.columns import utcnow
from casework.services.agencies.matching import match_agency
from casework.services.agencies.merge import followed
from casework.services.assignments.routing import route_case
from casework.services.escalation.deadlines import refresh_deadlines
from casework.services.evidence.operations import (
    IncomingFile,
    check_files,
    discard_blobs,
    store_files,
)
from casework.services.followup.secret import hash_secret, new_secret
from casework.services.intake import submissions
from casework.services.intake.admission import lodging_slot
from casework.services.intake.complaint import ComplaintInput, ContactInput, parse_complaint
from casework.services.intake.plausibility import Unusual, unusual_answers
from casework.services.intake.references import new_reference
from casework.services.keys.case_keys import issue_case_key, seal_text
from casework.services.notifications.nudges import subscribe_at_intake
from casework.vocabulary.status import RECEIVED

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LodgedComplaint:
    """What the worker must keep. `secret` exists only here: it is never stored or logged."""

    reference: str
    secret: str
    status: str
    language: str


def known_country_codes() -> frozenset[str]:
    """The countries a complaint may name: those offered as an origin or a destination."""
    offered = Country.is_origin | Country.is_destination
    return frozenset(db.session.scalars(select(Country.code).where(offered)))


def lodge_complaint(
    payload: object,
    uploads: Sequence[tuple[str, IncomingFile]] = (),
    source: str = "web",
    submission_token: str | None = None,
    holder: str = "",
    ask_about_unusual: bool = False,
) -> LodgedComplaint:
    """Check, encrypt and store a complaint with its evidence; commit once.

    Raises `InvalidInput` (field errors) or `EvidenceRejected` (413/415) with nothing
    stored. On success the case is `received`, its identity, narrative and files are sealed
    under a fresh case key, and the returned secret is the only copy of the follow-up code.

    With a `submission_token` (see `submissions`), the same complaint sent again with it
    answers the first receipt — to the same `holder` (the web form's cookie), within the
    window — and raises `SubmissionKeyRefused`, `SubmissionReused` or `ReceiptUnavailable`
    otherwise.

    With `ask_about_unusual` (the web form until the worker confirms), unusual answers (see
    `plausibility`) raise `Unusual` with nothing stored.

    The work waits for one of the process's lodging slots (see `admission`); if none frees in
    time, `DependencyUnavailable` is raised with nothing stored.
    """
    try:
        with lodging_slot():  # its body already read: a slow upload waits outside
            return _checked_and_lodged(
                payload, uploads, source, submission_token, holder, ask_about_unusual
            )
    finally:
        # Whatever happened, no uploaded temporary file outlives the call (committed ones
        # have already moved into the store).
        for _, incoming in uploads:
            incoming.discard()


def _checked_and_lodged(
    payload: object,
    uploads: Sequence[tuple[str, IncomingFile]],
    source: str,
    submission_token: str | None,
    holder: str,
    ask_about_unusual: bool,
) -> LodgedComplaint:
    complaint = parse_complaint(payload, known_country_codes())
    if ask_about_unusual and isinstance(payload, Mapping):
        unusual = unusual_answers(complaint, payload)
        if unusual:
            raise Unusual(unusual)
    body = ""
    if submission_token is not None:
        body = submissions.body_hash(complaint, uploads)
        earlier = submissions.replay(submission_token, holder, body)
        if earlier is not None:  # the same submission again: the same receipt
            case, secret = earlier
            return LodgedComplaint(case.reference, secret, case.status, case.language)
    try:
        return _lodge(complaint, uploads, source, (submission_token, holder, body))
    except IntegrityError:
        if submission_token is None:
            raise
        # A double tap whose first request committed while this one was being stored:
        # this one was rolled back; answer the first one's receipt.
        earlier = submissions.replay(submission_token, holder, body)
        if earlier is None:
            raise
        case, secret = earlier
        return LodgedComplaint(case.reference, secret, case.status, case.language)


def _lodge(
    complaint: ComplaintInput,
    uploads: Sequence[tuple[str, IncomingFile]],
    source: str,
    submission: tuple[str | None, str, str],
) -> LodgedComplaint:
    media_types = check_files([incoming for _, incoming in uploads])

    case = Case(
        reference=_unused_reference(),
        status=RECEIVED,
        language=complaint.language,
        source=source,
    )
    key = issue_case_key(case)
    secret = new_secret()
    case.secret_hash = hash_secret(secret)
    _apply_facts(case, complaint)
    if complaint.narrative:
        case.narrative_sealed = seal_text(key, case, "narrative", complaint.narrative)
    if complaint.contact is not None:
        case.complainant = Complainant(
            identity_sealed=seal_text(key, case, "identity", _identity_document(complaint.contact))
        )
    subscribe_at_intake(case, key, complaint.contact)  # "tell me when there is news"
    case.events.append(
        CaseEvent(
            kind=ev.LODGED,
            visibility=ev.INTERNAL,
            actor_kind="worker",
            detail=f"via {source}; {len(uploads)} file(s)",
        )
    )
    rows = store_files(case, key, uploads, media_types, uploaded_by="worker")
    try:
        # Routing and deadlines only read other rows: no need to flush the new case for them
        # (each early flush would cost an INSERT now and an UPDATE later).
        with db.session.no_autoflush:
            route_case(case)
            refresh_deadlines(case)
        db.session.add(case)
        token, holder, body = submission
        if token is not None:
            submissions.remember(case, secret, token, holder, body)
        lodged = LodgedComplaint(case.reference, secret, case.status, case.language)
        db.session.commit()
    except Exception:
        db.session.rollback()
        discard_blobs(rows)
        raise
    log.info("complaint %s lodged via %s with %d file(s)", lodged.reference, source, len(rows))
    return lodged


def _unused_reference() -> str:
    while True:
        reference = new_reference()
        if db.session.scalar(select(Case.id).where(Case.reference == reference)) is None:
            return reference


def _apply_facts(case: Case, complaint: ComplaintInput) -> None:
    case.origin_country = complaint.origin_country
    case.destination_country = complaint.destination_country
    case.employer_name = complaint.employer_name
    case.occupation = complaint.occupation
    case.recruitment_channel = complaint.recruitment_channel
    if complaint.promised_wage:
        case.promised_wage_amount = complaint.promised_wage.amount
        case.promised_wage_currency = complaint.promised_wage.currency
    if complaint.actual_wage:
        case.actual_wage_amount = complaint.actual_wage.amount
        case.actual_wage_currency = complaint.actual_wage.currency
    case.departure_date = complaint.departure_date
    case.job_start_date = complaint.job_start_date
    case.incident_date = complaint.incident_date
    case.contract_end_date = complaint.contract_end_date
    case.consent_share_partners = complaint.consent_share_partners
    case.consent_cross_border = complaint.consent_cross_border
    case.abuses = [CaseAbuse(code=code) for code in complaint.abuse_categories]
    case.fees = [
        FeePayment(
            category=fee.category,
            amount_paid=fee.amount_paid,
            receipt_amount=fee.receipt_amount,
            currency=fee.currency,
            paid_on=fee.paid_on,
            payee_kind=fee.payee,
            loan=fee.loan,
            lender_kind=fee.lender_kind,
            loan_interest_pct=fee.loan_interest_pct,
        )
        for fee in complaint.fees
    ]
    if complaint.agency_name or complaint.agency_licence:
        case.agency = _find_or_add_agency(
            complaint.agency_name, complaint.agency_licence, complaint.origin_country
        )
    now = utcnow()
    case.created_at = case.updated_at = case.last_activity_at = case.status_since = now


def _find_or_add_agency(name: str, licence: str, country: str) -> Agency:
    name_key = " ".join(name.casefold().split())
    licence = licence.strip()
    query = select(Agency).where(Agency.country == country)
    if licence:
        query = query.where(func.upper(Agency.licence_number) == licence.upper())
    else:
        query = query.where(Agency.name_key == name_key, Agency.licence_number == "")
    agency = db.session.scalars(query.order_by(Agency.id).limit(1)).first()
    if agency is not None:
        return followed(agency)  # a row an admin merged into another stands for that one
    agency = Agency(
        name=name or licence, name_key=name_key, licence_number=licence, country=country
    )
    db.session.add(agency)
    match_agency(agency)  # to the origin country's registry of licensed agencies
    return agency


def _identity_document(contact: ContactInput) -> str:
    def encode(value: object) -> object:
        return value.isoformat() if isinstance(value, date) else value

    return json.dumps({k: encode(v) for k, v in asdict(contact).items() if v}, ensure_ascii=False)
