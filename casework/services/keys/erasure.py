"""After a purge commits, make the database drop the old row versions it still keeps.

SQLite (with `secure_delete` on every connection) zeroes deleted content in the database file,
but the WAL keeps every page as it was before: a TRUNCATE checkpoint copies the pages back and
empties the WAL. PostgreSQL keeps dead row versions in the table until they are vacuumed:
VACUUM (outside any transaction) removes them from the tables a purge touched. What is out of
our reach — the PostgreSQL WAL and its archives, file-system snapshots, backups — holds only
keys wrapped by master keys that the "keys" job destroys after the backup window.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from sqlalchemy import text

from casework.extensions import db

log = logging.getLogger(__name__)
CHECKPOINT_ATTEMPTS = 20


def drop_dead_row_versions(tables: Iterable[str]) -> bool:
    """Checkpoint (SQLite) or vacuum `tables` (PostgreSQL). Call with no transaction open in
    this session. False if readers kept the SQLite WAL from being emptied (logged; the next
    purge or checkpoint finishes the job)."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        return _checkpoint_sqlite()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in sorted(set(tables)):
                quoted = engine.dialect.identifier_preparer.quote(table)
                conn.execute(text(f"VACUUM {quoted}"))
        return True
    return True


def _checkpoint_sqlite() -> bool:
    with db.engine.connect() as conn:
        for attempt in range(CHECKPOINT_ATTEMPTS):
            busy, _log_frames, _copied = conn.exec_driver_sql(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).one()
            if not busy:
                return True
            time.sleep(0.05 * (attempt + 1))  # a reader holds an older snapshot: let it finish
    log.warning("retention: the SQLite WAL could not be emptied (readers held it); will retry")
    return False
