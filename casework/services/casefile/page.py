"""The case page: everything it shows an actor, and what the actor may do there, in one call.

The view loads the case through `load_case`, calls `case_page` and renders the result: no SQL,
no key material and no role rules above this module. Reading the story (and the identity, when
asked) records its audit event here, in the same call that decrypts it, and the call commits
once, so a page view is one transaction whatever it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select

from casework.extensions import db
from casework.models import Assignment, Case, Organisation, ReferralPathway, ReplyTemplate, User
from casework.models.assignment import LIVE
from casework.services.assignments.operations import (
    may_answer_offer,
    may_reassign,
    may_route,
)
from casework.services.casefile.access import Access, case_access
from casework.services.casefile.case_time import CaseTime, case_time
from casework.services.casefile.lifecycle import Transition, allowed_transitions
from casework.services.casefile.links import LinkedCase, linked_cases
from casework.services.casefile.reading import (
    EvidenceItem,
    TimelineEntry,
    evidence_items,
    read_identity,
    read_narrative,
    timeline,
)
from casework.services.casefile.recruitment_cost import RecruitmentCost, recruitment_cost
from casework.services.casefile.reminders import ReminderItem, case_reminders
from casework.services.casefile.replies import list_templates
from casework.services.keys.case_keys import case_key
from casework.services.referrals.proposals import suggest_pathways


@dataclass(frozen=True)
class CasePage:
    """What the case page shows. Lists the actor may not see are empty, never filled."""

    case: Case
    access: Access
    cost: RecruitmentCost
    seen_event: int  # the newest event the actor saw: edits sent from this page carry it
    live_assignments: list[Assignment]
    offers_to_answer: list[Assignment]  # offers this actor may accept or decline
    reassignable: frozenset[int]  # ids of live assignments this actor may offer to a colleague
    colleagues: list[User]  # whom they may offer them to
    route_targets: list[Organisation]  # organisations this actor may offer an unrouted case to
    may_view_access_log: bool
    time: CaseTime  # open flags, next deadline, claim deadlines (facts: shown at every level)
    transitions: list[Transition] = field(default_factory=list)
    narrative: str | None = None
    identity: dict[str, str] | None = None  # None: not asked for; {}: anonymous complaint
    evidence: list[EvidenceItem] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    referral_suggestions: list[ReferralPathway] = field(default_factory=list)
    linked: list[LinkedCase] = field(default_factory=list)  # duplicates and merges
    reminders: list[ReminderItem] = field(default_factory=list)  # the actor's own, open
    reply_templates: list[ReplyTemplate] = field(default_factory=list)  # worker's language

    @property
    def merged_into(self) -> LinkedCase | None:
        """The case this one was merged into, if it was."""
        return next((link for link in self.linked if link.kind == "merged_into"), None)

    @property
    def full(self) -> bool:
        return self.access == Access.FULL


def case_page(actor: User, case: Case, *, show_identity: bool = False) -> CasePage:
    """The case page for `actor`, who may see `case` at least at the FACTS level (the caller
    loaded it through `load_case`). With full access, the story, evidence list and timeline
    are decrypted, and the story read is audited; with `show_identity` (full access only) the
    complainant's identity too, also audited. Commits once."""
    access = case_access(actor, case)
    live = [a for a in case.assignments if a.status in LIVE]
    reassignable = frozenset(a.id for a in live if may_reassign(actor, a))
    page = CasePage(
        case=case,
        access=access,
        cost=recruitment_cost(case),
        seen_event=max((e.id for e in case.events), default=0),
        live_assignments=live,
        offers_to_answer=[a for a in case.assignments if may_answer_offer(actor, a)],
        reassignable=reassignable,
        colleagues=_colleagues(actor) if reassignable else [],
        route_targets=_route_targets(actor) if may_route(actor, case) else [],
        may_view_access_log=actor.role == "supervisor" and access == Access.FULL,
        time=case_time(case),
    )
    if access == Access.FULL:
        key = case_key(case)
        page = replace(
            page,
            transitions=allowed_transitions(actor, case),
            narrative=read_narrative(actor, case, key),
            evidence=evidence_items(case, key),
            timeline=timeline(actor, case, key),
            referral_suggestions=suggest_pathways(case),
            identity=(read_identity(actor, case) or {}) if show_identity else None,
            linked=linked_cases(actor, case),
            reminders=case_reminders(actor, case, key),
            reply_templates=list_templates(case.language),
        )
    _commit_keeping_what_was_read()
    return page


def _commit_keeping_what_was_read() -> None:
    """Commit (the audit events of the reads) without expiring the rows the page has loaded:
    the template renders them as this transaction read them, instead of reading every one of
    them again (about twenty statements)."""
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


@dataclass(frozen=True)
class CaseChanges:
    """What changed since an actor loaded the case, for the conflict page."""

    case: Case
    changes: list[TimelineEntry]
    latest_event: int


def changes_since(actor: User, case: Case, seen_event: int) -> CaseChanges:
    """Someone changed the case first: reload it and list the events after `seen_event`
    that `actor` may see (the actor already has full access: they were editing it)."""
    db.session.refresh(case)
    entries = [entry for entry in timeline(actor, case, case_key(case)) if entry.id > seen_event]
    return CaseChanges(case, entries, max((e.id for e in case.events), default=0))


def _colleagues(actor: User) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == actor.organisation_id,
                User.role == "caseworker",
                User.active.is_(True),
            )
            .order_by(User.name)
        )
    )


def _route_targets(actor: User) -> list[Organisation]:
    query = select(Organisation).where(Organisation.active.is_(True)).order_by(Organisation.name)
    if actor.role == "supervisor":
        query = query.where(Organisation.id == actor.organisation_id)
    return list(db.session.scalars(query))
