"""Master-key epochs make a purge hold in backups too (issue 12.1b).

Before: the retention purge set `wrapped_key = None`, but every master key stayed in the ring
for ever, so a backup taken before the purge, opened with today's ring, still decrypted the
"purged" case. Now the "keys" job starts a new epoch monthly and after a purge (a fresh master
key; every live case key and staff TOTP secret re-wrapped; blobs untouched), and destroys a
master key once the backup window has passed since its epoch ended and nothing needs it.

A "backup" here is what an operator's backup holds of the wrapped keys: on SQLite a copy of the
database made with SQLite's online backup API; on PostgreSQL the rows of `cases` copied out with
`COPY ... TO STDOUT` (what pg_dump does for a table). The backup is then opened with the ring,
as an attacker holding the backup and today's key ring would.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from casework.crypto import KeyRing, KeyRingError, open_sealed
from casework.extensions import db
from casework.jobs import run_due_jobs, run_job
from casework.models import Notification
from casework.services.directory.staff_auth import current_enrolment, start_totp_enrolment
from casework.services.escalation.deadlines import set_status
from casework.services.keys.case_keys import case_key, open_text, wrap_aad
from casework.services.runtime import keyring
from tests.conftest import ON_POSTGRES, case_by_reference

WINDOW = 35  # CASEWORK_BACKUP_RETENTION_DAYS, the default


@dataclass(frozen=True)
class BackedUpCase:
    reference: str
    key_id: str
    wrapped_key: bytes | None
    narrative_sealed: bytes | None


def backup(app: Flask, folder: Path) -> dict[str, BackedUpCase]:
    """A backup of the database, read back: each case's wrapped key and sealed story."""
    db.session.commit()
    query = "SELECT reference, key_id, wrapped_key, narrative_sealed FROM cases"
    if ON_POSTGRES:
        with db.engine.connect() as conn:
            raw: Any = conn.connection.dbapi_connection
            with raw.cursor() as cursor:
                with cursor.copy(f"COPY ({query}) TO STDOUT") as copy:
                    copy.set_types(["text", "text", "bytea", "bytea"])
                    rows = list(copy.rows())
            raw.commit()
    else:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"backup-{len(list(folder.iterdir()))}.db"
        live = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        with sqlite3.connect(live) as source, sqlite3.connect(target) as copy_db:
            source.backup(copy_db)
        with sqlite3.connect(target) as copy_db:
            rows = copy_db.execute(query).fetchall()
    return {row[0]: BackedUpCase(row[0], row[1], row[2], row[3]) for row in rows}


def story_from_backup(item: BackedUpCase) -> str:
    """Decrypt the story in a backup with today's key ring (raises KeyRingError if it can't)."""
    assert item.wrapped_key is not None and item.narrative_sealed is not None
    key = keyring().unwrap(item.key_id, item.wrapped_key, wrap_aad(item.reference))
    aad = f"case:{item.reference}:narrative".encode()
    return open_sealed(key, item.narrative_sealed, aad).decode()


def live_story(reference: str) -> str:
    case = case_by_reference(reference)
    assert case.narrative_sealed is not None
    return open_text(case_key(case), case, "narrative", case.narrative_sealed)


@pytest.fixture
def start() -> datetime:
    # A whole second after now: never before the ring's first key, which the app fixture made
    # a moment ago (truncating to the second could land before it and leave an epoch 30 days
    # minus a fraction of a second old at "30 days later").
    return datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)


def test_a_purged_case_cannot_be_read_from_any_backup_once_the_window_has_passed(
    app: Flask, lodge: Any, make_org: Any, make_user: Any, start: datetime, tmp_path: Path
) -> None:
    app.config["RETENTION_DAYS"] = 5
    org = make_org("gefont", countries=["NP"])
    admin = make_user(org, "admin")
    staff = make_user(org, "caseworker")
    with time_machine.travel(start, tick=False) as clock:
        totp_secret = start_totp_enrolment(staff).secret
        purged = lodge(narrative="The story that must disappear.")
        kept = lodge(narrative="A case that stays open.")
        first_key = keyring().current_id
        while_open = backup(app, tmp_path / "backups")
        set_status(case_by_reference(purged.reference), "closed")
        db.session.commit()
        after_closing = backup(app, tmp_path / "backups")
        # Today both backups open the case with the ring: the attack works.
        for copy in (while_open, after_closing):
            assert story_from_backup(copy[purged.reference]) == "The story that must disappear."

        purge_day = start + timedelta(days=6)
        clock.move_to(purge_day)
        assert {"retention", "keys"} <= set(run_due_jobs())
        assert case_by_reference(purged.reference).purged_at == purge_day
        ring = keyring()
        assert ring.current_id != first_key  # the purge ended the first key's epoch
        assert case_by_reference(kept.reference).key_id == ring.current_id

        # Within the window a backup still restores (the key is not destroyed too early).
        for day in range(7, 6 + WINDOW):
            clock.move_to(start + timedelta(days=day))
            run_due_jobs()
        assert first_key in keyring().key_ids
        assert story_from_backup(while_open[kept.reference]) == "A case that stays open."

        clock.move_to(purge_day + timedelta(days=WINDOW, hours=1))
        run_due_jobs()

        assert first_key not in keyring().key_ids
        on_disk = KeyRing.load(Path(app.config["KEYS_PATH"]))
        assert first_key not in on_disk.key_ids
        for copy in (while_open, after_closing):
            with pytest.raises(KeyRingError, match="not in the key ring"):
                story_from_backup(copy[purged.reference])
        # Every live case still opens, old and new; the staff member's TOTP secret too.
        assert live_story(kept.reference) == "A case that stays open."
        later = lodge(narrative="Lodged after the old key was destroyed.")
        assert live_story(later.reference) == "Lodged after the old key was destroyed."
        db.session.refresh(staff)
        assert staff.totp_key_id in keyring().key_ids
        assert current_enrolment(staff).secret == totp_secret
        # The admins were told to back the ring up again.
        notes = db.session.scalars(
            select(Notification).where(
                Notification.user_id == admin.id, Notification.kind == "key_ring_changed"
            )
        ).all()
        assert len(notes) >= 2  # the new epoch, and the destruction


def test_a_new_epoch_starts_monthly_without_purges(app: Flask, lodge: Any, start: datetime) -> None:
    with time_machine.travel(start, tick=False) as clock:
        lodged = lodge(narrative="Open for months.")
        first_key = keyring().current_id
        clock.move_to(start + timedelta(days=10))
        run_job("keys")
        assert keyring().current_id == first_key  # not due yet, and nothing purged
        clock.move_to(start + timedelta(days=30))
        report = run_job("keys")
        assert "new epoch (rotation period passed)" in report
        second_key = keyring().current_id
        assert second_key != first_key
        assert case_by_reference(lodged.reference).key_id == second_key
        clock.move_to(start + timedelta(days=30 + WINDOW - 1))
        run_job("keys")
        assert first_key in keyring().key_ids  # its epoch ended 34 days ago: still needed
        clock.move_to(start + timedelta(days=30 + WINDOW))
        run_job("keys")
        assert first_key not in keyring().key_ids
        assert live_story(lodged.reference) == "Open for months."


def test_a_ring_without_creation_times_starts_an_epoch_at_the_first_run(
    app: Flask, lodge: Any
) -> None:
    """Rings written before epochs existed: the job cannot know the current key's age."""
    import json

    lodged = lodge(narrative="From before epochs.")
    path = Path(app.config["KEYS_PATH"]) / "keyring.json"
    document = json.loads(path.read_text(encoding="ascii"))
    del document["created"]
    path.write_text(json.dumps(document), encoding="ascii")
    old = keyring().current_id
    report = run_job("keys")
    assert "creation time of the current key unknown" in report
    assert keyring().current_id != old
    assert live_story(lodged.reference) == "From before epochs."


def test_with_an_environment_ring_the_job_rewraps_and_names_the_keys_to_remove(
    tmp_path: Path,
) -> None:
    """`CASEWORK_MASTER_KEYS` cannot be changed by the app: the operator appends and removes
    keys; the job re-wraps to the last listed key and says which keys nothing needs any more."""
    from casework.crypto.keyring import generate_env_entry
    from casework.services.intake.operations import lodge_complaint
    from tests.conftest import complaint_payload, make_app, reset_schema

    old, new = generate_env_entry(), generate_env_entry()
    first = make_app(tmp_path, MASTER_KEYS=old)
    reset_schema(first)
    with first.app_context():
        reference = lodge_complaint(complaint_payload(), [], source="api").reference
        db.session.remove()
        db.engine.dispose()
    second = make_app(tmp_path, MASTER_KEYS=f"{old},{new}")
    with second.app_context():
        try:
            report = run_job("keys")
            old_id, new_id = old.partition(":")[0], new.partition(":")[0]
            assert f"current master key {new_id}" in report
            assert "1 case key(s) re-wrapped" in report
            assert f"no longer needed: {old_id}" in report
            assert case_by_reference(reference).key_id == new_id
            assert not (Path(second.config["KEYS_PATH"]) / "keyring.json").exists()
        finally:
            db.session.remove()
            db.engine.dispose()
