"""The worker's pages. Thin: read the form, call one service, render."""

from __future__ import annotations

import secrets

from flask import abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.blueprints.intake import bp
from casework.blueprints.intake.choices import country_choices, currency_choices
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
from casework.services.errors import EvidenceRejected, InvalidInput
from casework.services.followup.operations import (
    add_worker_evidence,
    add_worker_message,
    authenticate_followup,
    case_from_followup_token,
    followup_token,
    followup_view,
)
from casework.services.followup.secret import format_secret
from casework.services.intake.operations import lodge_complaint
from casework.services.intake.references import normalise_reference
from casework.services.referrals.operations import ReferralRefused, worker_answers_referral
from casework.vocabulary.languages import LANGUAGES


@bp.get("/")
def start() -> str:
    return render_template("intake/start.html")


@bp.get("/language/<code>")
def choose_language(code: str) -> Response:
    if code not in LANGUAGES:
        abort(404)
    target = request.args.get("next", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = url_for("intake.start")
    response = redirect(target)
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


@bp.route("/complaint", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def complaint() -> str | tuple[str, int]:
    form = _complaint_form()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("intake/complaint.html", form=form), 400 if form.errors else 200
    if form.add_fee.data:
        form.fees.append_entry()
        form.fees[-1].form.currency.choices = form.fees[0].form.currency.choices
        return render_template("intake/complaint.html", form=form, focus_fee=True)
    try:
        lodged = lodge_complaint(
            form.to_payload(),
            uploaded_files("evidence"),
            source="web",
            submission_token=form.submission.data,
        )
    except InvalidInput as invalid:
        form.show_errors(invalid.fields)
        return render_template("intake/complaint.html", form=form), 422
    except EvidenceRejected as rejected:
        form.evidence.errors = [rejected.message]
        return render_template("intake/complaint.html", form=form), rejected.status
    return render_template(
        "intake/receipt.html", reference=lodged.reference, secret=format_secret(lodged.secret)
    )


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
def followup() -> str | tuple[str, int]:
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
    return _render_case(case)


def _render_case(
    case: Case,
    status: int = 200,
    message_form: FollowupMessageForm | None = None,
    evidence_form: FollowupEvidenceForm | None = None,
    notice: str = "",
) -> tuple[str, int]:
    token = followup_token(case)
    message_form = message_form or FollowupMessageForm(formdata=None)
    evidence_form = evidence_form or FollowupEvidenceForm(formdata=None)
    referral_form = FollowupReferralForm(formdata=None)
    message_form.token.data = evidence_form.token.data = referral_form.token.data = token
    return render_template(
        "intake/followup.html",
        view=followup_view(case),
        message_form=message_form,
        evidence_form=evidence_form,
        referral_form=referral_form,
        notice=notice,
    ), status


def _case_from_token(token: str | None) -> Case:
    case = case_from_followup_token(token or "")
    if case is None:
        abort(make_response(render_template("intake/followup_expired.html"), 403))
    return case


@bp.post("/follow-up/message")
@limiter.limit("30 per hour")
def followup_message() -> tuple[str, int]:
    form = FollowupMessageForm()
    if not form.validate_on_submit():
        abort(400)
    case = _case_from_token(form.token.data)
    try:
        add_worker_message(case, form.message.data)
    except InvalidInput as invalid:
        form.message.errors = list(invalid.fields.values())
        return _render_case(case, 422, message_form=form)
    return _render_case(case, notice=_("Your message was sent."))


@bp.post("/follow-up/evidence")
@limiter.limit("30 per hour")
def followup_evidence() -> tuple[str, int]:
    form = FollowupEvidenceForm()
    if not form.validate_on_submit():
        abort(400)
    case = _case_from_token(form.token.data)
    try:
        count = add_worker_evidence(case, uploaded_files("evidence"))
    except EvidenceRejected as rejected:
        form.evidence.errors = [rejected.message]
        return _render_case(case, rejected.status, evidence_form=form)
    if count == 0:
        form.evidence.errors = [_("Please choose at least one file.")]
        return _render_case(case, 422, evidence_form=form)
    return _render_case(case, notice=_("Your files were received."))


@bp.post("/follow-up/referral")
@limiter.limit("30 per hour")
def followup_referral() -> tuple[str, int]:
    form = FollowupReferralForm()
    if not form.validate_on_submit():
        abort(400)
    case = _case_from_token(form.token.data)
    if not (form.agree.data or form.refuse.data):
        abort(400)
    raw_id = form.referral_id.data or ""
    agree = bool(form.agree.data)
    try:
        worker_answers_referral(
            case, int(raw_id) if raw_id.isdigit() else 0, agree, bool(form.share_identity.data)
        )
    except ReferralRefused:
        return _render_case(case, 409, notice=_("This question has already been answered."))
    if agree:
        return _render_case(case, notice=_("Thank you. Your caseworker will send your case."))
    return _render_case(case, notice=_("Thank you. Your case will not be sent to them."))
