"""Backup and restore: the database and the evidence store, never the key ring.

A backup folder holds a consistent database dump (`pg_dump` custom format on PostgreSQL, the
SQLite backup API on SQLite), every evidence blob the dump refers to, copied as the encrypted
bytes they already are, and `manifest.json` with the SHA-256 of every file, the schema
revision, row counts and the master key ids the data needs. The key ring, the follow-up pepper
and the audit key are deliberately left out: a stolen backup must be useless without them.

manifest.py   the manifest: writing it, reading it, checking every file's SHA-256
database.py   dumping and restoring the database (PostgreSQL and SQLite), counts, emptiness
blobs.py      copying evidence blobs out of and back into the evidence store
operations.py create_backup and restore_backup: the order of the steps and their refusals
"""

from casework.services.backup.operations import (
    BackupError,
    BackupReport,
    RestoreReport,
    create_backup,
    restore_backup,
)

__all__ = ["BackupError", "BackupReport", "RestoreReport", "create_backup", "restore_backup"]
