"""Fixtures: a real app on a real database (a fresh SQLite file, or the PostgreSQL server named
by DATABASE_URL), a test client, and creator functions that go through the services."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text

from casework import create_app
from casework.extensions import db
from casework.services.demo_data import load_reference_data

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")

# Cheap argon2 in tests: the same code path, a fraction of the cost.
FAST_HASH = {"SECRET_HASH_TIME_COST": 1, "SECRET_HASH_MEMORY_KIB": 1024}


def _database_url(tmp_path: Path) -> str:
    return POSTGRES_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'casework.db'}"


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    config = {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
        "SECRET_KEY": "test-secret-key",
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        **FAST_HASH,
        **overrides,
    }
    return create_app(config)


def reset_schema(app: Flask) -> None:
    with app.app_context():
        if ON_POSTGRES:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        load_reference_data()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False)
    reset_schema(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def complaint_payload(**changes: Any) -> dict[str, Any]:
    """A realistic complaint in the API's shape; keyword arguments replace top-level fields."""
    payload: dict[str, Any] = {
        "language": "ne",
        "origin_country": "NP",
        "destination_country": "QA",
        "agency": {"name": "Himal Overseas Manpower", "licence_number": "1234/067/68"},
        "employer": {"name": "Doha Build Contracting"},
        "abuse_categories": ["RA_FEES", "FL_DOCS"],
        "fees": [
            {
                "category": "FEE_AGENT",
                "amount": "150000",
                "receipt_amount": "10000",
                "currency": "NPR",
                "paid_on": "2026-03-01",
                "payee": "agency",
            }
        ],
        "recruitment_channel": "agency",
        "promised_monthly_wage": {"amount": "1200", "currency": "QAR"},
        "actual_monthly_wage": {"amount": "800", "currency": "QAR"},
        "departure_date": "2026-04-01",
        "incident_date": "2026-06-01",
        "narrative": "The agent took my passport and charged me 150000 rupees.",
        "contact": {
            "name": "Ram Bahadur Test",
            "phone": "+977 9812345678",
            "channel": "whatsapp",
            "safe_times": "evenings",
        },
        "consent": {"share_with_partners": True, "share_across_borders": True},
    }
    payload.update(changes)
    return payload


@pytest.fixture
def lodge(app: Flask) -> Callable[..., Any]:
    """Lodge a complaint through the intake service: `lodge(files=[(name, bytes)], **payload)`."""
    from casework.services.intake import lodge_complaint
    from casework.services.runtime import evidence_store
    from casework.storage.spool import spool_bytes

    def _lodge(files: list[tuple[str, bytes]] | None = None, **changes: Any) -> Any:
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
            for name, data in (files or [])
        ]
        return lodge_complaint(complaint_payload(**changes), uploads, source="api")

    return _lodge
