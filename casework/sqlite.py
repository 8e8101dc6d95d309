"""SQLite as a real embedded database: WAL, foreign keys, a busy timeout; files for our user only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine

# SQLite gives the -wal and -shm files the main file's mode, so a private main file keeps them
# private too (the process umask, 077 since create_app, covers the rest).
SIDE_FILES = ("", "-wal", "-shm", "-journal")


def private_database_file(database: str | None) -> None:
    """Create the database file 0600 before SQLite does, and tighten it and its side files if
    an older version created them readable by others."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        try:
            status = side.stat()
        except FileNotFoundError:
            continue
        if status.st_mode & 0o077 and status.st_uid == os.geteuid():
            side.chmod(0o600)


def _from_hint(_compiler: Any, _table: Any, text: str | None) -> str | None:
    return text


def render_index_hints() -> None:
    """Let `select(...).with_hint(Case, "INDEXED BY ix_...", "sqlite")` reach SQLite:
    SQLAlchemy's SQLite compiler drops table hints (its base class renders none), and a search
    reads along the index of its order this way (services/casefile/time_budget.py). Only
    statements that carry a SQLite hint change."""
    SQLiteCompiler.get_from_hint_text = _from_hint  # type: ignore[method-assign,assignment]


MMAP_BYTES = 2**31


def configure_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    private_database_file(engine.url.database)
    render_index_hints()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Read the file through a memory map: a report walking a million cases' facts reads
        # them without a system call and a copy per page (at 1,000,000 cases, a corridor's
        # caseload 0.14 -> 0.08 s). SQLite clamps the size to its compiled maximum (2 GiB on
        # Debian); pages beyond it are read as before.
        cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        # Deleted and overwritten content is zeroed, not left in free space: a purged case key
        # must not survive in the file (retention checkpoints the WAL after a purge too).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
