"""Structured logs: one JSON object per line, each with the request id of the request it
belongs to, and one access line per request.

Every request gets an id: a sane `X-Request-ID` from the proxy (so nginx's and ours match), or a
new random one; it is echoed in the response's `X-Request-ID`. With `CASEWORK_LOG_FORMAT=json`
(make serve sets it) every log record becomes a JSON line:

    {"time": "...Z", "level": "INFO", "logger": "casework.request", "message": "request",
     "request_id": "...", "method": "POST", "path": "/api/v1/complaints/<reference>",
     "endpoint": "api.status", "status": 404, "duration_ms": 12.3}

No personal data: the access line names the route's template (never the path with its case
reference, never the query string, body, cookies or client address); an exception is logged as
its type and stack frames, without its message, which can quote submitted data.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, has_request_context, request
from werkzeug.wrappers import Response

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
_ID_KEY = "casework.request_id"
_START_KEY = "casework.request_start"
ACCESS_LOGGER = "casework.request"
# The fields an access line may carry (`extra=`), in the order they are written.
ACCESS_FIELDS = ("method", "path", "endpoint", "status", "duration_ms")

access_log = logging.getLogger(ACCESS_LOGGER)


def current_request_id() -> str | None:
    if not has_request_context():
        return None
    value = request.environ.get(_ID_KEY)
    return value if isinstance(value, str) else None


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[
                :-3
            ]
            + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, trace = record.exc_info
            entry["exception"] = kind.__name__
            # Where it happened, not what it said: the message may quote submitted data.
            entry["stack"] = "".join(traceback.format_tb(trace))
        return (
            json.dumps(entry, ensure_ascii=False, default=str)
            .replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029")
        )


class _JsonHandler(logging.StreamHandler):
    """Marks the handler this module installed, so that a second app replaces it."""


def use_json_logs(stream: Any = None) -> logging.Handler:
    """Send every log record (the root logger's) to `stream` (stderr) as JSON lines."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _JsonHandler):
            root.removeHandler(handler)
    handler = _JsonHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    return handler


def _start_request() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    request.environ[_ID_KEY] = offered if _SANE_ID.fullmatch(offered) else uuid.uuid4().hex
    request.environ[_START_KEY] = time.perf_counter()


def _finish_request(response: Response) -> Response:
    request_id = current_request_id()
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response


def _log_access(response: Response) -> Response:
    started = request.environ.get(_START_KEY)
    duration = (time.perf_counter() - started) * 1000 if isinstance(started, float) else None
    # Health probes (every few seconds from every balancer) only at DEBUG, unless they fail.
    probe = request.blueprint == "health" and response.status_code < 400
    access_log.log(
        logging.DEBUG if probe else logging.INFO,
        "request",
        extra={
            "method": request.method,
            "path": request.url_rule.rule if request.url_rule is not None else None,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": round(duration, 1) if duration is not None else None,
        },
    )
    return response


def register_request_logging(app: Flask) -> None:
    """Request ids on every request; JSON lines and one access line per request when
    LOG_FORMAT is "json"."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    if str(app.config.get("LOG_FORMAT", "text")).lower() == "json":
        use_json_logs()
        app.after_request(_log_access)
    app.after_request(_finish_request)
