"""Rendering the case page and the conflict page from what casefile.page gives: forms only."""

from __future__ import annotations

from typing import Any

from flask import render_template

from casework.blueprints.cases.forms import MessageForm, NoteForm, OutcomeForm, StatusForm
from casework.models import Case, User
from casework.services.casefile.page import CasePage, changes_since
from casework.services.referrals.pack import IDENTITY_LABELS
from casework.vocabulary.fees import CONTACT_CHANNELS


def _versioned(form: Any, page: CasePage) -> Any:
    form.version.data = page.case.version
    form.seen_event.data = page.seen_event
    return form


def render_case_page(
    page: CasePage,
    outcome_form: OutcomeForm | None = None,
    outcome_errors: dict[str, str] | None = None,
    message_text: str | None = None,
    chosen_reply: int | None = None,
) -> str:
    message_form = _versioned(MessageForm(formdata=None), page)
    if message_text is not None:
        message_form.body.data = message_text
    return render_template(
        "cases/detail.html",
        page=page,
        case=page.case,
        status_form=_versioned(StatusForm(formdata=None), page),
        note_form=_versioned(NoteForm(formdata=None), page),
        message_form=message_form,
        chosen_reply=chosen_reply,
        outcome_form=_versioned(outcome_form or OutcomeForm(formdata=None), page),
        outcome_errors=outcome_errors or {},
        identity_labels=IDENTITY_LABELS,
        contact_channels=CONTACT_CHANNELS,
    )


def conflict_response(
    actor: User, case: Case, seen_event: int, what: str, typed: str, resend: str | None = None
) -> tuple[str, int]:
    """Someone changed the case first: show what changed since the actor loaded the page and
    give back what they typed, ready to send again against the new version."""
    changed = changes_since(actor, case, seen_event)
    return (
        render_template(
            "cases/conflict.html",
            case=changed.case,
            changes=changed.changes,
            what=what,
            typed=typed,
            resend=resend,
            latest_event=changed.latest_event,
        ),
        409,
    )
