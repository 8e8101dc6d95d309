"""Reading API requests: the complaint JSON (multipart part or whole body) and the secret."""

from __future__ import annotations

import json
from typing import Any

from flask import abort, request
from flask_babel import gettext as _

from casework.error_pages import api_error

SECRET_HEADER = "X-Complaint-Secret"  # noqa: S105 - a header name


def complaint_json() -> Any:
    """The `complaint` part of a multipart request, or a JSON body; aborts 400 if malformed."""
    if request.mimetype == "multipart/form-data":
        raw: str | bytes | None = request.form.get("complaint")
        if raw is None and "complaint" in request.files:
            raw = request.files["complaint"].stream.read()
        if raw is None:
            abort(api_error(400, _("The request has no 'complaint' part.")))
    elif request.mimetype == "application/json":
        raw = request.get_data(cache=False)
    else:
        abort(
            api_error(
                415, _("Send multipart/form-data with a 'complaint' part, or application/json.")
            )
        )
    return _loads(raw)


def message_json() -> Any:
    if request.mimetype == "application/json":
        return _loads(request.get_data(cache=False))
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return {"message": request.form.get("message")}
    abort(api_error(415, _("Send application/json.")))


def _loads(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        abort(api_error(400, _("The request body is not valid JSON.")))


def secret_header() -> str:
    return request.headers.get(SECRET_HEADER, "")
