"""Merging the agencies workers named in different ways: "Sunrise Manpower", "Sunrise
Manpower Pvt Ltd" and "sunrise manpower nepal" are one agency, and its complaints belong
together before anyone counts or ranks agencies.

An admin sees a country's agencies as complaints name them, with the registry candidates the
matcher proposed and the other names that look alike; links one to its registry entry (as a
caseworker confirms a candidate on a case page, but without opening a case), or merges
several rows into one. A merge moves every complaint (and group) of the merged rows to the
kept row in one transaction, each move recomputing the case's report facts through the ORM;
the merged rows stay, pointing at the kept one, so a later complaint naming the agency the
old way lands on the kept row too, a search for the old name still finds the cases, and the
audit log's ids stay readable. Each link and merge is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from casework.extensions import db
from casework.models import (
    Agency,
    AgencyMatchCandidate,
    Case,
    CaseGroup,
    RegistryAgency,
    RegistryAlias,
)
from casework.models.agency import MATCH_CONFIRMED
from casework.models.columns import utcnow
from casework.models.registry import ALIAS_CONFIRMED, REJECTED
from casework.services import audit
from casework.services.actors import Actor
from casework.services.agencies.matching import entry_by_licence
from casework.services.agencies.normalise import name_key
from casework.services.errors import InvalidInput, NotFound

AGENCY_MERGE = "agency_merge"
AGENCY_LINK = "agency_match"  # the same action a caseworker's confirmation records
PAGE_SIZE = 100
ALIKE = 85  # WRatio over folded names: at or above, two rows are shown as maybe the same


@dataclass
class NamedAgency:
    """One row of `agencies` as complaints name it, with what the page offers about it."""

    agency: Agency
    complaints: int
    candidates: list[AgencyMatchCandidate] = field(default_factory=list)
    alike: list[int] = field(default_factory=list)  # ids of rows on the page that look alike


@dataclass(frozen=True)
class MergeResult:
    kept: Agency
    merged: int  # rows merged into it
    moved: int  # complaints moved to it


def named_agencies(country: str, query: str = "", unlinked_only: bool = False) -> list[NamedAgency]:
    """A country's agencies as complaints name them (merged rows left out): rows not linked to
    the registry first, then by how many complaints name them; `query` is part of the name or
    the licence number. At most PAGE_SIZE rows."""
    of_country = select(Agency.id).where(Agency.country == country.upper())
    complaints = (
        select(Case.agency_id, func.count().label("n"))
        .where(Case.agency_id.in_(of_country))  # the country's complaints, not every one
        .group_by(Case.agency_id)
        .subquery()
    )
    statement = (
        select(Agency, func.coalesce(complaints.c.n, 0))
        .outerjoin(complaints, complaints.c.agency_id == Agency.id)
        .where(Agency.country == country.upper(), Agency.merged_into_id.is_(None))
        .options(
            selectinload(Agency.candidates).selectinload(AgencyMatchCandidate.registry_agency),
            selectinload(Agency.registry_agency),
        )
    )
    if query.strip():
        folded = " ".join(query.casefold().split())
        statement = statement.where(
            or_(
                Agency.name_key.contains(folded, autoescape=True),
                func.upper(Agency.licence_number) == query.strip().upper(),
            )
        )
    if unlinked_only:
        statement = statement.where(Agency.registry_agency_id.is_(None))
    statement = statement.order_by(
        Agency.registry_agency_id.is_not(None),
        func.coalesce(complaints.c.n, 0).desc(),
        Agency.name_key,
        Agency.id,
    ).limit(PAGE_SIZE)
    rows = [
        NamedAgency(
            agency,
            complaints,
            [c for c in agency.candidates if c.state != REJECTED]
            if agency.registry_agency_id is None
            else [],
        )
        for agency, complaints in db.session.execute(statement).all()
    ]
    _mark_alike(rows)
    return rows


def _mark_alike(rows: list[NamedAgency]) -> None:
    keys = [name_key(row.agency.name) for row in rows]
    for i, row in enumerate(rows):
        for j in range(i + 1, len(rows)):
            if keys[i] and keys[j] and fuzz.WRatio(keys[i], keys[j]) >= ALIKE:
                row.alike.append(rows[j].agency.id)
                rows[j].alike.append(row.agency.id)


def link_to_entry(actor: Actor, agency: Agency, entry: RegistryAgency) -> None:
    """Link `agency` to `entry` as a confirmed match and teach the matcher its name (the
    caller has checked the agency is not linked yet); audited, not committed."""
    agency.registry_agency = entry
    agency.match_state = MATCH_CONFIRMED
    agency.matched_at = utcnow()
    _teach(entry, agency.name)
    agency.candidates = [c for c in agency.candidates if c.state == REJECTED]
    audit.record_audit(
        actor, AGENCY_LINK, "agency", str(agency.id), f"confirmed registry:{entry.id}"
    )


def link_agency(actor: Actor, agency_id: int, entry_id: int | None, licence: str = "") -> Agency:
    """An admin links a complaint agency to an entry of its country's registry: a candidate
    (`entry_id`) or the entry with the licence number typed (in any script or punctuation)."""
    agency = db.session.get(Agency, agency_id)
    if agency is None or agency.merged_into_id is not None:
        raise NotFound(f"agency {agency_id}")
    entry = (
        db.session.get(RegistryAgency, entry_id)
        if entry_id
        else entry_by_licence(agency.country, licence)
    )
    if entry is None or entry.country != agency.country:
        raise InvalidInput({"entry": _l("Choose an agency from this country's list.")})
    if agency.registry_agency_id is not None:
        raise InvalidInput({"entry": _l("This agency is already linked to the list.")})
    link_to_entry(actor, agency, entry)
    db.session.commit()
    return agency


def merge_agencies(actor: Actor, keep_id: int, merged_ids: list[int]) -> MergeResult:
    """Merge the rows `merged_ids` into `keep_id`: their complaints and groups move to it, and
    each merged row points at it from now on. Refused (InvalidInput, nothing changed) when the
    rows are of different countries, already merged, or linked to different registry entries."""
    keep = db.session.get(Agency, keep_id)
    if keep is None or keep.merged_into_id is not None:
        raise InvalidInput({"keep": _l("Choose the agency to keep.")})
    ids = sorted({i for i in merged_ids if i != keep_id})
    merged = list(db.session.scalars(select(Agency).where(Agency.id.in_(ids)))) if ids else []
    if not merged or len(merged) != len(ids):
        raise InvalidInput({"merge": _l("Tick at least one other agency to merge into it.")})
    if any(a.country != keep.country or a.merged_into_id is not None for a in merged):
        raise InvalidInput(
            {"merge": _l("Only agencies of the same country, not merged before, can be merged.")}
        )
    entries = {a.registry_agency_id for a in (keep, *merged) if a.registry_agency_id is not None}
    if len(entries) > 1:
        raise InvalidInput(
            {
                "merge": _l(
                    "These agencies are linked to different agencies on the list; unlink the wrong one first."
                )
            }
        )
    if keep.registry_agency_id is None and entries:
        linked = next(a for a in merged if a.registry_agency_id is not None)
        keep.registry_agency = linked.registry_agency
        keep.match_state = MATCH_CONFIRMED
        keep.matched_at = utcnow()
        keep.candidates = [c for c in keep.candidates if c.state == REJECTED]
    moved = 0
    told: list[tuple[Case, Any, str]] = []  # each moved case's timeline event, sealed below
    for agency in merged:
        cases = db.session.scalars(select(Case).where(Case.agency_id == agency.id)).all()
        for case in cases:
            case.agency = keep  # through the ORM: the report facts follow in this transaction
            if case.purged_at is None:  # a purged case has no key left to seal with
                told.append((case, _timeline_event(actor, case), agency.name))
        groups = db.session.scalars(select(CaseGroup).where(CaseGroup.agency_id == agency.id))
        for group in groups:
            group.agency_id = keep.id
        for earlier in db.session.scalars(select(Agency).where(Agency.merged_into_id == agency.id)):
            earlier.merged_into = keep  # rows merged into this one before follow it
        if keep.registry_agency is not None:
            _teach(keep.registry_agency, agency.name)
        agency.merged_into = keep
        agency.registry_agency = None
        agency.match_state = None
        agency.candidates = []
        moved += len(cases)
        audit.record_audit(
            actor,
            AGENCY_MERGE,
            "agency",
            str(keep.id),
            f"merged agency:{agency.id} ({len(cases)} complaints) into agency:{keep.id}",
        )
    db.session.flush()  # once for every case: the events get their ids, the facts follow
    _seal(told, keep.name)
    db.session.commit()
    return MergeResult(keep, len(merged), moved)


def _timeline_event(actor: Actor, case: Case) -> Any:
    """A change of the facts on the case's timeline, like an edit of the agency's name; its
    body is sealed with the case key once flushed (`_seal`)."""
    from casework.models import CaseEvent
    from casework.models import event as ev
    from casework.services.actors import actor_user_id
    from casework.services.casefile.facts import FACTS_EDITED  # here: facts reaches us via intake

    event = CaseEvent(
        kind=FACTS_EDITED,
        visibility=ev.PARTNERS,
        actor_kind="staff" if actor_user_id(actor) else "system",
        actor_user_id=actor_user_id(actor),
        organisation_id=getattr(actor, "organisation_id", None),
        detail="changed: agency_name (merged)",
    )
    case.events.append(event)
    return event


def _seal(told: list[tuple[Case, Any, str]], after: str) -> None:
    from casework.services.casefile.facts import FACT_LABELS
    from casework.services.keys.case_keys import case_key, seal_event_body

    for case, event, before in told:
        text = f"{FACT_LABELS['agency_name']}: {before} → {after}"
        seal_event_body(case_key(case), case, event, text)


def followed(agency: Agency) -> Agency:
    """The row a complaint naming `agency` belongs to: itself, or the row it was merged into."""
    seen = {agency.id}
    while agency.merged_into is not None and agency.merged_into.id not in seen:
        agency = agency.merged_into
        seen.add(agency.id)
    return agency


def _teach(entry: RegistryAgency, name: str) -> None:
    key = name_key(name)
    if key and key != entry.name_key and all(a.name_key != key for a in entry.aliases):
        entry.aliases.append(RegistryAlias(name=name, name_key=key, origin=ALIAS_CONFIRMED))
