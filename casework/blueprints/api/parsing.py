"""Reading API requests: the complaint JSON (multipart part or whole body) and the secret."""

from __future__ import annotations

import json
from typing import Any

from flask import abort, request
from flask_babel import gettext as _

from casework.error_pages import api_error

SECRET_HEADER = "X-Complaint-Secret"  # noqa: S105 - a header name
# A complaint nests four levels (complaint → fees → payment → loan); anything far deeper is
# not a complaint, and 10,000 levels would exhaust Python's recursion limit.
MAX_JSON_DEPTH = 32


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
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        abort(api_error(400, _("The request body is not valid JSON.")))
    except RecursionError:  # thousands of nested brackets: the parser gives up before we do
        too_deep = True
    else:
        too_deep = _depth(value) > MAX_JSON_DEPTH
    if too_deep:
        abort(
            api_error(
                400,
                _(
                    "The JSON is nested too deeply (at most %(limit)s levels).",
                    limit=MAX_JSON_DEPTH,
                ),
            )
        )
    return value


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in `value`, counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def secret_header() -> str:
    """The secret as the worker's app typed it. HTTP carries header bytes that WSGI hands over
    as Latin-1; a secret typed in Arabic-Indic, Persian or Devanagari digits arrives as UTF-8,
    so it is read as UTF-8 again, and then normalised exactly like the web form's field."""
    raw = request.headers.get(SECRET_HEADER, "")
    try:
        return raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return raw
