"""Working the file: staff evidence, the facts, duplicates and merges, reminders, reply
templates. Each view loads the case through `load_case`, calls one service, and redirects."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from casework.blueprints.cases import bp
from casework.blueprints.cases.page import conflict_response, render_case_page
from casework.blueprints.intake.uploads import uploaded_files
from casework.services.casefile.access import Access, load_case
from casework.services.casefile.facts import FACT_LABELS, current_facts, edit_facts
from casework.services.casefile.links import (
    LinkRefused,
    link_duplicate,
    merge_cases,
    merge_check,
)
from casework.services.casefile.page import case_page
from casework.services.casefile.reading import evidence_item
from casework.services.casefile.reminders import (
    add_reminder,
    complete_reminder,
    due_count,
    due_reminders,
)
from casework.services.casefile.replies import template_for
from casework.services.casefile.staff_evidence import add_staff_evidence
from casework.services.errors import CaseChanged, CaseNotFound, EvidenceRejected, InvalidInput
from casework.services.intake.operations import known_country_codes
from casework.services.validation import whole_number
from casework.staff_session import staff
from casework.vocabulary.abuse import ABUSE_CODES
from casework.vocabulary.fees import RECRUITMENT_CHANNELS
from casework.vocabulary.languages import LANGUAGES

Page = str | BaseResponse | tuple[str, int]


@bp.app_context_processor
def _reminders_badge() -> dict[str, Callable[[], int]]:
    """`reminders_due()` for the staff nav: a function, so pages without it run no query."""

    def reminders_due() -> int:
        if not current_user.is_authenticated:
            return 0
        return due_count(int(current_user.id))

    return {"reminders_due": reminders_due}


def _back(reference: str, anchor: str = "") -> BaseResponse:
    return redirect(url_for("cases.detail", reference=reference, _anchor=anchor or None))


def _version() -> int:
    version = whole_number(request.form.get("version", ""))
    return -1 if version is None else version


def _seen() -> int:
    return whole_number(request.form.get("seen_event", "")) or 0


@bp.post("/<reference>/evidence")
def add_evidence(reference: str) -> BaseResponse:
    actor = staff()
    case = load_case(actor, reference, need=Access.FULL)
    try:
        count = add_staff_evidence(actor, case, uploaded_files("evidence"))
    except EvidenceRejected as rejected:
        flash(rejected.message)
        return _back(reference, "evidence")
    if count:
        flash(_("Files added: %(count)s. They are encrypted like the worker's.", count=count))
    else:
        flash(_("Please choose at least one file."))
    return _back(reference, "evidence")


@bp.route("/<reference>/facts", methods=["GET", "POST"])
def facts(reference: str) -> Page:
    actor = staff()
    case = load_case(actor, reference, need=Access.FULL)
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    chosen = case.abuse_codes
    status = 200
    if request.method == "POST":
        chosen = request.form.getlist("abuse_codes")
        try:
            changes = edit_facts(actor, case, request.form, chosen, _version())
        except CaseChanged:
            return conflict_response(
                actor, case, _seen(), _("Your changes to the facts were not saved."), ""
            )
        except InvalidInput as invalid:
            typed = request.form.to_dict()
            errors = {key: str(value) for key, value in invalid.fields.items()}
            status = 422
        else:
            if changes:
                flash(
                    _(
                        "Facts saved: %(fields)s.",
                        fields=", ".join(str(FACT_LABELS[c.field]) for c in changes),
                    )
                )
            else:
                flash(_("Nothing changed."))
            return _back(reference)
    values = {**current_facts(case), **typed}
    return render_template(
        "cases/facts.html",
        case=case,
        values=values,
        errors=errors,
        chosen=set(chosen),
        labels=FACT_LABELS,
        countries=sorted(known_country_codes()),
        languages=LANGUAGES,
        abuse_codes=sorted(ABUSE_CODES),
        channels=RECRUITMENT_CHANNELS,
        seen_event=max((e.id for e in case.events), default=0),
    ), status


@bp.post("/<reference>/links")
def link(reference: str) -> BaseResponse:
    actor = staff()
    case = load_case(actor, reference, need=Access.FULL)
    other = request.form.get("other", "")
    if request.form.get("merge"):
        return redirect(url_for("cases.merge", reference=reference, other=other.strip().upper()))
    try:
        linked = link_duplicate(actor, case, other)
    except CaseNotFound:
        flash(_("No case with that reference that you can open."))
    except LinkRefused:
        flash(_("These cases cannot be linked: they are the same case or already linked."))
    else:
        flash(_("Linked as duplicates: %(other)s.", other=linked.reference))
    return _back(reference, "links")


@bp.route("/<reference>/merge", methods=["GET", "POST"])
def merge(reference: str) -> Page:
    actor = staff()
    kept = load_case(actor, reference, need=Access.FULL)
    other = (request.values.get("other") or "").strip().upper()
    try:
        merged = merge_check(actor, kept, other)
    except CaseNotFound:
        flash(_("No case with that reference that you can open."))
        return _back(reference, "links")
    except LinkRefused:
        flash(_("These cases cannot be merged: they are the same case or one was merged already."))
        return _back(reference, "links")
    if request.method == "GET":
        return render_template("cases/merge.html", kept=kept, merged=merged)
    try:
        merge_cases(actor, kept, other, _version())
    except CaseChanged:
        return conflict_response(actor, kept, _seen(), _("The cases were not merged."), "")
    flash(_("%(merged)s was merged into this case and closed.", merged=merged.reference))
    return _back(reference)


@bp.post("/<reference>/reminders")
def remind(reference: str) -> Page:
    actor = staff()
    case = load_case(actor, reference, need=Access.FULL)
    try:
        add_reminder(actor, case, request.form.get("due_on", ""), request.form.get("note", ""))
    except InvalidInput as invalid:
        flash(" ".join(str(message) for message in invalid.fields.values()))
    else:
        flash(_("Reminder set."))
    return _back(reference, "reminders")


@bp.post("/<reference>/reminders/<int:reminder_id>/done")
def reminder_done(reference: str, reminder_id: int) -> BaseResponse:
    actor = staff()
    case = load_case(actor, reference, need=Access.FULL)
    complete_reminder(actor, case, reminder_id)  # not theirs: 404
    flash(_("Reminder done."))
    if request.form.get("back") == "due":
        return redirect(url_for("cases.reminders"))
    return _back(reference, "reminders")


@bp.get("/reminders")
def reminders() -> str:
    return render_template("cases/reminders.html", reminders=due_reminders(staff()))


@bp.get("/<reference>/reply")
def reply(reference: str) -> str:
    """The case page with the chosen template's text in the message box, ready to edit."""
    actor = staff()
    case = load_case(actor, reference, need=Access.FULL)
    chosen = whole_number(request.args.get("template", ""))
    template = template_for(chosen, case.language)
    page = case_page(actor, case)
    return render_case_page(
        page,
        message_text=template.body if template else None,
        chosen_reply=template.id if template else None,
    )


@bp.get("/<reference>/evidence/<int:evidence_id>/show")
def show_evidence(reference: str, evidence_id: int) -> str:
    """A page around the preview (the preview itself is fetched, and audited, from the
    evidence route), with the original's download beside it."""
    actor = staff()
    case = load_case(actor, reference, need=Access.FULL)
    return render_template(
        "cases/evidence_show.html", case=case, item=evidence_item(case, evidence_id)
    )
