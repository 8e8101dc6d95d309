"""create_backup and restore_backup: the steps, their order, and what each refuses.

Backup: database dump first, then the blobs it names, then the manifest (written last, so an
interrupted backup has none and is never restored). A blob committed after the dump is left
out (no row names it yet); one deleted after the dump is listed as missing.

Restore: checksums first (nothing is touched if any file differs), then the instance must be
empty (no table, no blob) and hold the master keys the backup needs — the key ring is never in
a backup. Then the database, then the blobs; then the ring, pepper and row counts are checked
against the restored data. Anything failing after the first write undoes the restore.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Engine, bindparam, update

from casework.crypto import KeyRingError
from casework.extensions import db
from casework.models import Evidence
from casework.services.audit.key import key_id as audit_key_id
from casework.services.backup.blobs import (
    copy_blobs_in,
    copy_blobs_out,
    remove_blobs,
    store_is_empty,
)
from casework.services.backup.database import (
    database_kind,
    describe,
    dump_database,
    is_empty,
    restore_database,
    wipe_database,
)
from casework.services.backup.manifest import (
    FORMAT,
    NOT_INCLUDED,
    BackupError,
    file_entry,
    read_manifest,
    verify_files,
    write_manifest,
)
from casework.services.keys.loading import check_ring_against_database, open_pepper
from casework.services.runtime import audit_key, evidence_store, keyring

__all__ = ["BackupError", "BackupReport", "RestoreReport", "create_backup", "restore_backup"]

SEPARATE_KEYS = (
    "A backup never contains the key ring: it is kept separately. Put this database's key ring "
    "(keyring.json, or CASEWORK_MASTER_KEYS), follow-up pepper and audit key in place from "
    "where they are kept (the key folder is {keys}), then run the restore again."
)


@dataclass
class BackupReport:
    folder: Path
    counts: dict[str, int]
    blobs: int
    missing_blobs: list[str] = field(default_factory=list)
    total_bytes: int = 0


@dataclass
class RestoreReport:
    counts: dict[str, int]
    blobs: int
    schema_revision: str | None


def create_backup(folder: Path) -> BackupReport:
    """Write a backup of the database and the evidence store into `folder` (created 0700;
    an existing folder must be empty). The key ring is not written, by design."""
    created = _prepare_folder(folder)
    try:
        snapshot = dump_database(db.engine, folder)
        blob_files, names, missing = copy_blobs_out(evidence_store(), snapshot.blob_ids, folder)
        files = {snapshot.file: file_entry(folder / snapshot.file), **blob_files}
        write_manifest(
            folder,
            {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": {
                    "kind": snapshot.kind,
                    "code_schema_heads": sorted(_migration_heads()),
                    "file": snapshot.file,
                    "schema_revision": snapshot.schema_revision,
                    "made_with": snapshot.tool,
                },
                "counts": snapshot.counts,
                "evidence": {"blobs": names, "missing": missing},
                "master_key_ids": snapshot.master_key_ids,
                "audit_key_id": audit_key_id(audit_key()),
                "files": files,
                "not_included": NOT_INCLUDED,
            },
        )
    except BaseException:
        _remove_partial(folder, created)
        raise
    return BackupReport(
        folder,
        snapshot.counts,
        len(names),
        missing,
        sum(int(entry["size"]) for entry in files.values()),
    )


def restore_backup(folder: Path) -> RestoreReport:
    """Restore the backup in `folder` into this empty instance, after checking every file's
    checksum and that this instance holds the keys the data needs."""
    manifest = read_manifest(folder)
    verify_files(folder, manifest)
    engine, store = db.engine, evidence_store()
    db.session.remove()
    kind = str(manifest["database"]["kind"])
    if database_kind(engine) != kind:
        raise BackupError(
            f"this backup holds a {kind} database but the instance uses {engine.dialect.name}."
        )
    if not is_empty(engine) or not store_is_empty(store):
        raise BackupError(
            "restore goes only into an EMPTY instance: the database must have no tables and the "
            "evidence store no files. Nothing was restored."
        )
    _require_known_schema(manifest["database"].get("schema_revision"))
    _require_keys(manifest)
    restore_database(engine, folder, kind)
    mapping: dict[str, str] = {}
    try:
        with engine.connect() as conn:
            restored = describe(conn, kind, "")
        if restored.counts != manifest["counts"]:
            raise BackupError("the restored database's row counts differ from the manifest's")
        _check_keys_against(engine)
        mapping = copy_blobs_in(store, folder, manifest["evidence"]["blobs"])
        if mapping:
            with engine.begin() as conn:
                conn.execute(
                    update(Evidence)
                    .where(Evidence.blob_id == bindparam("old"))
                    .values(blob_id=bindparam("new")),
                    [{"old": old, "new": new} for old, new in mapping.items()],
                )
    except BaseException:
        remove_blobs(store, mapping.values())
        wipe_database(engine)
        raise
    return RestoreReport(restored.counts, len(mapping), manifest["database"]["schema_revision"])


def _prepare_folder(folder: Path) -> bool:
    """Create `folder` 0700, or accept an existing empty one; True if created here."""
    if folder.exists():
        if not folder.is_dir() or any(folder.iterdir()):
            raise BackupError(f"{folder} is not an empty folder: a backup never writes over files")
        folder.chmod(0o700)
        return False
    folder.mkdir(parents=True, mode=0o700)
    folder.chmod(0o700)  # whatever the umask
    return True


def _remove_partial(folder: Path, created: bool) -> None:
    if created:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _migration_heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())


def _migration_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    directory = current_app.extensions["migrate"].directory
    return {script.revision for script in ScriptDirectory(directory).walk_revisions()}


def _require_known_schema(revision: object) -> None:
    """A backup made by newer code (a schema revision this code has never heard of) would be
    served by code that does not know its tables: refuse; restore it with that code."""
    if revision is not None and str(revision) not in _migration_revisions():
        raise BackupError(
            f"the backup's schema revision {revision} is newer than this code knows: restore "
            "it with the version of casework that made it (or newer). Nothing was restored."
        )


def _keys_hint() -> str:
    return SEPARATE_KEYS.format(keys=current_app.config["KEYS_PATH"])


def _require_keys(manifest: dict[str, Any]) -> None:
    """Before anything is written: the ring has every master key id the data needs, and the
    audit key is the one that sealed the trail."""
    needed = {str(k) for k in manifest.get("master_key_ids") or []}
    missing = needed - set(keyring().key_ids)
    if missing:
        raise BackupError(
            f"this instance's key ring lacks master key(s) {', '.join(sorted(missing))}, which "
            f"the backup's data is encrypted under. {_keys_hint()} Nothing was restored."
        )
    counts = manifest.get("counts") or {}
    expected = manifest.get("audit_key_id")
    if counts.get("audit_events") and expected != audit_key_id(audit_key()):
        raise BackupError(
            f"this instance's audit key is not the one that sealed the backup's audit trail "
            f"(id {expected}). {_keys_hint()} Nothing was restored."
        )


def _check_keys_against(engine: Engine) -> None:
    """The full start-up check on the restored data: each master key opens a stored key, and
    the pepper is the one the follow-up secrets were hashed with."""
    try:
        check_ring_against_database(keyring(), engine, "this instance's key ring")
        open_pepper(current_app.config, engine)
    except KeyRingError as exc:
        raise BackupError(f"{exc} {_keys_hint()} Nothing was restored.") from exc
