"""The list of an organisation's groups, and one group's page: its members with their facts
(within what the viewer may see of each case), shared notes and what the viewer may do."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, CaseGroup, CaseGroupMember, User
from casework.models import case_group as cg
from casework.services.casefile.access import Access, case_access
from casework.services.casefile.outcomes import claimed_by_currency
from casework.services.casefile.recruitment_cost import recruitment_cost
from casework.services.groups.notes import GroupNoteView, group_notes
from casework.services.groups.suggestions import Suggestion, suggest_groups


@dataclass(frozen=True)
class GroupSummary:
    group: CaseGroup
    respondent: str
    members: int


@dataclass(frozen=True)
class GroupsPage:
    groups: list[GroupSummary]
    suggestions: list[Suggestion]


@dataclass(frozen=True)
class MemberView:
    member_id: int
    case: Case
    access: Access  # FULL: facts and work; FACTS: facts only; NONE: the reference alone
    fees_paid: dict[str, Decimal]
    claimed: dict[str, Decimal]


@dataclass(frozen=True)
class GroupPage:
    group: CaseGroup
    respondent: str
    members: list[MemberView]
    notes: list[GroupNoteView]
    may_change: bool  # open: add cases, notes, outcomes


def respondent_name(group: CaseGroup) -> str:
    """The agency as its licensed-agency list names it when linked, else as the complaints
    wrote it; or the employer."""
    if group.respondent_kind == cg.AGENCY:
        if group.agency is None:
            return ""
        listed = group.agency.registry_agency
        return listed.name if listed is not None else group.agency.name
    return group.employer_name


def groups_page(actor: User) -> GroupsPage:
    """The actor's organisation's groups (open first, newest first) and suggestions."""
    groups = db.session.scalars(
        select(CaseGroup)
        .where(CaseGroup.organisation_id == actor.organisation_id)
        .order_by(CaseGroup.status.desc(), CaseGroup.created_at.desc())
    ).all()
    counts: dict[int, int] = {
        group_id: count
        for group_id, count in db.session.execute(
            select(CaseGroupMember.group_id, func.count())
            .where(CaseGroupMember.group_id.in_([g.id for g in groups]))
            .group_by(CaseGroupMember.group_id)
        )
    }
    return GroupsPage(
        [GroupSummary(g, respondent_name(g), counts.get(g.id, 0)) for g in groups],
        suggest_groups(actor),
    )


def group_page(actor: User, group: CaseGroup) -> GroupPage:
    members = []
    for member in group.members:
        access = case_access(actor, member.case)
        facts = access >= Access.FACTS
        members.append(
            MemberView(
                member.id,
                member.case,
                access,
                recruitment_cost(member.case).paid_by_currency if facts else {},
                claimed_by_currency(member.case) if facts else {},
            )
        )
    return GroupPage(
        group,
        respondent_name(group),
        members,
        group_notes(actor, group),
        group.status == cg.OPEN,
    )
