"""The referral pack: a printable summary of a case for the forum it is referred to.

It holds the facts, the fee table, the partner-visible timeline (never internal notes or the
worker's messages) and the evidence list with SHA-256 hashes, in the forum's language when we
have it. The worker's identity, and file names (which often carry it), are in only when the
worker agreed to share their identity with this forum. Building a pack is audited as an export.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel import Locale
from flask_babel import lazy_gettext as _l

from casework.extensions import db
from casework.models import Case, Referral, User
from casework.models import event as ev
from casework.models.columns import utcnow
from casework.services import audit
from casework.services.casefile.reading import read_identity
from casework.services.casefile.recruitment_cost import RecruitmentCost, recruitment_cost
from casework.services.errors import NotPermitted
from casework.services.evidence.operations import evidence_filename
from casework.services.keys.case_keys import EventBodyUnverified, case_key, open_event_body
from casework.vocabulary.languages import DEFAULT_LANGUAGE, LANGUAGES, Language

TIMELINE_KINDS = (ev.STATUS_CHANGE, ev.OUTCOME, ev.NOTE)

IDENTITY_LABELS = {
    "name": _l("Name"),
    "phone": _l("Phone"),
    "email": _l("Email"),
    "channel": _l("Best way to reach the worker"),
    "safe_times": _l("Safe times to contact"),
    "passport_number": _l("Passport number"),
    "date_of_birth": _l("Date of birth"),
    "sex": _l("Sex"),
}


@dataclass(frozen=True)
class PackEvent:
    at: datetime
    kind: str
    codes: tuple[str, ...]  # status codes (a change) or the outcome code, for translated labels
    detail: str
    body: str | None
    verified: bool = True  # False: the sealed body does not belong to this event (left out)


@dataclass(frozen=True)
class PackEvidence:
    number: int
    filename: str | None  # only with the worker's consent to share identity
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: datetime


@dataclass(frozen=True)
class ReferralPack:
    case: Case
    referral: Referral
    language: Language
    origin_name: str
    destination_name: str
    forum_country_name: str
    cost: RecruitmentCost
    timeline: list[PackEvent]
    evidence: list[PackEvidence]
    identity: dict[str, str] | None
    prepared_by: str
    generated_at: datetime
    generated_on: date


def pack_language(referral: Referral) -> Language:
    """The forum's language if the catalogue names one we translate into, else English."""
    code = referral.pathway.language if referral.pathway else None
    return LANGUAGES.get(code or "", LANGUAGES[DEFAULT_LANGUAGE])


def _timeline(case: Case, key: bytes) -> list[PackEvent]:
    entries = [PackEvent(case.created_at, ev.LODGED, (), "", None)]
    for event in case.events:
        if event.visibility != ev.PARTNERS or event.kind not in TIMELINE_KINDS:
            continue
        codes: tuple[str, ...] = ()
        detail = event.detail
        if event.kind == ev.STATUS_CHANGE and " → " in detail:
            codes = tuple(detail.split(" → ", 1))
            detail = ""
        elif event.kind == ev.OUTCOME and detail:
            code, _, detail = detail.partition(" ")
            codes = (code,)
        body, verified = None, True
        try:
            body = open_event_body(key, case, event)
        except EventBodyUnverified:
            verified = False
        entries.append(PackEvent(event.created_at, event.kind, codes, detail, body, verified))
    return entries


def _evidence(case: Case, key: bytes, with_names: bool) -> list[PackEvidence]:
    return [
        PackEvidence(
            number,
            evidence_filename(case, key, item) if with_names else None,
            item.media_type,
            item.size,
            item.sha256,
            item.uploaded_by,
            item.created_at,
        )
        for number, item in enumerate(case.evidence, start=1)
    ]


def build_referral_pack(actor: User, case: Case, referral: Referral) -> ReferralPack:
    """Everything the pack shows, read once and audited as an export of this referral.
    `NotPermitted` for a forum the worker said no to: nothing is prepared for it."""
    if referral.status == "declined_by_worker":
        raise NotPermitted(f"referral {referral.id} was declined by the worker")
    share_identity = referral.consent_share_identity and referral.consented_at is not None
    language = pack_language(referral)
    audit.record_audit(
        actor,
        audit.EXPORT,
        "case",
        str(case.id),
        f"referral {referral.id} pack ({language.code})"
        + (" with identity" if share_identity else ""),
    )
    identity = read_identity(actor, case) if share_identity else None
    db.session.commit()
    key = case_key(case)
    territories = Locale.parse(language.babel_locale).territories
    forum_country = referral.pathway.country if referral.pathway else ""
    now = utcnow()
    return ReferralPack(
        case=case,
        referral=referral,
        language=language,
        origin_name=str(territories.get(case.origin_country, case.origin_country)),
        destination_name=str(territories.get(case.destination_country, case.destination_country)),
        forum_country_name=str(territories.get(forum_country, forum_country)),
        cost=recruitment_cost(case),
        timeline=_timeline(case, key),
        evidence=_evidence(case, key, with_names=share_identity),
        identity=identity if identity is not None else ({} if share_identity else None),
        prepared_by=actor.organisation.name if actor.organisation else "",
        generated_at=now,
        generated_on=now.date(),
    )
