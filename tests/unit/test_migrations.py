"""Migrations: every revision goes up and down, and the models match `upgrade head`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from casework import MIGRATIONS_PATH
from casework.extensions import db
from tests.conftest import ON_POSTGRES, make_app


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    with app.app_context():
        if ON_POSTGRES:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        yield app
        db.session.remove()
        db.engine.dispose()


def _revisions() -> list[str]:
    script = ScriptDirectory(str(MIGRATIONS_PATH))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_models_match_upgrade_head(empty_app: Flask) -> None:
    upgrade(directory=str(MIGRATIONS_PATH))
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_every_migration_goes_up_and_down(empty_app: Flask) -> None:
    directory = str(MIGRATIONS_PATH)
    revisions = _revisions()
    assert revisions, "no migrations found"
    for revision in revisions:
        upgrade(directory=directory, revision=revision)
    tables_at_head = set(inspect(db.engine).get_table_names())
    assert {"cases", "evidence", "complainants", "case_events", "fee_payments"} <= tables_at_head
    for _ in revisions:
        downgrade(directory=directory, revision="-1")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(directory=directory)
    assert set(inspect(db.engine).get_table_names()) == tables_at_head
