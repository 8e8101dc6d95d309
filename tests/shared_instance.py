"""One instance folder and one database for several real processes (app nodes, schedulers).

Set up as an operator would before starting them: schema, reference data, and the instance
folder's key ring, pepper and secret key, which every process then shares. The database is a
file SQLite database in WAL mode, or the PostgreSQL named by DATABASE_URL when set.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from casework import create_app
from casework.extensions import db
from casework.services.demo_data import load_reference_data
from tests.conftest import ON_POSTGRES, POSTGRES_URL

# Cheap argon2 for the processes too, and counters of their own in a shared Redis.
NODE_CONFIG = "SECRET_HASH_TIME_COST = 1\nSECRET_HASH_MEMORY_KIB = 1024\n"


def prepare_shared_instance(tmp_path: Path) -> tuple[Path, str]:
    instance = tmp_path / "instance"
    database_url = POSTGRES_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'shared.db'}"
    instance.mkdir(mode=0o700)
    prefix = f"test-{uuid.uuid4().hex}"
    (instance / "config.py").write_text(
        NODE_CONFIG + f"RATELIMIT_KEY_PREFIX = {prefix!r}\n", encoding="utf-8"
    )
    setup = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database_url})
    with setup.app_context():
        db.create_all()
        load_reference_data()
        db.session.remove()
        db.engine.dispose()
    return instance, database_url


def process_env(instance: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a process on the shared instance: nothing inherited that configures
    casework, Flask or gunicorn."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CASEWORK_", "FLASK_", "GUNICORN_")) and key != "DATABASE_URL"
    }
    env.update(CASEWORK_INSTANCE_PATH=str(instance), DATABASE_URL=database_url, **extra)
    return env
