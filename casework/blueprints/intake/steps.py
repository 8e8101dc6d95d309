"""The complaint one thing per page: language, where, what happened, money, evidence, contact
and consent, then check and send. Back and Next are plain submit buttons (no JavaScript); each
press keeps this page's answers in the draft (services/intake/drafts.py), Next also checks
them. The last page lodges through the same service, idempotency and receipt as /complaint.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from casework.blueprints.intake import bp
from casework.blueprints.intake.agency_lookup import (
    FIND_AGENCY,
    offer_agencies,
    with_chosen_agency,
)
from casework.blueprints.intake.cookies import (
    DRAFT_COOKIE,
    DRAFT_COOKIE_SECONDS,
    HOLDER_COOKIE,
    HOLDER_COOKIE_SECONDS,
    RECEIPT_COOKIE,
    RECEIPT_COOKIE_SECONDS,
    set_private_cookie,
)
from casework.blueprints.intake.forms import StepComplaintForm
from casework.blueprints.intake.step_pages import (
    COMMON_QUESTIONS,
    STEP_TITLES,
    answers,
    owned_by,
    problem_links,
    step_of_field,
    with_choices,
)
from casework.blueprints.intake.uploads import uploaded_files
from casework.extensions import limiter
from casework.i18n import LANGUAGE_COOKIE, current_language
from casework.services.errors import EvidenceRejected, InvalidInput
from casework.services.evidence.held import held_files, hold_files, move_holds, release_held
from casework.services.intake.drafts import (
    Draft,
    load_draft,
    mark_sent,
    new_draft_cookie,
    save_draft,
)
from casework.services.intake.plausibility import Unusual
from casework.services.intake.steps import STEPS, check_step, lodge_steps_complaint
from casework.services.intake.submissions import ReceiptUnavailable, SubmissionReused
from casework.vocabulary.languages import LANGUAGES

# Posted names that are actions or per-request, never answers to keep.
_NOT_ANSWERS = {
    "csrf_token",
    "go",
    "add_fee",
    "remove_file",
    "confirm_unusual",
    "submission",
    "agency_choice",  # turned into the agency's name and licence number (agency_lookup.py)
}


class _Visit:
    """This request's draft, its cookie, and this browser's form cookie."""

    def __init__(self) -> None:
        self.cookie = request.cookies.get(DRAFT_COOKIE, "")
        found = load_draft(self.cookie)
        # A cookie that opens nothing: the draft expired, or was left by the quick exit.
        self.lost = bool(self.cookie) and found is None
        if found is None:
            self.cookie = new_draft_cookie()
            found = Draft(
                fields={"language": [current_language().code]},
                token=secrets.token_urlsafe(24),
            )
        self.draft = found
        self.saved = False  # the cookie is given only with a stored draft
        value = request.cookies.get(HOLDER_COOKIE, "")
        self.holder = value if 32 <= len(value) <= 64 else secrets.token_urlsafe(32)

    def form(self, step: str, posted: MultiDict[str, str] | None) -> StepComplaintForm:
        data: MultiDict[str, str] = MultiDict()
        for name, values in self.draft.fields.items():
            if posted is None or not owned_by(step, name):
                data.setlist(name, values)
        if posted is not None:
            for name in posted:
                if owned_by(step, name) or name in _NOT_ANSWERS:
                    data.setlist(name, posted.getlist(name))
        form = with_choices(StepComplaintForm(formdata=data))
        form.submission.data = self.draft.token
        return form

    def keep(self, step: str, posted: MultiDict[str, str]) -> None:
        fields = {n: v for n, v in self.draft.fields.items() if not owned_by(step, n)}
        for name in posted:
            if owned_by(step, name) and name not in _NOT_ANSWERS:
                fields[name] = posted.getlist(name)
        self.draft.fields = fields
        self.saved = save_draft(self.cookie, self.draft)

    def finish(self, response: Response) -> Response:
        if self.saved and request.cookies.get(DRAFT_COOKIE) != self.cookie:
            set_private_cookie(response, DRAFT_COOKIE, self.cookie, DRAFT_COOKIE_SECONDS)
        set_private_cookie(response, HOLDER_COOKIE, self.holder, HOLDER_COOKIE_SECONDS)
        return response


def _page(
    visit: _Visit, step: str, form: StepComplaintForm, status: int = 200, **extra: object
) -> Response:
    number = STEPS.index(step) + 1
    held = held_files(visit.draft.token, visit.holder)
    html = render_template(
        f"intake/steps/{step}.html",
        form=form,
        step=step,
        number=number,
        total=len(STEPS),
        title=STEP_TITLES[step],
        previous=STEPS[number - 2] if number > 1 else None,
        problems=problem_links(form, step),
        held=held,
        lost=visit.lost,
        answers=answers(form, held) if step == "check" else [],
        from_check=request.args.get("from") == "check",
        languages_offered=LANGUAGES.values(),
        common=COMMON_QUESTIONS,
        step_of=step_of_field,
        **extra,
    )
    return visit.finish(make_response(html, status))


def _go(visit: _Visit, step: str) -> Response:
    return visit.finish(redirect(url_for("intake.complaint_step", step=step), 303))


@bp.get("/complaint/steps")
def complaint_steps() -> Response:
    """The way in: the first step (the start page's button)."""
    return redirect(url_for("intake.complaint_step", step=STEPS[0]), 303)


@bp.route("/complaint/step/<step>", methods=["GET", "POST"])
@limiter.limit("150 per hour", methods=["POST"])
def complaint_step(step: str) -> Response:
    if step not in STEPS:
        abort(404)
    visit = _Visit()
    if visit.draft.sent:  # a second tap of "Send" (or Back to it): the same receipt
        return _receipt(visit)
    if request.method == "GET":
        return _page(visit, step, visit.form(step, None))
    posted = with_chosen_agency(request.form) if step == "where" else request.form
    form = visit.form(step, posted)
    if not form.validate():  # the form's CSRF token expired: the draft is still here
        return _page(visit, step, form, 400)
    visit.keep(step, posted)
    number = STEPS.index(step)
    if step == "language":
        return _language_chosen(visit, form)
    refused = None
    if step == "evidence":
        refused = hold_files(visit.draft.token, visit.holder, uploaded_files("evidence"))
        if refused is not None:
            form.evidence.errors = [refused.message]
        if form.remove_file.data:
            release_held(visit.draft.token, visit.holder, form.remove_file.data)
            return _page(visit, step, form, refused.status if refused else 200, focus_files=True)
    if step == "money" and form.add_fee.data:
        form.fees.append_entry()
        with_choices(form)
        return _page(visit, step, form, focus_fee=True)
    if step == "where" and posted.get("go") == FIND_AGENCY:
        return _page(visit, step, form, agency_note=offer_agencies(form))
    if posted.get("go") == "back":
        return _go(visit, STEPS[max(number - 1, 0)])
    if refused is not None:
        return _page(visit, step, form, refused.status)
    if step == "check":
        return _send(visit, form)
    errors, warnings = check_step(step, form.to_payload())
    if errors:
        form.show_errors(errors)
        return _page(visit, step, form, 422)
    if warnings and not form.confirm_unusual.data:
        form.show_unusual(warnings)
        return _page(visit, step, form, 422)
    if warnings:
        visit.draft.confirmed = sorted(set(visit.draft.confirmed) | set(warnings))
        save_draft(visit.cookie, visit.draft)
    following = "check" if request.args.get("from") == "check" else STEPS[number + 1]
    return _go(visit, following)


def _language_chosen(visit: _Visit, form: StepComplaintForm) -> Response:
    code = form.language.data or ""
    if code not in LANGUAGES:
        form.language.errors = [_("Please choose a language.")]
        return _page(visit, "language", form, 422)
    response = _go(visit, "check" if request.args.get("from") == "check" else STEPS[1])
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["LANGUAGE_COOKIE_SECURE"],
        httponly=True,
    )
    return response


def _send(visit: _Visit, form: StepComplaintForm) -> Response:
    token = visit.draft.token
    try:
        lodge_steps_complaint(
            form.to_payload(),
            token,
            visit.holder,
            visit.draft.confirmed,
            bool(form.confirm_unusual.data),
        )
    except InvalidInput as invalid:
        form.show_errors(invalid.fields)
        return _page(visit, "check", form, 422)
    except Unusual as unusual:
        form.show_unusual(unusual.fields)
        return _page(visit, "check", form, 422)
    except EvidenceRejected as rejected:
        form.form_errors.append(rejected.message)
        return _page(visit, "check", form, rejected.status)
    except SubmissionReused:
        # Sent already, then changed: a new key makes the next press a new complaint.
        visit.draft.token = secrets.token_urlsafe(24)
        move_holds(token, visit.draft.token, visit.holder)
        save_draft(visit.cookie, visit.draft)
        form.form_errors.append(
            _(
                "You already sent this complaint. If you changed something and want to send it as a new complaint, press “Send my complaint” again."
            )
        )
        return _page(visit, "check", form, 422)
    except ReceiptUnavailable:
        pass  # lodged before: the receipt page shows the reference, not the secret
    mark_sent(visit.cookie, visit.draft)
    return _receipt(visit)


def _receipt(visit: _Visit) -> Response:
    """Post/redirect/get to the receipt; the draft's cookie goes (its answers are gone)."""
    response = redirect(url_for("intake.receipt"), 303)
    set_private_cookie(response, RECEIPT_COOKIE, visit.draft.token, RECEIPT_COOKIE_SECONDS)
    set_private_cookie(response, HOLDER_COOKIE, visit.holder, HOLDER_COOKIE_SECONDS)
    response.delete_cookie(
        DRAFT_COOKIE,
        path="/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )
    return response
