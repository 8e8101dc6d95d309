"""Error answers: JSON under /api/, a page in the worker's language everywhere else.

HTTP errors and the domain's own exceptions (casework.services.errors) both end here, so a
service never speaks HTTP and every kind of failure has one answer. A dependency that is down
(casework.outages: the database, the evidence store, the key ring; the limiter's storage
raises 503 itself) answers 503 with `Retry-After` and says plainly that nothing was received.

The error path never touches the database: pages are rendered without the app's context
processors (Flask-Login's would load the signed-in user, the notifications badge counts rows),
and staff get a page of their own that needs nothing but the template.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, jsonify, make_response, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.wrappers import Response

from casework.outages import RETRY_AFTER_SECONDS, unavailable_dependency
from casework.services.errors import (
    CaseChanged,
    DomainError,
    EvidenceRejected,
    InvalidInput,
    NotFound,
    NotPermitted,
)

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("Something in the request was not right. Please go back and try again."),
    403: _l("You cannot open this page."),
    404: _l("We could not find this page."),
    405: _l("This page cannot be used this way."),
    409: _l("Someone changed this case while you were working on it"),
    413: _l("What you sent is too large. Please send fewer or smaller files."),
    415: _l("This type of file is not accepted."),
    429: _l("Too many attempts. Please wait a little and try again."),
    500: _l("Something went wrong on our side. Please try again in a few minutes."),
}
# A 500 after something was sent: the one request's transaction was rolled back, unless the
# failure came after its commit, so "nothing was kept" would not always be true.
SENT_MAY_BE_LOST = _l(
    "Something went wrong on our side, and what you sent may not have been received. Please try again in a few minutes."
)
CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}

# 503: nothing was stored (one transaction per request, rolled back; blobs discarded).
NOT_RECEIVED = {
    "intake.complaint": _l(
        "Your complaint was NOT received. Please try again in a few minutes. Nothing you sent was kept."
    ),
    "intake.followup_message": _l(
        "Your message was NOT sent. Please try again in a few minutes. Nothing you sent was kept."
    ),
    "intake.followup_evidence": _l(
        "Your files were NOT received. Please try again in a few minutes. Nothing you sent was kept."
    ),
    "intake.followup_referral": _l(
        "Your answer was NOT received. Please try again in a few minutes. Nothing was changed."
    ),
    "intake.followup": _l(
        "We cannot check your reference and secret code right now. Please try again in a few minutes."
    ),
}
NOT_RECEIVED["api.create_complaint"] = NOT_RECEIVED["intake.complaint"]
NOT_RECEIVED["api.add_message"] = NOT_RECEIVED["intake.followup_message"]
NOT_RECEIVED["api.add_evidence"] = NOT_RECEIVED["intake.followup_evidence"]
SENT_NOT_RECEIVED = _l(
    "What you sent was NOT received. Please try again in a few minutes. Nothing you sent was kept."
)
PAGE_UNAVAILABLE = _l(
    "This page cannot be shown right now because of a problem on our side. Please try again in a few minutes."
)
WORKER_BLUEPRINTS = frozenset({"intake", None})
JSON_BLUEPRINTS = frozenset({"api", "health"})


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.blueprint in JSON_BLUEPRINTS


def api_error(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    body = {
        "error": {"code": CODES.get(status, "error"), "message": message, "fields": fields or {}}
    }
    response = jsonify(body)
    response.status_code = status
    return response


def render_error_page(template: str, status: int, **context: Any) -> Response:
    """Render `template` with only what it names: no context processor runs, so nothing here
    loads the signed-in user or reads the database."""
    from casework.i18n import template_context

    html = current_app.jinja_env.get_template(template).render(
        **template_context(), status=status, **context
    )
    response = make_response(html, status)
    response.mimetype = "text/html"
    return response


def _sending() -> bool:
    return request.method not in {"GET", "HEAD", "OPTIONS"}


def _handle_http(error: HTTPException) -> Response:
    status = error.code or 500
    if status == 503:
        return _unavailable_response(error)
    # Werkzeug's own descriptions are English: anything we have no words for gets the
    # translated message of its class (4xx: the request, 5xx: our side).
    fallback = MESSAGES[500] if status >= 500 else MESSAGES[400]
    message = str(MESSAGES.get(status, fallback))
    if status >= 500 and _sending():
        message = str(SENT_MAY_BE_LOST)
    if isinstance(error, CSRFError):
        message = str(
            _l(
                "This form was open too long or came from elsewhere. Please go back, reload it and send again."
            )
        )
    if wants_json():
        response = api_error(status, message)
    else:
        response = render_error_page("errors/error.html", status, message=message)
    _copy_headers(error, response)
    return response


def _copy_headers(error: HTTPException, response: Response) -> None:
    # Keep the headers Werkzeug's exception carries: above all `Allow` on a 405 (RFC 9110:
    # the methods the resource does support, from MethodNotAllowed.valid_methods) and
    # `Retry-After` on a 503.
    for name, value in error.get_headers(request.environ):
        if name.lower() != "content-type":
            response.headers[name] = value


def _unavailable_response(error: HTTPException) -> Response:
    """503: in JSON for the API, in the worker's language on worker pages, and a page of its
    own for staff. Each says that nothing sent in this request was kept."""
    if _sending():
        message = str(NOT_RECEIVED.get(request.endpoint or "", SENT_NOT_RECEIVED))
    else:
        message = str(PAGE_UNAVAILABLE)
    if wants_json():
        response = api_error(503, message)
    elif request.blueprint in WORKER_BLUEPRINTS:
        response = render_error_page("errors/error.html", 503, message=message)
    else:
        response = _staff_unavailable_page()
    _copy_headers(error, response)
    response.headers.setdefault("Retry-After", str(_retry_after()))
    response.headers["Cache-Control"] = "no-store"
    return response


def _staff_unavailable_page() -> Response:
    try:
        return render_error_page("errors/staff_unavailable.html", 503, sending=_sending())
    except Exception:  # the last resort must not fail: plain words, no template
        log.exception("the staff 503 page could not be rendered")
        html = (
            "<!doctype html><title>503</title><h1>Service temporarily unavailable</h1>"
            "<p>Nothing you sent was saved. Please try again in a few minutes.</p>"
        )
        return make_response(html, 503)


def _retry_after() -> int:
    return int(current_app.config.get("UNAVAILABLE_RETRY_AFTER", RETRY_AFTER_SECONDS))


def _handle_unexpected(error: Exception) -> Response:
    dependency = unavailable_dependency(error)
    if dependency is not None:
        # The type and dependency only: messages can carry paths, DSNs or submitted data.
        log.warning(
            "%s unavailable (%s) on %s %s: answered 503",
            dependency,
            type(error).__name__,
            request.method,
            request.endpoint,
        )
        return _unavailable_response(ServiceUnavailable(retry_after=_retry_after()))
    # Log the type and place only: exception messages can carry submitted data.
    log.error("unhandled %s on %s %s", type(error).__name__, request.method, request.endpoint)
    return _handle_http(InternalServerError())


def _status_of(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, NotPermitted):
        return 403
    if isinstance(error, InvalidInput):
        return 422
    if isinstance(error, CaseChanged):
        return 409
    if isinstance(error, EvidenceRejected):
        return error.status
    return 500


def _handle_domain(error: DomainError) -> Response:
    """A domain exception no view turned into something better: its standard answer."""
    status = _status_of(error)
    if status == 500:
        return _handle_unexpected(error)
    if isinstance(error, InvalidInput):
        message = str(_l("Some fields need attention."))
        fields = {key: str(value) for key, value in error.fields.items()}
        if wants_json():
            return api_error(status, message, fields)
        return render_error_page("errors/error.html", status, message=message)
    if isinstance(error, EvidenceRejected):
        if wants_json():
            return api_error(status, error.message)
        return render_error_page("errors/error.html", status, message=error.message)
    message = str(MESSAGES[status])
    if wants_json():
        return api_error(status, message)
    return render_error_page("errors/error.html", status, message=message)


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(DomainError, _handle_domain)
    app.register_error_handler(Exception, _handle_unexpected)
