"""Which groups an actor may open, and the members' cases through the one case check."""

from __future__ import annotations

from casework.extensions import db
from casework.models import Case, CaseGroup, User
from casework.services.casefile.access import Access, case_access
from casework.services.errors import NotFound

GROUP_ROLES = frozenset({"caseworker", "supervisor"})


def load_group(actor: User, group_id: int) -> CaseGroup:
    """The group if it belongs to the actor's organisation; `NotFound` otherwise (another
    organisation's group and a missing one look the same)."""
    group = db.session.get(CaseGroup, group_id)
    if (
        group is None
        or not actor.is_active
        or actor.role not in GROUP_ROLES
        or group.organisation_id != actor.organisation_id
    ):
        raise NotFound(f"group {group_id}")
    return group


def member_cases(actor: User, group: CaseGroup, need: Access = Access.FULL) -> list[Case]:
    """The group's cases the actor may see at level `need`, in the order they were added."""
    return [m.case for m in group.members if case_access(actor, m.case) >= need]
