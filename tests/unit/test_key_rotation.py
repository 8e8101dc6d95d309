"""Master-key rotation (`flask keys rotate`, casework/services/keys.py).

Rotation re-wraps every case key with a new master key. It must never make a case unreadable and
never touch an evidence blob: the blobs are encrypted with per-file keys that do not change.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from casework.crypto import KeyRing, KeyRingError
from casework.crypto.keyring import KEYRING_FILE, generate_env_entry
from casework.extensions import db
from casework.models import Case
from casework.services.evidence.operations import evidence_filename, read_evidence
from casework.services.keys.case_keys import case_key, open_text, rewrap_case_key
from casework.services.keys.rotation import rotate_master_key
from casework.services.runtime import evidence_store, keyring
from casework.storage import FilesystemEvidenceStore
from tests import samples
from tests.conftest import complaint_payload, make_app, reset_schema
from tests.unit.test_key_loading import flask_cli

# More than one default (256 KiB) chunk, so rotation is checked against multi-chunk blobs.
LARGE_PHOTO = samples.png() + os.urandom(600 * 1024)


@dataclass(frozen=True)
class CaseContents:
    """Everything sealed on a case, decrypted."""

    narrative: str | None
    identity: str | None
    files: tuple[tuple[str, str, bytes], ...]  # (blob id, file name, bytes)


def contents(case: Case) -> CaseContents:
    key = case_key(case)
    narrative = (
        open_text(key, case, "narrative", case.narrative_sealed) if case.narrative_sealed else None
    )
    identity = (
        open_text(key, case, "identity", case.complainant.identity_sealed)
        if case.complainant
        else None
    )
    files = tuple(
        (
            evidence.blob_id,
            evidence_filename(case, key, evidence),
            b"".join(read_evidence(case, key, evidence)),
        )
        for evidence in sorted(case.evidence, key=lambda e: e.id)
    )
    return CaseContents(narrative, identity, files)


def all_cases() -> list[Case]:
    db.session.rollback()  # end any snapshot held since the last query; see other sessions' work
    return list(db.session.scalars(select(Case).order_by(Case.id)))


def snapshot() -> dict[str, CaseContents]:
    return {case.reference: contents(case) for case in all_cases()}


def store_files_bytes() -> dict[Path, bytes]:
    store = evidence_store()
    assert isinstance(store, FilesystemEvidenceStore)
    return {path: path.read_bytes() for path in sorted(store.root.rglob("*")) if path.is_file()}


def lodge_three(lodge: Callable[..., Any]) -> None:
    lodge(files=[("passport.png", samples.png()), ("contract.png", LARGE_PHOTO)])
    lodge(
        files=[("receipt.jpg", samples.jpeg())],
        narrative="The employer kept my wages for four months.",
        contact={"name": "Sita Test", "phone": "+977 9800000000", "channel": "phone"},
    )
    lodge(narrative="No files, only my story.")


def rotate(runner: FlaskCliRunner) -> str:
    db.session.rollback()  # no open read transaction while the command writes
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    return result.output


# --- file key ring -------------------------------------------------------------------------


def test_rotation_rewraps_every_case_key_and_leaves_every_blob_untouched(
    app: Flask, runner: FlaskCliRunner, lodge: Callable[..., Any]
) -> None:
    lodge_three(lodge)
    before = snapshot()
    old_wrapped = {case.reference: (case.key_id, case.wrapped_key) for case in all_cases()}
    blobs_before = store_files_bytes()
    assert sum(len(c.files) for c in before.values()) == 3
    assert len(blobs_before) == 3
    old_id = keyring().current_id

    output = rotate(runner)

    new_id = keyring().current_id
    assert new_id != old_id
    assert output.strip() == f"current master key: {new_id}; re-wrapped 3 case key(s)"
    for case in all_cases():
        assert case.key_id == new_id
        assert case.wrapped_key != old_wrapped[case.reference][1]
    assert snapshot() == before
    assert store_files_bytes() == blobs_before


def test_rotation_saves_the_new_key_with_the_old_ones(
    app: Flask, runner: FlaskCliRunner, lodge: Callable[..., Any]
) -> None:
    lodge_three(lodge)
    old_id = keyring().current_id
    rotate(runner)
    saved = KeyRing.load_or_create(Path(app.config["KEYS_PATH"]))
    assert saved.current_id == keyring().current_id
    assert saved.key_ids == [old_id, saved.current_id]
    assert (Path(app.config["KEYS_PATH"]) / KEYRING_FILE).stat().st_mode & 0o777 == 0o600


def test_every_case_still_opens_after_a_restart_following_rotation(
    app: Flask, runner: FlaskCliRunner, lodge: Callable[..., Any], tmp_path: Path
) -> None:
    lodge_three(lodge)
    before = snapshot()
    rotate(runner)
    new_id = keyring().current_id
    db.session.rollback()

    restarted = make_app(tmp_path, WTF_CSRF_ENABLED=False)
    with restarted.app_context():
        try:
            assert keyring().current_id == new_id
            assert snapshot() == before
        finally:
            db.session.remove()
            db.engine.dispose()


def test_a_second_rotation_adds_another_key_and_rewraps_again(
    app: Flask, runner: FlaskCliRunner, lodge: Callable[..., Any]
) -> None:
    """With a file key ring each `keys rotate` makes a fresh key current."""
    lodge_three(lodge)
    before = snapshot()
    rotate(runner)
    first_id = keyring().current_id
    output = rotate(runner)
    second_id = keyring().current_id
    assert second_id != first_id
    assert output.strip() == f"current master key: {second_id}; re-wrapped 3 case key(s)"
    assert {case.key_id for case in all_cases()} == {second_id}
    assert snapshot() == before
    assert len(keyring().key_ids) == 3


def test_rerunning_a_finished_rotation_rewraps_nothing(
    app: Flask, runner: FlaskCliRunner, lodge: Callable[..., Any]
) -> None:
    lodge_three(lodge)
    rotate(runner)
    wrapped = {case.reference: case.wrapped_key for case in all_cases()}
    report = rotate_master_key(add_new_key=False)
    assert report.rewrapped == 0
    assert report.new_key_id == keyring().current_id
    assert {case.reference: case.wrapped_key for case in all_cases()} == wrapped


def test_an_interrupted_rotation_resumes_with_the_cases_it_had_not_reached(
    app: Flask, lodge: Callable[..., Any]
) -> None:
    lodge_three(lodge)
    before = snapshot()
    ring = keyring()
    ring.add_key()
    ring.save()
    first = all_cases()[0]
    assert rewrap_case_key(first) is True
    assert rewrap_case_key(first) is False
    db.session.commit()

    report = rotate_master_key(add_new_key=False)

    assert report.rewrapped == 2
    assert {case.key_id for case in all_cases()} == {ring.current_id}
    assert snapshot() == before


def test_complaints_lodged_after_rotation_use_the_new_key(
    app: Flask, runner: FlaskCliRunner, lodge: Callable[..., Any]
) -> None:
    lodge(files=[("passport.png", samples.png())])
    rotate(runner)
    lodged = lodge(files=[("later.png", LARGE_PHOTO)], narrative="Added after the rotation.")
    case = next(c for c in all_cases() if c.reference == lodged.reference)
    assert case.key_id == keyring().current_id
    assert contents(case).narrative == "Added after the rotation."
    assert contents(case).files[0][2] == LARGE_PHOTO


def test_rotation_with_no_cases_only_adds_a_key(app: Flask, runner: FlaskCliRunner) -> None:
    old_id = keyring().current_id
    output = rotate(runner)
    assert keyring().current_id != old_id
    assert output.strip().endswith("re-wrapped 0 case key(s)")


# --- environment key ring ------------------------------------------------------------------


def _lodge_in(app: Flask, files: list[tuple[str, bytes]], **changes: Any) -> None:
    from casework.services.intake.operations import lodge_complaint
    from casework.storage.spool import spool_bytes

    uploads = [
        (
            name,
            spool_bytes(
                evidence_store(),
                data,
                app.config["MAX_FILE_BYTES"],
                app.config["EVIDENCE_CHUNK_SIZE"],
            ),
        )
        for name, data in files
    ]
    lodge_complaint(complaint_payload(**changes), uploads, source="api")


def _env_id(entry: str) -> str:
    return entry.partition(":")[0]


def test_environment_rotation_rewraps_to_the_last_listed_key(tmp_path: Path) -> None:
    old_entry, new_entry = generate_env_entry(), generate_env_entry()

    first = make_app(tmp_path, MASTER_KEYS=old_entry)
    reset_schema(first)
    with first.app_context():
        try:
            _lodge_in(first, [("passport.png", samples.png()), ("contract.png", LARGE_PHOTO)])
            _lodge_in(first, [], narrative="Only a story.")
            before = snapshot()
            blobs_before = store_files_bytes()
            assert {case.key_id for case in all_cases()} == {_env_id(old_entry)}
        finally:
            db.session.remove()
            db.engine.dispose()

    second = make_app(tmp_path, MASTER_KEYS=f"{old_entry},{new_entry}")
    runner = second.test_cli_runner()
    with second.app_context():
        try:
            output = rotate(runner)
            assert output.strip() == (
                f"current master key: {_env_id(new_entry)}; re-wrapped 2 case key(s)"
            )
            assert {case.key_id for case in all_cases()} == {_env_id(new_entry)}
            assert snapshot() == before
            assert store_files_bytes() == blobs_before

            again = rotate(runner)
            assert again.strip() == (
                f"current master key: {_env_id(new_entry)}; re-wrapped 0 case key(s)"
            )
            assert keyring().key_ids == [_env_id(old_entry), _env_id(new_entry)]
        finally:
            db.session.remove()
            db.engine.dispose()
    # An environment key ring is never written to disk.
    assert not (Path(second.config["KEYS_PATH"]) / KEYRING_FILE).exists()

    # After the rotation the old key can be retired ...
    retired = make_app(tmp_path, MASTER_KEYS=new_entry)
    with retired.app_context():
        try:
            assert snapshot() == before
        finally:
            db.session.remove()
            db.engine.dispose()

    # ... and the old key alone no longer opens anything: the app refuses to start with it,
    # naming the key it lacks.
    with pytest.raises(KeyRingError, match=f"lacks master key\\(s\\) {_env_id(new_entry)}"):
        make_app(tmp_path, MASTER_KEYS=old_entry)


# --- concurrent rotations and running processes (issue 12.6b, 6c) --------------------------


def test_two_overlapping_rotations_lose_no_key(
    app: Flask, lodge: Callable[..., Any], tmp_path: Path
) -> None:
    """Two `keys rotate` started together, each holding the ring as it was when it started:
    the second must re-read the ring under the lock, or it saves it without the first one's
    key and every case key wrapped by that key is lost."""
    for number in range(12):
        lodge(narrative=f"Story number {number}.")
    before = snapshot()
    db.session.commit()
    others = [make_app(tmp_path) for _ in range(2)]  # both read the ring before either rotates
    barrier = threading.Barrier(len(others))
    errors: list[BaseException] = []

    def rotate_in(other: Flask) -> None:
        with other.app_context():
            try:
                barrier.wait()
                rotate_master_key()
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=rotate_in, args=(other,)) for other in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    saved = KeyRing.load(Path(app.config["KEYS_PATH"]))
    assert len(saved.key_ids) == 3  # the first key and one from each rotation
    assert {case.key_id for case in all_cases()} == {saved.current_id}
    assert snapshot() == before  # the running app re-read the ring from disk


def test_a_running_app_uses_the_ring_a_rotation_elsewhere_wrote(
    app: Flask, lodge: Callable[..., Any]
) -> None:
    """Process A (this app) holds the ring; `keys rotate` runs as its own process; A then
    opens a case re-wrapped under the new key and seals a new case under it."""
    lodged = lodge(narrative="Lodged before the rotation.")
    old_id = keyring().current_id
    db.session.commit()

    result = flask_cli(app, "keys", "rotate")

    assert result.returncode == 0, result.stderr[-2000:]
    new_id = result.stdout.split("current master key: ")[1].split(";")[0]
    assert new_id != old_id
    case = next(c for c in all_cases() if c.reference == lodged.reference)
    assert case.key_id == new_id
    assert contents(case).narrative == "Lodged before the rotation."
    later = lodge(narrative="Lodged after the rotation.")
    case = next(c for c in all_cases() if c.reference == later.reference)
    assert case.key_id == new_id
    assert contents(case).narrative == "Lodged after the rotation."
