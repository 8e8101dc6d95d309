"""Referrals on the case page: propose, record consent, advance, print the pack. Thin views;
every case is loaded through `load_case` with full access."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from casework.blueprints.cases import bp
from casework.models import Case, Referral
from casework.services.casefile.access import load_case
from casework.services.errors import InvalidInput
from casework.services.referrals.changes import ReferralRefused
from casework.services.referrals.operations import (
    NEXT,
    advance_referral,
    record_consent,
    referral_for_case,
    staff_proposes_referral,
)
from casework.services.referrals.pack import IDENTITY_LABELS, build_referral_pack
from casework.services.validation import whole_number
from casework.staff_session import staff
from casework.vocabulary.fees import (
    CONTACT_CHANNELS,
    FEE_CATEGORIES,
    PAYEE_KINDS,
    RECRUITMENT_CHANNELS,
)
from casework.vocabulary.forums import ABUSE_LABELS, FORUM_KINDS, REFERRAL_STATUS_LABELS
from casework.vocabulary.labels import STATUS_LABELS
from casework.vocabulary.outcomes import OUTCOMES

DECISION_FIELDS = ("outcome_code", "amount_awarded", "amount_enforced", "currency")


@bp.context_processor
def _referral_vocabulary() -> dict[str, Any]:
    return {
        "forum_kinds": FORUM_KINDS,
        "referral_status_labels": REFERRAL_STATUS_LABELS,
        "referral_next": NEXT,
        "referral_outcomes": OUTCOMES,
    }


def _referral(case: Case, referral_id: int) -> Referral:
    referral = referral_for_case(case, referral_id)
    if referral is None:
        abort(404)
    return referral


def _back(reference: str) -> BaseResponse:
    return redirect(url_for("cases.detail", reference=reference, _anchor="referrals"))


def _pathway_id() -> int | None:
    raw = request.form.get("pathway_id", "")
    return whole_number(raw)


@bp.post("/<reference>/referrals")
def propose_referral(reference: str) -> BaseResponse:
    actor = staff()
    case = load_case(actor, reference)
    try:
        staff_proposes_referral(actor, case, _pathway_id())
    except ReferralRefused as refused:
        flash(str(refused))
    else:
        flash(_("Referral proposed. The worker is asked on their follow-up page."))
    return _back(reference)


@bp.post("/<reference>/referrals/<int:referral_id>/consent")
def referral_consent(reference: str, referral_id: int) -> BaseResponse:
    actor = staff()
    case = load_case(actor, reference)
    referral = _referral(case, referral_id)
    try:
        record_consent(actor, referral, request.form.get("share_identity") == "y")
    except ReferralRefused as refused:
        flash(str(refused))
    else:
        flash(_("The worker's consent is recorded."))
    return _back(reference)


@bp.post("/<reference>/referrals/<int:referral_id>/advance")
def referral_advance(reference: str, referral_id: int) -> BaseResponse:
    actor = staff()
    case = load_case(actor, reference)
    referral = _referral(case, referral_id)
    data = {name: request.form.get(name, "") for name in DECISION_FIELDS}
    try:
        advance_referral(actor, referral, request.form.get("to", ""), **data)
    except ReferralRefused as refused:
        flash(str(refused))
    except InvalidInput as invalid:
        flash(_("Not saved: %(why)s", why=" ".join(invalid.fields.values())))
    return _back(reference)


@bp.get("/<reference>/referrals/<int:referral_id>/pack")
def referral_pack(reference: str, referral_id: int) -> str:
    actor = staff()
    case = load_case(actor, reference)
    pack = build_referral_pack(actor, case, _referral(case, referral_id))
    with force_locale(pack.language.babel_locale):
        return render_template(
            "cases/referral_pack.html",
            pack=pack,
            abuse_labels=ABUSE_LABELS,
            fee_labels=FEE_CATEGORIES,
            payee_labels=PAYEE_KINDS,
            channel_labels=RECRUITMENT_CHANNELS,
            status_labels=STATUS_LABELS,
            identity_labels=IDENTITY_LABELS,
            contact_channels=CONTACT_CHANNELS,
        )
