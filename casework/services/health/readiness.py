"""Readiness: can this process serve requests right now?

Each check is cheap enough to run every few seconds (one `SELECT 1`, one small temporary file
created and removed in the evidence store, one `stat` of the key ring file, one limiter storage
ping) and touches nothing else: no session, no audit event, no row written. A failed check is
reported by name only: an exception's text can carry a path, a DSN or a host name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import text

from casework.extensions import db, limiter
from casework.services.runtime import evidence_store, keyring

log = logging.getLogger(__name__)

OK = "ok"
UNAVAILABLE = "unavailable"
DISABLED = "disabled"


@dataclass(frozen=True)
class Readiness:
    """Each check's outcome by name: "ok", "unavailable" or "disabled" (not in use here)."""

    checks: dict[str, str]

    @property
    def ready(self) -> bool:
        return UNAVAILABLE not in self.checks.values()

    @property
    def failed(self) -> list[str]:
        return [name for name, outcome in self.checks.items() if outcome == UNAVAILABLE]


def _database() -> str:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return OK


def _evidence_store() -> str:
    evidence_store().check()
    return OK


def _key_ring() -> str:
    ring = keyring()  # re-read if its file changed: a vanished or damaged file fails here
    return OK if ring.current_id in ring else UNAVAILABLE


def _limiter() -> str:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return DISABLED
    return OK if limiter.storage.check() else UNAVAILABLE


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "evidence_store": _evidence_store,
    "key_ring": _key_ring,
    "limiter": _limiter,
}


def _run(check: Callable[[], str]) -> str:
    try:
        return check()
    except Exception:  # any failure means "not ready"; what it said stays out of the answer
        return UNAVAILABLE


def check_readiness() -> Readiness:
    """Run every check; never raises. A change between ready and not ready (or in which checks
    fail) is logged once, by check name, not on every probe."""
    readiness = Readiness({name: _run(check) for name, check in CHECKS.items()})
    failed = tuple(readiness.failed)
    previous = current_app.extensions.get("casework.readiness_failed", ())
    if failed != previous:
        current_app.extensions["casework.readiness_failed"] = failed
        if failed:
            log.warning("not ready: %s unavailable", ", ".join(failed))
        elif previous:
            log.warning("ready again")
    return readiness
