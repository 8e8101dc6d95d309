"""The case file. Every case is loaded through `load_case`; views stay thin."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from casework.blueprints.cases import bp
from casework.blueprints.cases.evidence_preview import preview_response, wants_preview
from casework.blueprints.cases.forms import (
    MessageForm,
    NoteForm,
    OfferForm,
    OutcomeForm,
    ReassignForm,
    StatusForm,
    TriageForm,
)
from casework.blueprints.cases.page import conflict_response, render_case_page
from casework.models.assignment import DESTINATION, ORIGIN
from casework.services.assignments.operations import (
    AssignmentRefused,
    accept_offer,
    assign_from_triage,
    decline_offer,
    reassign,
)
from casework.services.casefile.access import Access, load_case
from casework.services.casefile.lifecycle import TransitionRefused, change_status
from casework.services.casefile.messages import add_note, message_worker
from casework.services.casefile.outcomes import record_outcome
from casework.services.casefile.page import case_page
from casework.services.casefile.reading import access_log as read_access_log
from casework.services.casefile.reading import download_evidence
from casework.services.errors import CaseChanged, InvalidInput
from casework.services.evidence.operations import EvidenceDamaged
from casework.services.validation import whole_number
from casework.staff_session import staff

# The queue, search, saved views and bulk changes: queue_views.py and bulk_views.py.


@bp.get("/<reference>")
def detail(reference: str) -> str:
    actor = staff()
    case = load_case(actor, reference, need=Access.FACTS)
    return render_case_page(case_page(actor, case))


@bp.post("/<reference>/identity")
def identity(reference: str) -> str:
    actor = staff()
    case = load_case(actor, reference, need=Access.FULL)
    return render_case_page(case_page(actor, case, show_identity=True))


@bp.get("/<reference>/evidence/<int:evidence_id>")
def evidence(reference: str, evidence_id: int) -> Response | tuple[str, int]:
    actor = staff()
    case = load_case(actor, reference, need=Access.FULL)
    if wants_preview():  # the same route, load and audit: a copy without metadata, inline
        return preview_response(actor, case, evidence_id)
    try:
        download = download_evidence(actor, case, evidence_id)
    except EvidenceDamaged:
        # Our side's fault and not worth retrying: a page that says so, not a cut connection.
        return render_template("cases/evidence_damaged.html", case=case), 500
    response = Response(stream_with_context(download.chunks), mimetype=download.media_type)
    response.headers["Content-Length"] = str(download.size)
    response.headers["Content-Disposition"] = "attachment; filename*=UTF-8''" + _quote(
        download.filename or f"evidence-{evidence_id}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


def _versioned(form: Any) -> tuple[int, int]:
    version = whole_number(form.version.data)
    seen = whole_number(form.seen_event.data)
    return (-1 if version is None else version, seen or 0)


def _back(reference: str) -> BaseResponse:
    return redirect(url_for("cases.detail", reference=reference))


@bp.post("/<reference>/notes")
def note(reference: str) -> str | BaseResponse | tuple[str, int]:
    actor = staff()
    case = load_case(actor, reference)
    form = NoteForm()
    version, seen = _versioned(form)
    try:
        add_note(actor, case, form.body.data, bool(form.shared.data), version)
    except CaseChanged:
        return conflict_response(
            actor, case, seen, _("Your note was not saved."), form.body.data or "", "cases.note"
        )
    except InvalidInput:
        flash(_("Please write something first."))
    return _back(reference)


@bp.post("/<reference>/messages")
def message(reference: str) -> str | BaseResponse | tuple[str, int]:
    actor = staff()
    case = load_case(actor, reference)
    form = MessageForm()
    version, seen = _versioned(form)
    try:
        message_worker(actor, case, form.body.data, version)
    except CaseChanged:
        return conflict_response(
            actor,
            case,
            seen,
            _("Your message to the worker was not sent."),
            form.body.data or "",
            "cases.message",
        )
    except InvalidInput:
        flash(_("Please write something first."))
    else:
        flash(_("Message sent. The worker sees it on their follow-up page."))
    return _back(reference)


@bp.post("/<reference>/status")
def status(reference: str) -> str | BaseResponse | tuple[str, int]:
    actor = staff()
    case = load_case(actor, reference)
    form = StatusForm()
    version, seen = _versioned(form)
    try:
        change_status(actor, case, form.to.data or "", version, form.reason.data or "")
    except CaseChanged:
        return conflict_response(
            actor, case, seen, _("Your status change was not saved."), form.reason.data or ""
        )
    except TransitionRefused as refused:
        flash(_("That change is not possible: %(why)s", why=str(refused)))
    return _back(reference)


@bp.post("/<reference>/outcomes")
def outcome(reference: str) -> str | BaseResponse | tuple[str, int]:
    actor = staff()
    case = load_case(actor, reference)
    form = OutcomeForm()
    version, seen = _versioned(form)
    data = {
        name: getattr(form, name).data
        for name in ("code", "kind", "amount_claimed", "amount", "amount_enforced", "currency")
    }
    try:
        record_outcome(actor, case, data, version)
    except CaseChanged:
        return conflict_response(actor, case, seen, _("Your outcome was not saved."), "")
    except InvalidInput as invalid:
        page = case_page(actor, case)
        return render_case_page(page, outcome_form=form, outcome_errors=invalid.fields), 422
    return _back(reference)


@bp.post("/<reference>/accept")
def accept(reference: str) -> BaseResponse:
    actor = staff()
    case = load_case(actor, reference, need=Access.FACTS)
    form = OfferForm()
    accept_offer(actor, case, form.assignment_id.data or 0)  # refused: 403 (NotPermitted)
    flash(_("You accepted the case."))
    return _back(reference)


@bp.post("/<reference>/decline")
def decline(reference: str) -> str | BaseResponse | tuple[str, int]:
    actor = staff()
    case = load_case(actor, reference, need=Access.FACTS)
    form = OfferForm()
    try:
        decline_offer(actor, case, form.assignment_id.data or 0, form.reason.data or "")
    except AssignmentRefused as refused:
        flash(_("Not declined: %(why)s", why=str(refused)))
        return _back(reference)
    flash(_("Declined. The case was offered elsewhere."))
    return redirect(url_for("cases.queue"))


@bp.post("/<reference>/reassign")
def reassign_case(reference: str) -> BaseResponse:
    actor = staff()
    case = load_case(actor, reference, need=Access.FACTS)
    form = ReassignForm()
    user_id = form.user_id.data
    try:
        reassign(
            actor,
            case,
            form.assignment_id.data or 0,
            whole_number(user_id),
        )
    except AssignmentRefused as refused:
        flash(_("Not reassigned: %(why)s", why=str(refused)))
    else:
        flash(_("Offered. Ownership moves when they accept."))
    return _back(reference)


@bp.post("/<reference>/route")
def route(reference: str) -> BaseResponse:
    actor = staff()
    case = load_case(actor, reference, need=Access.FACTS)
    form = TriageForm()
    org_id = form.organisation_id.data
    side = form.side.data if form.side.data in (ORIGIN, DESTINATION) else ORIGIN
    if (organisation_id := whole_number(org_id)) is None:
        flash(_("Choose an organisation."))
        return _back(reference)
    try:
        assign_from_triage(actor, case, organisation_id, None, side)
    except AssignmentRefused as refused:
        flash(_("Not routed: %(why)s", why=str(refused)))
    else:
        flash(_("Offered to the organisation."))
    return _back(reference)


@bp.get("/<reference>/access-log")
def access_log(reference: str) -> str:
    actor = staff()
    case = load_case(actor, reference, need=Access.FULL)
    return render_template("cases/access_log.html", case=case, log=read_access_log(actor, case))
