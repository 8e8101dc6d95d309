"""Suggested groups: three or more open cases the viewer fully holds (their organisation
accepted them) that name the same registry agency, the same agency, or the same employer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from casework.extensions import db
from casework.models import (
    Agency,
    Assignment,
    Case,
    CaseGroup,
    CaseGroupMember,
    RegistryAgency,
    User,
)
from casework.models import case_group as cg
from casework.models.assignment import ACCEPTED
from casework.services.casefile.lifecycle import OPEN_STATUSES

MIN_CASES = 3


@dataclass(frozen=True)
class Suggestion:
    respondent_kind: str  # case_group.AGENCY / EMPLOYER
    name: str
    agency_id: int | None
    references: tuple[str, ...]


def suggest_groups(actor: User) -> list[Suggestion]:
    """Largest first. Cases already in an open group are left out."""
    grouped = (
        select(CaseGroupMember.case_id)
        .join(CaseGroup, CaseGroup.id == CaseGroupMember.group_id)
        .where(CaseGroup.status == cg.OPEN)
    )
    rows = db.session.execute(
        select(
            Case.reference,
            Case.agency_id,
            Agency.registry_agency_id,
            func.coalesce(RegistryAgency.name, Agency.name),  # the list's name when linked
            Case.employer_name,
        )
        .join(Assignment, Assignment.case_id == Case.id)
        .outerjoin(Agency, Agency.id == Case.agency_id)
        .outerjoin(RegistryAgency, RegistryAgency.id == Agency.registry_agency_id)
        .where(
            Assignment.organisation_id == actor.organisation_id,
            Assignment.status == ACCEPTED,
            Case.status.in_(OPEN_STATUSES),
            Case.purged_at.is_(None),
            Case.id.not_in(grouped),
        )
        .order_by(Case.created_at)
    ).all()
    agencies: dict[tuple[str, int], list[tuple[str, int, str]]] = defaultdict(list)
    employers: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for reference, agency_id, registry_id, agency_name, employer in rows:
        if agency_id is not None:
            key = ("registry", registry_id) if registry_id is not None else ("agency", agency_id)
            agencies[key].append((reference, agency_id, agency_name))
        folded = " ".join(employer.split()).casefold()
        if folded:
            employers[folded].append((reference, employer.strip()))
    found = [
        Suggestion(cg.AGENCY, cases[0][2], cases[0][1], _unique(r for r, _, _ in cases))
        for cases in agencies.values()
    ] + [
        Suggestion(cg.EMPLOYER, cases[0][1], None, _unique(r for r, _ in cases))
        for cases in employers.values()
    ]
    found = [s for s in found if len(s.references) >= MIN_CASES]
    return sorted(found, key=lambda s: (-len(s.references), s.name.casefold()))


def _unique(references: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(references))
