"""A missing or wrong key ring (or pepper) stops the app instead of being replaced (issue 12.6a).

Creating a fresh ring where the database holds keys wrapped by another one makes every old case
unreadable and seals new ones under a throwaway key. So with wrapped keys in the database the
app and every CLI command refuse to start, naming the master key ids they lack; a fresh install
(no schema, or an empty database) still gets its ring and pepper created.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from casework.crypto import KeyRing, KeyRingError
from casework.crypto.keyring import KEYRING_FILE, generate_env_entry
from casework.extensions import db
from casework.services.keys.case_keys import case_key
from casework.services.runtime import keyring
from tests.conftest import case_by_reference, make_app, reset_schema

ROOT = Path(__file__).resolve().parents[2]


def cli_env(app: Flask) -> dict[str, str]:
    """The environment a `flask --app casework` command needs to run against `app`'s data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
    env.update(
        CASEWORK_INSTANCE_PATH=app.instance_path,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        CASEWORK_SECRET_KEY=app.config["SECRET_KEY"],
        CASEWORK_AUDIT_KEY=str(app.config.get("AUDIT_KEY") or ""),
    )
    return env


def flask_cli(app: Flask, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "flask", "--app", "casework", *args],
        cwd=ROOT,
        env=cli_env(app),
        capture_output=True,
        text=True,
        timeout=120,
    )


def close(app: Flask) -> None:
    db.session.remove()
    db.engine.dispose()


def test_a_fresh_install_creates_its_key_ring_and_pepper(tmp_path: Path) -> None:
    app = make_app(tmp_path)  # no schema yet, as before `db upgrade`
    keys = Path(app.config["KEYS_PATH"])
    assert (keys / KEYRING_FILE).is_file() and (keys / "pepper").is_file()
    reset_schema(app)
    with app.app_context():
        close(app)
    shutil.rmtree(keys)
    again = make_app(tmp_path)  # an empty database: still nothing that needs an old ring
    assert (keys / KEYRING_FILE).is_file()
    with again.app_context():
        close(again)


def test_a_missing_key_folder_stops_the_app_naming_the_keys_it_needs(
    app: Flask, lodge: Callable[..., Any], tmp_path: Path
) -> None:
    lodged = lodge(narrative="My story.")
    key_id = keyring().current_id
    keys = Path(app.config["KEYS_PATH"])
    shutil.rmtree(keys)
    db.session.rollback()

    with pytest.raises(KeyRingError, match=f"key ring .* is missing.*{key_id}"):
        make_app(tmp_path)
    assert not (keys / KEYRING_FILE).exists()  # nothing was created over the data
    # The case is still there, waiting for the ring to come back from its backup.
    assert case_by_reference(lodged.reference).key_id == key_id


def test_every_cli_command_refuses_to_run_without_the_ring(
    app: Flask, lodge: Callable[..., Any]
) -> None:
    lodge()
    key_id = keyring().current_id
    db.session.commit()
    (Path(app.config["KEYS_PATH"]) / KEYRING_FILE).unlink()
    for args in (("jobs", "list"), ("keys", "rotate"), ("jobs", "run", "retention")):
        result = flask_cli(app, *args)
        assert result.returncode != 0, (args, result.stdout)
        assert key_id in result.stderr and "missing" in result.stderr, result.stderr[-2000:]
    assert not (Path(app.config["KEYS_PATH"]) / KEYRING_FILE).exists()


def test_another_installations_key_ring_stops_the_app(
    app: Flask, lodge: Callable[..., Any], tmp_path: Path
) -> None:
    lodge()
    key_id = keyring().current_id
    db.session.commit()
    path = Path(app.config["KEYS_PATH"]) / KEYRING_FILE
    path.unlink()
    KeyRing.create(path.parent)  # a new ring with other ids, e.g. from another server
    with pytest.raises(KeyRingError, match=f"lacks master key\\(s\\) {key_id}"):
        make_app(tmp_path)


def test_a_ring_with_the_right_ids_but_other_keys_stops_the_app(
    app: Flask, lodge: Callable[..., Any], tmp_path: Path
) -> None:
    lodge()
    key_id = keyring().current_id
    db.session.commit()
    path = Path(app.config["KEYS_PATH"]) / KEYRING_FILE
    data = json.loads(path.read_text(encoding="ascii"))
    data["keys"][key_id] = generate_env_entry().partition(":")[2]  # same id, another key
    path.write_text(json.dumps(data), encoding="ascii")
    with pytest.raises(KeyRingError, match=f"different master key\\(s\\) {key_id}"):
        make_app(tmp_path)


def test_an_environment_ring_lacking_a_needed_key_stops_the_app(tmp_path: Path) -> None:
    first, other = generate_env_entry(), generate_env_entry()
    app = make_app(tmp_path, MASTER_KEYS=first)
    reset_schema(app)
    with app.app_context():
        from casework.services.intake.operations import lodge_complaint
        from tests.conftest import complaint_payload

        lodge_complaint(complaint_payload(), [], source="api")
        close(app)
    with pytest.raises(KeyRingError, match=first.partition(":")[0]):
        make_app(tmp_path, MASTER_KEYS=other)


def test_a_missing_pepper_stops_the_app_when_cases_exist(
    app: Flask, lodge: Callable[..., Any], tmp_path: Path
) -> None:
    lodged = lodge()
    db.session.commit()
    pepper = Path(app.config["KEYS_PATH"]) / "pepper"
    pepper.unlink()
    with pytest.raises(KeyRingError, match="pepper .* is missing"):
        make_app(tmp_path)
    assert not pepper.exists()
    assert case_key(case_by_reference(lodged.reference))  # the ring itself is fine


def test_a_wrong_pepper_stops_the_app(
    app: Flask, lodge: Callable[..., Any], tmp_path: Path
) -> None:
    """With another pepper every follow-up secret would silently stop working."""
    lodge()
    db.session.commit()
    # The database records the pepper's fingerprint at the first start once its schema exists
    # (the fixture's app started before the schema was created): restart once, as after
    # `db upgrade`.
    restarted = make_app(tmp_path)
    with restarted.app_context():
        close(restarted)
    pepper = Path(app.config["KEYS_PATH"]) / "pepper"
    pepper.write_text("a-different-pepper-from-another-server", encoding="ascii")
    with pytest.raises(KeyRingError, match="pepper .* is not the one"):
        make_app(tmp_path)
    with pytest.raises(KeyRingError, match="CASEWORK_FOLLOWUP_PEPPER"):
        make_app(tmp_path, FOLLOWUP_PEPPER="yet-another-pepper")
