"""Fixtures: a real app on a real database (a fresh SQLite file, or the PostgreSQL server named
by DATABASE_URL), a test client, and creator functions that go through the services."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.pool import NullPool

from casework import create_app
from casework.extensions import db
from casework.models import Case
from casework.services.demo_data import load_reference_data

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")

# Cheap argon2 in tests: the same code path, a fraction of the cost.
FAST_HASH = {
    "SECRET_HASH_TIME_COST": 1,
    "SECRET_HASH_MEMORY_KIB": 1024,
    "PASSWORD_HASH_TIME_COST": 1,
    "PASSWORD_HASH_MEMORY_KIB": 1024,
}


def _database_url(tmp_path: Path) -> str:
    return POSTGRES_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'casework.db'}"


def _fresh_request_globals() -> None:
    """Each request in production gets a new app context and so an empty `g`. Tests hold one
    app context open across requests (to use the database between them), so `g` would carry
    the signed-in user, the language and throttling marks from one client's request into the
    next. Emptying it first restores production behaviour."""
    g.__dict__.clear()


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    config = {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
        "SECRET_KEY": "test-secret-key",
        # Given, as SECRET_KEY is, so that apps a test builds on other instance folders over the
        # same database share it (a missing audit key stops an app once events are sealed).
        # tests/unit/test_audit_chain.py covers the key file (instance/keys/audit_key).
        "AUDIT_KEY": "test-audit-key-test-audit-key-test-audit-key",
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        **FAST_HASH,
        **overrides,
    }
    app = create_app(config)
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)
    _apps_of_this_test.append(app)
    return app


# Every app a test builds (a second node, a restored instance...): its connections are closed
# when the test ends, not left for the garbage collector to find open in a later test.
_apps_of_this_test: list[Flask] = []


@pytest.fixture(autouse=True)
def _close_the_apps_connections() -> Iterator[None]:
    yield
    while _apps_of_this_test:
        with _apps_of_this_test.pop().app_context():
            db.session.remove()
            db.engine.dispose()


# The schema and reference data every test starts from, built by the first test that asks and
# then copied (a PostgreSQL template database, a SQLite file): creating ~70 tables and loading
# the reference data on every test cost the PostgreSQL run most of its time.
_PG_READY = "casework_test_ready"
_SQLITE_READY = Path(tempfile.mkdtemp(prefix="casework-ready-")) / "casework.db"
atexit.register(shutil.rmtree, _SQLITE_READY.parent, True)
_ready_built = False
# Set when this test's PostgreSQL database was already made from the ready copy before its app
# started: the app's reset_schema then keeps it (with the key check the app wrote on start).
_postgres_ready_for_app = False


def _recreate_postgres_database(template: str | None = None) -> None:
    """Drop the test database (closing whatever still holds it) and create it again, empty or
    as a copy of `template`."""
    url = make_url(POSTGRES_URL)
    admin = create_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{url.database}"{copy}'))
            if template is None and not _ready_built:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{_PG_READY}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _save_ready_copy(app: Flask) -> None:
    if ON_POSTGRES:
        url = make_url(POSTGRES_URL)
        admin = create_engine(
            url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{_PG_READY}" TEMPLATE "{url.database}"'))
        finally:
            admin.dispose()
    else:
        shutil.copyfile(_sqlite_path(app), _SQLITE_READY)


def _sqlite_path(app: Flask) -> Path:
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    assert database, "tests use a SQLite file"
    return Path(database)


def reset_schema(app: Flask) -> None:
    """The app's database holds the schema and the reference data, nothing else."""
    global _ready_built, _postgres_ready_for_app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # no connection may stay on the database being replaced
        if _ready_built and ON_POSTGRES:
            if _postgres_ready_for_app:  # as a copy would be: without the app's start-up check
                with db.engine.begin() as conn:
                    conn.execute(text("DELETE FROM key_checks"))
                db.engine.dispose()
            else:
                _recreate_postgres_database(template=_PG_READY)
            _postgres_ready_for_app = False
            return
        if _ready_built:
            target = _sqlite_path(app)
            for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(_SQLITE_READY, target)
            return
        if ON_POSTGRES:
            _recreate_postgres_database()
        db.create_all()
        load_reference_data()
        db.session.remove()
        db.engine.dispose()  # a closed SQLite file holds everything (no -wal beside it)
        _save_ready_copy(app)
        _ready_built = True


@pytest.fixture(autouse=True)
def _empty_postgres_database(request: pytest.FixtureRequest) -> None:
    """On PostgreSQL each test starts from an empty database, as each SQLite test starts from a
    new file: the app checks at start-up that its key ring opens every key the database holds,
    and the previous test's cases were wrapped by that test's ring. A test with the `app`
    fixture starts from the ready copy at once (two database copies per test cost ~0.7 s)."""
    global _postgres_ready_for_app
    if not ON_POSTGRES:
        return
    _postgres_ready_for_app = _ready_built and "app" in request.fixturenames
    _recreate_postgres_database(template=_PG_READY if _postgres_ready_for_app else None)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False, REQUIRE_2FA=False)
    reset_schema(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Any]:
    """One real redis-server (no persistence) on 127.0.0.1 for the whole session."""
    from tests.redis_server import redis_available, running_redis_server

    if not redis_available():
        pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/run does)")
    with running_redis_server() as server:
        yield server


@pytest.fixture(scope="session")
def s3_server() -> Iterator[Any]:
    """One local S3-compatible server (moto's) on 127.0.0.1 for the whole session, named to
    boto3 through its standard AWS_* environment variables, as in production."""
    from tests.s3_server import running_s3_server

    with running_s3_server() as server, pytest.MonkeyPatch.context() as patch:
        for name, value in server.environment.items():
            patch.setenv(name, value)
        yield server


@pytest.fixture
def s3_store_url(s3_server: Any) -> str:
    """`s3://<a fresh, empty bucket>/evidence` for one test."""
    return f"s3://{s3_server.new_bucket()}/evidence"


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
    from casework.services.intake.operations import lodge_complaint
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


def case_by_reference(reference: str) -> Case:
    """The case as the database holds it now: the session is expired first, so what requests and
    services committed since the test last looked is read afresh."""
    db.session.expire_all()
    return db.session.scalars(select(Case).where(Case.reference == reference)).one()


# --- staff ------------------------------------------------------------------------------------
STAFF_PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_org(app: Flask) -> Callable[..., Any]:
    """`make_org("gefont", countries=["NP"], languages=["ne", "en"], kind="union")`"""
    from casework.models import Organisation

    def _make(
        slug: str, countries: list[str], languages: list[str] | None = None, kind: str = "union"
    ) -> Any:
        org = Organisation(slug=slug, name=slug.replace("-", " ").title(), kind=kind)
        org.countries = countries
        org.languages = languages or ["en"]
        db.session.add(org)
        db.session.commit()
        return org

    return _make


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    """`make_user(org, "caseworker", languages=["ne"])` with password STAFF_PASSWORD."""
    from casework.models import User
    from casework.services.directory.staff_auth import hash_password

    counter = {"n": 0}

    def _make(
        org: Any, role: str = "caseworker", languages: list[str] | None = None, name: str = ""
    ) -> Any:
        counter["n"] += 1
        user = User(
            email=f"{role}{counter['n']}@{org.slug}.example.org",
            name=name or f"{role.title()} {counter['n']}",
            organisation_id=org.id,
            role=role,
            password_hash=hash_password(STAFF_PASSWORD),
        )
        user.languages = languages or ["en"]
        db.session.add(user)
        db.session.commit()
        return user

    return _make


def login(client: FlaskClient, user: Any) -> None:
    """Sign in through the real login form (the `app` fixture runs with REQUIRE_2FA off)."""
    response = client.post("/login", data={"email": user.email, "password": STAFF_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
