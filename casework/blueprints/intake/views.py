"""The worker's pages. Thin: read the form, call one service, render."""

from __future__ import annotations

import secrets

from flask import abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from casework.blueprints.intake import bp
from casework.blueprints.intake.choices import country_choices, currency_choices
from casework.blueprints.intake.cookies import (
    DRAFT_COOKIE,
    FOLLOWUP_COOKIE,
    HOLDER_COOKIE,
    HOLDER_COOKIE_SECONDS,
    RECEIPT_COOKIE,
    RECEIPT_COOKIE_SECONDS,
    forget_worker_cookies,
    set_private_cookie,
)
from casework.blueprints.intake.forms import (
    ComplaintForm,
    FollowupEvidenceForm,
    FollowupLoginForm,
    FollowupMessageForm,
    FollowupReferralForm,
)
from casework.blueprints.intake.uploads import uploaded_files
from casework.extensions import limiter
from casework.i18n import LANGUAGE_COOKIE, current_language
from casework.models import Case
from casework.redirects import safe_next
from casework.services.errors import EvidenceRejected, InvalidInput
from casework.services.evidence.held import held_files, hold_files, move_holds, release_held
from casework.services.followup.operations import (
    add_worker_evidence,
    add_worker_message,
    authenticate_followup,
    followup_view,
)
from casework.services.followup.secret import format_secret
from casework.services.followup.sessions import (
    end_followup_session,
    followup_session_case,
    start_followup_session,
)
from casework.services.intake.drafts import discard_draft
from casework.services.intake.plausibility import Unusual
from casework.services.intake.references import normalise_reference
from casework.services.intake.submissions import (
    ReceiptUnavailable,
    SubmissionReused,
    forget_secret,
    strong_key,
)
from casework.services.intake.submissions import receipt as submission_receipt
from casework.services.intake.web_form import lodge_form_complaint
from casework.services.referrals.changes import ReferralRefused
from casework.services.referrals.operations import worker_answers_referral
from casework.services.settings.site_settings import PUBLIC_AGENCY_CHECK, is_on
from casework.vocabulary.languages import LANGUAGES


@bp.get("/")
def start() -> str:
    return render_template("intake/start.html", agency_check=is_on(PUBLIC_AGENCY_CHECK))


@bp.get("/language/<code>")
def choose_language(code: str) -> Response:
    if code not in LANGUAGES:
        abort(404)
    response = redirect(safe_next(request.args.get("next"), url_for("intake.start")))
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["LANGUAGE_COOKIE_SECURE"],
        httponly=True,
    )
    return response


def _complaint_form() -> ComplaintForm:
    form = ComplaintForm()
    form.origin_country.choices = country_choices(origin=True)
    form.destination_country.choices = country_choices(origin=False)
    currencies = currency_choices()
    form.promised_wage_currency.choices = currencies
    form.actual_wage_currency.choices = currencies
    for entry in form.fees:
        entry.form.currency.choices = currencies
    if not form.language.data:
        form.language.data = current_language().code
    if not form.submission.data:
        form.submission.data = secrets.token_urlsafe(24)
    return form


def _holder() -> str:
    """This browser's random value from the complaint form's cookie, or a new one."""
    value = request.cookies.get(HOLDER_COOKIE, "")
    return value if 32 <= len(value) <= 64 else secrets.token_urlsafe(32)


def _form_page(form: ComplaintForm, holder: str, status: int = 200, **extra: object) -> Response:
    token = form.submission.data or ""
    held = held_files(token, holder) if strong_key(token) else []
    response = make_response(
        render_template("intake/complaint.html", form=form, held=held, **extra), status
    )
    if request.cookies.get(HOLDER_COOKIE) != holder:
        set_private_cookie(response, HOLDER_COOKIE, holder, HOLDER_COOKIE_SECONDS)
    return response


@bp.route("/complaint", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def complaint() -> Response:
    form = _complaint_form()
    holder = _holder()
    if request.method == "GET" or not form.validate_on_submit():
        return _form_page(form, holder, 400 if form.errors else 200)
    token = form.submission.data or ""
    if not strong_key(token):  # our form always sends a fresh random key
        abort(400)
    # Whatever happens next, the files that came with this request are kept for the form.
    refused = hold_files(token, holder, uploaded_files("evidence"))
    if refused is not None:
        form.evidence.errors = [refused.message]
    if form.remove_file.data:
        release_held(token, holder, form.remove_file.data)
        return _form_page(form, holder, refused.status if refused else 200, focus_files=True)
    if form.add_fee.data:
        form.fees.append_entry()
        form.fees[-1].form.currency.choices = form.fees[0].form.currency.choices
        return _form_page(form, holder, refused.status if refused else 200, focus_fee=True)
    if refused is not None:
        return _form_page(form, holder, refused.status)
    try:
        lodge_form_complaint(form.to_payload(), token, holder, bool(form.confirm_unusual.data))
    except InvalidInput as invalid:
        form.show_errors(invalid.fields)
        return _form_page(form, holder, 422)
    except Unusual as unusual:
        form.show_unusual(unusual.fields)
        return _form_page(form, holder, 422)
    except EvidenceRejected as rejected:
        form.evidence.errors = [rejected.message]
        return _form_page(form, holder, rejected.status)
    except SubmissionReused:
        # Back, a change, and send again: this form was lodged already. A new key makes the
        # next press a new complaint, if that is what the worker wants; its files go along.
        form.submission.data = secrets.token_urlsafe(24)
        move_holds(token, form.submission.data, holder)
        form.form_errors.append(
            _(
                "You already sent this complaint. If you changed something and want to send it as a new complaint, press “Send my complaint” again."
            )
        )
        return _form_page(form, holder, 422)
    except ReceiptUnavailable:
        pass  # lodged before: the receipt page shows the reference, not the secret
    # Post/redirect/get: Back and reload never send the complaint again.
    response = redirect(url_for("intake.receipt"), 303)
    set_private_cookie(response, RECEIPT_COOKIE, token, RECEIPT_COOKIE_SECONDS)
    if request.cookies.get(HOLDER_COOKIE) != holder:
        set_private_cookie(response, HOLDER_COOKIE, holder, HOLDER_COOKIE_SECONDS)
    return response


@bp.get("/complaint/receipt")
def receipt() -> Response | str:
    """The reference, and the secret for a short while and only in the browser that sent the
    complaint; later the reference and what to do."""
    found = submission_receipt(request.cookies.get(RECEIPT_COOKIE), _holder())
    if found is None:
        return redirect(url_for("intake.start"), 303)
    return render_template(
        "intake/receipt.html",
        reference=found.reference,
        secret=format_secret(found.secret) if found.secret else None,
        files=found.files,
    )


@bp.get("/exit")
def quick_exit() -> Response:
    """Leave at once: end the follow-up session and the receipt here, ask the browser to
    forget this site's cache, cookies and storage, and go to the quick-exit address."""
    end_followup_session(request.cookies.get(FOLLOWUP_COOKIE))
    forget_secret(request.cookies.get(RECEIPT_COOKIE))
    discard_draft(request.cookies.get(DRAFT_COOKIE))
    response = redirect(current_app.config["QUICK_EXIT_URL"], 303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    forget_worker_cookies(response)
    return response


def _followup_failed_for_client() -> bool:
    return bool(g.get("followup_failed"))


def _reference_key() -> str:
    typed = normalise_reference(request.form.get("reference", "")) or "invalid"
    return f"{request.remote_addr}:{typed}"


@bp.route("/follow-up", methods=["GET", "POST"])
@limiter.limit("30 per hour;10 per minute", methods=["POST"])
@limiter.limit(
    "5 per 15 minutes",
    methods=["POST"],
    key_func=_reference_key,
    deduct_when=lambda r: _followup_failed_for_client(),
)
def followup() -> Response | str | tuple[str, int]:
    form = FollowupLoginForm()
    if not form.validate_on_submit():
        return render_template("intake/followup_login.html", form=form)
    case = authenticate_followup(form.reference.data or "", form.secret.data or "")
    if case is None:
        g.followup_failed = True
        form.secret.data = ""
        return render_template(
            "intake/followup_login.html",
            form=form,
            failed=_(
                "We could not find a complaint with this reference and secret code. Please check both and try again."
            ),
        ), 404
    response = redirect(url_for("intake.followup_case"), 303)
    set_private_cookie(response, FOLLOWUP_COOKIE, start_followup_session(case), None)
    return response


# What a finished action says on the page it redirects to (no user content in the URL).
NOTICES = {
    "message": _l("Your message was sent."),
    "files": _l("Your files were received."),
    "agreed": _l("Thank you. Your caseworker will send your case."),
    "refused": _l("Thank you. Your case will not be sent to them."),
}


def _done(what: str) -> Response:
    """Post/redirect/get: Back and reload show the page, never send the form again."""
    return redirect(url_for("intake.followup_case", done=what), 303)


@bp.get("/follow-up/case")
def followup_case() -> tuple[str, int]:
    notice = NOTICES.get(request.args.get("done", ""))
    return _render_case(_session_case(), notice=str(notice) if notice else "")


def _render_case(
    case: Case,
    status: int = 200,
    message_form: FollowupMessageForm | None = None,
    evidence_form: FollowupEvidenceForm | None = None,
    notice: str = "",
) -> tuple[str, int]:
    return render_template(
        "intake/followup.html",
        view=followup_view(case),
        message_form=message_form or FollowupMessageForm(formdata=None),
        evidence_form=evidence_form or FollowupEvidenceForm(formdata=None),
        referral_form=FollowupReferralForm(formdata=None),
        notice=notice,
    ), status


def _session_case() -> Case:
    case = followup_session_case(request.cookies.get(FOLLOWUP_COOKIE))
    if case is None:
        abort(make_response(render_template("intake/followup_expired.html"), 403))
    return case


@bp.post("/follow-up/message")
@limiter.limit("30 per hour")
def followup_message() -> Response | tuple[str, int]:
    form = FollowupMessageForm()
    if not form.validate_on_submit():
        abort(400)
    case = _session_case()
    try:
        add_worker_message(case, form.message.data)
    except InvalidInput as invalid:
        form.message.errors = list(invalid.fields.values())
        return _render_case(case, 422, message_form=form)
    return _done("message")


@bp.post("/follow-up/evidence")
@limiter.limit("30 per hour")
def followup_evidence() -> Response | tuple[str, int]:
    form = FollowupEvidenceForm()
    if not form.validate_on_submit():
        abort(400)
    case = _session_case()
    try:
        count = add_worker_evidence(case, uploaded_files("evidence"))
    except EvidenceRejected as rejected:
        form.evidence.errors = [rejected.message]
        return _render_case(case, rejected.status, evidence_form=form)
    if count == 0:
        form.evidence.errors = [_("Please choose at least one file.")]
        return _render_case(case, 422, evidence_form=form)
    return _done("files")


@bp.post("/follow-up/referral")
@limiter.limit("30 per hour")
def followup_referral() -> Response | tuple[str, int]:
    form = FollowupReferralForm()
    if not form.validate_on_submit():
        abort(400)
    case = _session_case()
    if not (form.agree.data or form.refuse.data):
        abort(400)
    raw_id = form.referral_id.data or ""
    # isdecimal, not isdigit: int("²") raises; and int() refuses over 4,300 digits.
    referral_id = int(raw_id) if raw_id.isdecimal() and len(raw_id) < 19 else 0
    agree = bool(form.agree.data)
    try:
        worker_answers_referral(case, referral_id, agree, bool(form.share_identity.data))
    except ReferralRefused:
        return _render_case(case, 409, notice=_("This question has already been answered."))
    return _done("agreed" if agree else "refused")
