"""A fresh instance is private to the app's user: folders 0700, files 0600 — the SQLite database
and its -wal/-shm files, the keys, the session secret and the evidence folders and blobs —
whatever umask the process started with."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from casework import create_app
from casework.extensions import db
from casework.services.demo_data import load_reference_data
from casework.services.intake.operations import lodge_complaint
from casework.services.runtime import evidence_store
from casework.storage.spool import spool_bytes
from tests import samples
from tests.conftest import FAST_HASH, complaint_payload


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """Start as a careless shell would (umask 022); put the test process's umask back after."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def _modes(folder: Path) -> dict[str, str]:
    found = {}
    for path in [folder, *folder.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        found[str(path.relative_to(folder.parent))] = oct(mode)
    return found


def _fresh_instance(instance: Path) -> None:
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            # The default: SQLite inside the instance folder (whatever DATABASE_URL says).
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'casework.db'}",
            "TESTING": True,
            **FAST_HASH,
        }
    )
    with app.app_context():
        db.create_all()
        load_reference_data()
        upload = spool_bytes(
            evidence_store(), samples.png(), app.config["MAX_FILE_BYTES"], 64 * 1024
        )
        lodge_complaint(complaint_payload(), [("receipt.png", upload)], source="api")
        # Keep a connection open so the -wal and -shm files exist while we look.
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM cases")
            modes = _modes(instance)
            assert any(name.endswith("casework.db-wal") for name in modes), modes
            assert any(name.endswith("casework.db-shm") for name in modes), modes
            _assert_private(modes)
        db.session.remove()
        db.engine.dispose()


def _assert_private(modes: dict[str, str]) -> None:
    assert any("/evidence/blobs/" in name for name in modes), modes
    assert any(name.endswith("keys/keyring.json") for name in modes), modes
    assert any(name.endswith("secret_key") for name in modes), modes
    loose = {name: mode for name, mode in modes.items() if int(mode, 8) & 0o077}
    assert loose == {}, f"readable by others: {loose}"


def test_a_fresh_instance_is_private_to_its_user(tmp_path: Path, loose_umask: None) -> None:
    instance = tmp_path / "deploy" / "instance"
    _fresh_instance(instance)
    modes = _modes(instance)
    assert modes["instance"] == "0o700"
    assert modes["instance/casework.db"] == "0o600"
    _assert_private(modes)


def test_an_instance_folder_left_open_is_tightened(tmp_path: Path, loose_umask: None) -> None:
    # A checkout ships instance/ as 0755 with a README in it; an older version made the
    # database 0644.
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    database = instance / "casework.db"
    database.touch(mode=0o644)
    os.chmod(instance, 0o755)  # noqa: S103 - the loose folder under test
    os.chmod(database, 0o644)
    _fresh_instance(instance)
    modes = _modes(instance)
    assert modes["instance"] == "0o700"
    assert modes["instance/casework.db"] == "0o600"
