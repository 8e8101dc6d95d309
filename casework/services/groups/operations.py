"""Creating a group, adding and removing cases, closing it. Every change is audited; a case
is added only through `load_case` with full access."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.extensions import db
from casework.models import Agency, CaseGroup, CaseGroupMember, User
from casework.models import case_group as cg
from casework.services import audit
from casework.services.casefile.access import Access, load_case
from casework.services.errors import DomainError, InvalidInput, NotPermitted
from casework.services.groups.access import GROUP_ROLES
from casework.services.validation import FieldReader


class GroupRefused(DomainError):
    """The change cannot be made; the message says why, in words for the staff member."""


def _audit(actor: User, group: CaseGroup, what: str) -> None:
    audit.record_audit(actor, audit.GROUP_CHANGE, "case_group", str(group.id), what)


def create_group(
    actor: User,
    title: object,
    respondent_kind: object,
    agency_id: int | None = None,
    employer_name: object = "",
    references: tuple[str, ...] = (),
) -> CaseGroup:
    """A new open group owned by the actor's organisation, with `references` added (each
    through the case check). `InvalidInput` for a missing title or respondent."""
    if actor.role not in GROUP_ROLES:
        raise NotPermitted("groups are for caseworkers and supervisors")
    r = FieldReader()
    data = {"title": title, "kind": respondent_kind, "employer": employer_name}
    name = r.text(data, "title", "title", 200)
    kind = r.choice(data, "kind", "respondent_kind", cg.RESPONDENT_KINDS)
    employer = r.text(data, "employer", "employer_name", 200)
    if not name:
        r.fail("title", _l("Please give the group a title."))
    if kind is None and "respondent_kind" not in r.errors:
        r.fail("respondent_kind", _l("Please choose the agency or the employer."))
    agency = db.session.get(Agency, agency_id) if agency_id is not None else None
    if kind == cg.AGENCY and agency is None:
        r.fail("agency_id", _l("Please choose the agency."))
    if kind == cg.EMPLOYER and not employer:
        r.fail("employer_name", _l("Please give the employer's name."))
    if r.errors:
        raise InvalidInput(r.errors)
    group = CaseGroup(
        organisation_id=actor.organisation_id,
        title=name,
        respondent_kind=kind,
        agency_id=agency.id if kind == cg.AGENCY and agency else None,
        employer_name=employer if kind == cg.EMPLOYER else "",
        created_by=actor.id,
    )
    db.session.add(group)
    db.session.flush()
    _audit(actor, group, f"created ({kind})")
    for reference in references:
        _add(actor, group, reference)
    db.session.commit()
    return group


def add_case(actor: User, group: CaseGroup, reference: str) -> CaseGroupMember:
    """Add the case: the actor must have full access to it (`CaseNotFound` / `NotPermitted`
    otherwise); `GroupRefused` if the group is closed or the case is in an open group."""
    member = _add(actor, group, reference)
    db.session.commit()
    return member


def _add(actor: User, group: CaseGroup, reference: str) -> CaseGroupMember:
    if group.status != cg.OPEN:
        raise GroupRefused(str(_l("This group is closed.")))
    case = load_case(actor, reference.strip().upper(), Access.FULL)
    in_open_group = db.session.scalars(
        select(CaseGroupMember.group_id)
        .join(CaseGroup, CaseGroup.id == CaseGroupMember.group_id)
        .where(CaseGroupMember.case_id == case.id, CaseGroup.status == cg.OPEN)
    ).first()
    if in_open_group is not None:
        raise GroupRefused(
            str(_l("%(reference)s is already in an open group.", reference=case.reference))
        )
    member = CaseGroupMember(case=case, added_by=actor.id)
    group.members.append(member)
    db.session.flush()
    _audit(actor, group, f"added case {case.id}")
    return member


def remove_case(actor: User, group: CaseGroup, member_id: int) -> None:
    """Take a case out of the group. Nothing of the case is read or changed, so this needs no
    access to the case itself (a member the organisation no longer holds can be removed)."""
    member = next((m for m in group.members if m.id == member_id), None)
    if member is None:
        raise GroupRefused(str(_l("This case is not in the group.")))
    group.members.remove(member)
    _audit(actor, group, f"removed case {member.case_id}")
    db.session.commit()


def close_group(actor: User, group: CaseGroup) -> None:
    """Close the group: its cases may then join another group."""
    if group.status == cg.CLOSED:
        return
    group.status = cg.CLOSED
    _audit(actor, group, "closed")
    db.session.commit()
