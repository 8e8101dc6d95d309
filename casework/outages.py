"""Telling a dependency that is down from a bug.

The database, the evidence store and the key ring live outside the process. When one of them
cannot be used right now, the honest answer is 503 with `Retry-After` ("try again in a few
minutes; nothing was kept"), not a 500 that reads like a bug. Everything else that escapes a
view stays a 500: an integrity or programming error is ours to fix, and retrying will not help.

Only the exception itself and the chain of exceptions it was explicitly raised *from* are
looked at, never `__context__`: a bug raised while handling an outage is still a bug.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import TracebackType

from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from casework.crypto import KeyRingError
from casework.storage import StoreUnavailable

DATABASE = "database"
EVIDENCE_STORE = "evidence_store"
KEY_RING = "key_ring"

# How long a client is asked to wait (seconds) unless configured (`UNAVAILABLE_RETRY_AFTER`).
RETRY_AFTER_SECONDS = 120

_STORAGE_PACKAGE = Path(__file__).resolve().parent / "storage"
_PACKAGE = Path(__file__).resolve().parent


class DependencyUnavailable(Exception):
    """Raised by our own code when it already knows a dependency is down (e.g. the staff
    sign-in check could not reach the database): answered with 503 like the original error."""

    def __init__(self, dependency: str):
        super().__init__(dependency)
        self.dependency = dependency


# SQLite calls nearly everything an OperationalError, "no such table" and syntax errors too;
# only these primary result codes say the file cannot be used right now.
_SQLITE_UNAVAILABLE = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
    }
)


def _database_down(error: BaseException) -> bool:
    if isinstance(error, DisconnectionError):
        return True
    if isinstance(error, PoolTimeoutError):
        return True  # every pooled connection busy for `pool_timeout`: overloaded, not broken
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    if isinstance(original, sqlite3.Error):
        # sqlite3's InterfaceError is a bad parameter (a bug), not a lost connection.
        code = getattr(original, "sqlite_errorcode", None)
        return (
            isinstance(error, OperationalError)
            and code is not None
            and code & 0xFF in _SQLITE_UNAVAILABLE
        )
    return isinstance(error, OperationalError | InterfaceError)


def _raised_in_storage(traceback: TracebackType | None) -> bool:
    """True when the innermost frame of ours in `traceback` is in casework/storage/: an
    OSError from the evidence store's own file operations, not from anywhere else."""
    innermost_ours: Path | None = None
    while traceback is not None:
        path = Path(traceback.tb_frame.f_code.co_filename).resolve()
        if path.is_relative_to(_PACKAGE):
            innermost_ours = path
        traceback = traceback.tb_next
    return innermost_ours is not None and innermost_ours.is_relative_to(_STORAGE_PACKAGE)


def _classify(error: BaseException) -> str | None:
    if isinstance(error, DependencyUnavailable):
        return error.dependency
    if _database_down(error):
        return DATABASE
    if isinstance(error, StoreUnavailable):
        return EVIDENCE_STORE
    if isinstance(error, OSError) and _raised_in_storage(error.__traceback__):
        return EVIDENCE_STORE
    if isinstance(error, KeyRingError):
        return KEY_RING
    return None


def unavailable_dependency(error: BaseException) -> str | None:
    """Which dependency `error` says is down ("database", "evidence_store", "key_ring"), or
    None when it is not an outage (a bug: 500)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _classify(current)
        if found is not None:
            return found
        current = current.__cause__
    return None
