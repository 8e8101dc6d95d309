"""The limiter's storage, and what happens when it cannot be reached.

With several app nodes the counters live in Redis (`CASEWORK_RATELIMIT_STORAGE=redis://…`), so a
limit holds whichever node a request reaches. If that storage is down, limited requests fail
CLOSED: they are refused with 503 and `Retry-After` rather than served without counting. That
matters for the follow-up secret and staff sign-in, where "no counting" means unlimited guesses;
it applies to every limited request (the complaint form's POST too), so that the answer is the
same honest "try again in a few minutes" everywhere and a Redis outage is seen at once (/readyz
names it). Unlimited pages (reading the form, staff pages) keep working.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, request
from limits.errors import StorageError
from werkzeug.exceptions import ServiceUnavailable

log = logging.getLogger(__name__)

# Unless UNAVAILABLE_RETRY_AFTER (the app's one setting for every 503) says otherwise.
RETRY_AFTER_SECONDS = 60


def storage_options(uri: str) -> dict[str, Any]:
    """Options for the limiter's storage: storage failures wrapped in one exception class, and
    short socket timeouts so that an unreachable Redis refuses quickly instead of hanging a
    worker thread."""
    options: dict[str, Any] = {"wrap_exceptions": True}
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        options.update(socket_connect_timeout=2, socket_timeout=2, health_check_interval=30)
    return options


def _unavailable(error: StorageError) -> Any:
    # The type only: a Redis error can carry the address and key, which names a client.
    log.warning(
        "rate-limit storage unreachable (%s) on %s %s; refused",
        type(error.storage_error).__name__,
        request.method,
        request.endpoint,
    )
    retry_after = int(current_app.config.get("UNAVAILABLE_RETRY_AFTER", RETRY_AFTER_SECONDS))
    return current_app.handle_http_exception(ServiceUnavailable(retry_after=retry_after))


def configure_limiter_storage(app: Flask) -> None:
    """Before `limiter.init_app`: storage options for the configured URI, and a 503 (through
    the app's own error pages) whenever the storage fails."""
    uri = str(app.config.get("RATELIMIT_STORAGE_URI", "memory://"))
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", storage_options(uri))
    app.register_error_handler(StorageError, _unavailable)


__all__ = [
    "RETRY_AFTER_SECONDS",
    "configure_limiter_storage",
    "storage_options",
]
