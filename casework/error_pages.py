"""Error answers: JSON under /api/, a page in the worker's language everywhere else.

HTTP errors and the domain's own exceptions (casework.services.errors) both end here, so a
service never speaks HTTP and every kind of failure has one answer.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

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
    500: _l("Something went wrong on our side. Nothing you sent was lost; please try again later."),
}
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
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    body = {
        "error": {"code": CODES.get(status, "error"), "message": message, "fields": fields or {}}
    }
    response = jsonify(body)
    response.status_code = status
    return response


def _handle_http(error: HTTPException) -> Response | tuple[str, int]:
    status = error.code or 500
    # Werkzeug's own descriptions are English: anything we have no words for gets the
    # translated message of its class (4xx: the request, 5xx: our side).
    fallback = MESSAGES[500] if status >= 500 else MESSAGES[400]
    message = str(MESSAGES.get(status, fallback))
    if isinstance(error, CSRFError):
        message = str(
            _l(
                "This form was open too long or came from elsewhere. Please go back, reload it and send again."
            )
        )
    if wants_json():
        response = api_error(status, message)
    else:
        response = make_response(
            render_template("errors/error.html", status=status, message=message), status
        )
    # Keep the headers Werkzeug's exception carries: above all `Allow` on a 405 (RFC 9110:
    # the methods the resource does support, from MethodNotAllowed.valid_methods).
    for name, value in error.get_headers(request.environ):
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _handle_unexpected(error: Exception) -> Response | tuple[str, int]:
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


def _handle_domain(error: DomainError) -> Response | tuple[str, int]:
    """A domain exception no view turned into something better: its standard answer."""
    status = _status_of(error)
    if status == 500:
        return _handle_unexpected(error)
    if isinstance(error, InvalidInput):
        message = str(_l("Some fields need attention."))
        fields = {key: str(value) for key, value in error.fields.items()}
        if wants_json():
            return api_error(status, message, fields)
        return render_template("errors/error.html", status=status, message=message), status
    if isinstance(error, EvidenceRejected):
        if wants_json():
            return api_error(status, error.message)
        return render_template("errors/error.html", status=status, message=error.message), status
    message = str(MESSAGES[status])
    if wants_json():
        return api_error(status, message)
    return render_template("errors/error.html", status=status, message=message), status


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(DomainError, _handle_domain)
    app.register_error_handler(Exception, _handle_unexpected)
