"""What the case page shows an actor, assembled from services."""

from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import select

from casework.blueprints.cases.forms import MessageForm, NoteForm, OutcomeForm, StatusForm
from casework.extensions import db
from casework.models import Case, Organisation, User
from casework.models.assignment import LIVE, OFFERED
from casework.services.casefile.access import Access, case_access
from casework.services.casefile.lifecycle import allowed_transitions
from casework.services.casefile.reading import evidence_items, read_narrative, timeline
from casework.services.casefile.recruitment_cost import recruitment_cost
from casework.services.keys.case_keys import case_key
from casework.services.referrals.operations import suggest_pathways


def _versioned(form: Any, case: Case, seen_event: int) -> Any:
    form.version.data = case.version
    form.seen_event.data = seen_event
    return form


def case_page_context(
    actor: User,
    case: Case,
    identity: dict[str, str] | None = None,
    outcome_form: OutcomeForm | None = None,
    outcome_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    access = case_access(actor, case)
    seen_event = max((e.id for e in case.events), default=0)
    context: dict[str, Any] = {
        "case": case,
        "access": access,
        "full": access == Access.FULL,
        "identity": identity,
        "cost": recruitment_cost(case),
        "my_offers": [
            a
            for a in case.assignments
            if a.status == OFFERED
            and a.organisation_id == actor.organisation_id
            and (a.user_id in (None, actor.id) or actor.role == "supervisor")
        ],
        "live_assignments": [a for a in case.assignments if a.status in LIVE],
        "transitions": allowed_transitions(actor, case) if access == Access.FULL else [],
        "status_form": _versioned(StatusForm(formdata=None), case, seen_event),
        "note_form": _versioned(NoteForm(formdata=None), case, seen_event),
        "message_form": _versioned(MessageForm(formdata=None), case, seen_event),
        "outcome_form": _versioned(outcome_form or OutcomeForm(formdata=None), case, seen_event),
        "outcome_errors": outcome_errors or {},
    }
    if access == Access.FULL:
        key = case_key(case)
        context["narrative"] = read_narrative(actor, case, key)
        context["evidence"] = evidence_items(case, key)
        context["timeline"] = timeline(actor, case, key)
        context["referral_suggestions"] = suggest_pathways(case)
    if actor.role == "supervisor":
        context["colleagues"] = db.session.scalars(
            select(User)
            .where(
                User.organisation_id == actor.organisation_id,
                User.role == "caseworker",
                User.active.is_(True),
            )
            .order_by(User.name)
        ).all()
    if actor.role in ("supervisor", "admin") and not context["live_assignments"]:
        query = (
            select(Organisation).where(Organisation.active.is_(True)).order_by(Organisation.name)
        )
        if actor.role == "supervisor":
            query = query.where(Organisation.id == actor.organisation_id)
        context["route_orgs"] = db.session.scalars(query).all()
    return context


def conflict_response(
    actor: User, case: Case, seen_event: int, what: str, typed: str, resend: str | None = None
) -> tuple[str, int]:
    """Someone changed the case first: show what changed since the actor loaded the page and
    give back what they typed, ready to send again against the new version."""
    db.session.refresh(case)
    changes = [entry for entry in timeline(actor, case, case_key(case)) if entry.id > seen_event]
    latest = max((e.id for e in case.events), default=0)
    return (
        render_template(
            "cases/conflict.html",
            case=case,
            changes=changes,
            what=what,
            typed=typed,
            resend=resend,
            latest_event=latest,
        ),
        409,
    )
