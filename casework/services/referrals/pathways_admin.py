"""Admins keep the catalogue of referral pathways up to date."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.extensions import db
from casework.models import ReferralPathway, User
from casework.services import audit
from casework.services.errors import InvalidInput, NotFound
from casework.services.validation import FieldReader, whole_number
from casework.vocabulary.abuse import ABUSE_CODES
from casework.vocabulary.forums import FORUM_KINDS
from casework.vocabulary.languages import LANGUAGES


def list_pathways(country: str = "") -> list[ReferralPathway]:
    """The catalogue by country and forum kind, or one country's part of it."""
    query = select(ReferralPathway).order_by(ReferralPathway.country, ReferralPathway.forum_kind)
    if country:
        query = query.where(ReferralPathway.country == country.upper())
    return list(db.session.scalars(query))


def find_pathway(pathway_id: int) -> ReferralPathway:
    """One pathway; `NotFound` if there is none."""
    pathway = db.session.get(ReferralPathway, pathway_id)
    if pathway is None:
        raise NotFound(f"pathway {pathway_id}")
    return pathway


def save_pathway(
    actor: User, data: dict[str, Any], pathway_id: int | None = None
) -> ReferralPathway:
    """Create or update a pathway; raises `InvalidInput` with per-field messages."""
    pathway = db.session.get(ReferralPathway, pathway_id) if pathway_id else ReferralPathway()
    if pathway is None:
        raise InvalidInput({"id": str(_l("Unknown pathway."))})
    r = FieldReader()
    country = r.text(data, "country", "country", 2).upper()
    if len(country) != 2 or not country.isalpha():
        r.fail("country", _l("Please choose a country."))
    forum_kind = r.choice(data, "forum_kind", "forum_kind", FORUM_KINDS)
    if forum_kind is None and "forum_kind" not in r.errors:
        r.fail("forum_kind", _l("Please choose one of the options."))
    name = r.text(data, "name", "name", 200)
    if not name:
        r.fail("name", _l("Required."))
    codes = [
        c.strip().upper()
        for c in r.text(data, "claim_codes", "claim_codes", 400).split(",")
        if c.strip()
    ]
    if any(code not in ABUSE_CODES for code in codes):
        r.fail("claim_codes", _l("Use abuse codes from the list, separated by commas."))
    limit_raw = r.text(data, "time_limit_days", "time_limit_days", 6)
    if limit_raw and whole_number(limit_raw) is None:
        r.fail("time_limit_days", _l("Please give a whole number of days."))
    language = r.text(data, "language", "language", 8) or None
    if language is not None and language not in LANGUAGES and len(language) > 3:
        r.fail("language", _l("Please give a language code such as ar, en or ne."))
    if r.errors:
        raise InvalidInput(r.errors)
    pathway.country, pathway.forum_kind, pathway.name = country, forum_kind or "", name
    pathway.claim_codes = codes
    pathway.time_limit_days = int(limit_raw) if limit_raw else None
    pathway.language = language
    pathway.contact = r.text(data, "contact", "contact", 2000)
    pathway.notes = r.text(data, "notes", "notes", 2000)
    pathway.active = r.flag(data, "active") if pathway_id else True
    db.session.add(pathway)
    db.session.flush()
    audit.record_audit(actor, audit.ADMIN_CHANGE, "pathway", str(pathway.id), "save")
    db.session.commit()
    return pathway
