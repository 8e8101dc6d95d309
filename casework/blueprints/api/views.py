"""API v1 views: parse, call the same services as the web form, answer JSON."""

from __future__ import annotations

from typing import Any

from flask import abort, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from casework.blueprints.api import bp
from casework.blueprints.api.openapi import openapi_document
from casework.blueprints.api.parsing import complaint_json, message_json, secret_header
from casework.blueprints.intake.uploads import uploaded_files
from casework.error_pages import api_error
from casework.extensions import limiter
from casework.i18n import use_language
from casework.models import Case
from casework.services.errors import EvidenceRejected, InvalidInput
from casework.services.followup.operations import (
    add_worker_evidence,
    add_worker_message,
    authenticate_followup,
    followup_view,
)
from casework.services.intake.operations import lodge_complaint
from casework.services.intake.references import normalise_reference
from casework.services.intake.submissions import ReceiptUnavailable, SubmissionReused, strong_key

IDEMPOTENCY_KEY = "Idempotency-Key"
KEY_RULE = _l(
    "Idempotency-Key must be a random value of at least 128 bits and at most 128 characters "
    "from A-Z, a-z, 0-9, '-' and '_' (for example 22 or more base64url characters, or 32 hex "
    "digits)."
)


def _reference_key() -> str:
    reference = (request.view_args or {}).get("reference", "")
    return f"{request.remote_addr}:{normalise_reference(reference) or 'invalid'}"


def _failed() -> bool:
    return bool(g.get("followup_failed"))


followup_limits = [
    limiter.limit("60 per hour;20 per minute"),
    limiter.limit("5 per 15 minutes", key_func=_reference_key, deduct_when=lambda r: _failed()),
]


def _with_limits(view: Any) -> Any:
    for decorate in reversed(followup_limits):
        view = decorate(view)
    return view


def _authorised_case(reference: str) -> Case:
    case = authenticate_followup(reference, secret_header())
    if case is None:
        g.followup_failed = True
        abort(api_error(404, _("No complaint matches this reference and secret.")))
    use_language(case.language)
    return case


def _status_body(case: Case) -> dict[str, Any]:
    view = followup_view(case)
    return {
        "reference": view.reference,
        "status": view.status,
        "status_label": view.status_label,
        "updated_at": view.updated_at.isoformat(),
        "evidence_count": view.evidence_count,
        "messages": [
            {
                "at": m.at.isoformat(),
                "from": "worker" if m.from_worker else "caseworker",
                "text": m.text,
            }
            for m in view.messages
        ],
        # Referrals the caseworker proposes and the worker has not answered yet: a chatbot
        # asks the worker and answers on the follow-up page (or the worker does it there).
        "pending_referrals": [
            {
                "id": p.id,
                "authority": p.authority,
                "name": p.name,
                "country": p.country,
                "does": p.does,
            }
            for p in view.pending_referrals
        ],
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.post("/complaints")
@limiter.limit("30 per hour;10 per minute")
def create_complaint() -> tuple[Response, int] | Response:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not strong_key(key):
        return api_error(400, str(KEY_RULE), {IDEMPOTENCY_KEY: str(KEY_RULE)})
    payload = complaint_json()
    if isinstance(payload, dict) and isinstance(payload.get("language"), str):
        use_language(payload["language"])
    try:
        lodged = lodge_complaint(
            payload, uploaded_files("evidence"), source="api", submission_token=key
        )
    except InvalidInput as invalid:
        return api_error(422, _("Some fields need attention."), invalid.fields)
    except EvidenceRejected as rejected:
        return api_error(rejected.status, rejected.message, {"evidence": rejected.message})
    except SubmissionReused:
        message = _("This Idempotency-Key was already used for a different complaint.")
        return api_error(422, message, {IDEMPOTENCY_KEY: message})
    except ReceiptUnavailable as lodged_before:
        # The same complaint with the same key, after the window: it exists, and its holder
        # learns the reference, but the secret is never handed out again.
        message = _("This complaint was already lodged; its secret code cannot be shown again.")
        fields = {IDEMPOTENCY_KEY: message, "reference": lodged_before.reference}
        return api_error(409, message, fields)
    body = {
        "reference": lodged.reference,
        "secret": lodged.secret,
        "status": lodged.status,
        "language": lodged.language,
    }
    return jsonify(body), 201


@bp.get("/complaints/<reference>")
@_with_limits
def complaint_status(reference: str) -> Response:
    return jsonify(_status_body(_authorised_case(reference)))


@bp.post("/complaints/<reference>/messages")
@_with_limits
def add_message(reference: str) -> tuple[Response, int] | Response:
    case = _authorised_case(reference)
    payload = message_json()
    text = payload.get("message") if isinstance(payload, dict) else None
    try:
        add_worker_message(case, text)
    except InvalidInput as invalid:
        return api_error(422, _("Some fields need attention."), invalid.fields)
    return jsonify(_status_body(case)), 201


@bp.post("/complaints/<reference>/evidence")
@_with_limits
def add_evidence(reference: str) -> tuple[Response, int] | Response:
    case = _authorised_case(reference)
    files = uploaded_files("evidence")
    if not files:
        return api_error(
            422, _("Send at least one file in 'evidence' parts."), {"evidence": _("Required.")}
        )
    try:
        add_worker_evidence(case, files)
    except EvidenceRejected as rejected:
        return api_error(rejected.status, rejected.message, {"evidence": rejected.message})
    return jsonify(_status_body(case)), 201
