"""When the database, the evidence store or the key ring is down, every answer is 503 with
`Retry-After` and says truthfully that nothing was received; nothing half-written stays behind;
and the app serves again, without a restart, once the dependency is back. Bugs stay 500.

The failures are real ones: a database on a port where nothing listens, a PostgreSQL database
that refuses connections and has its sessions terminated (or, on SQLite, a database folder that
disappears and a write lock another process holds), an evidence folder that is removed or
replaced by a file, a key ring file that is gone.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from casework.error_pages import NOT_RECEIVED, PAGE_UNAVAILABLE, SENT_MAY_BE_LOST
from casework.extensions import db
from casework.models import Case, Evidence
from casework.outages import unavailable_dependency
from tests import samples
from tests.conftest import (
    ON_POSTGRES,
    POSTGRES_URL,
    complaint_payload,
    login,
    make_app,
    reset_schema,
)

FORM = {
    "language": "ne",
    "origin_country": "NP",
    "destination_country": "QA",
    "abuse_categories": ["RA_FEES"],
    "narrative": "The agent kept my passport.",
}


def _api_lodge(client: FlaskClient, with_file: bool = True) -> Any:
    data: dict[str, Any] = {"complaint": json.dumps(complaint_payload())}
    if with_file:
        data["evidence"] = [(io.BytesIO(samples.png()), "passport.png")]
    return client.post("/api/v1/complaints", data=data, content_type="multipart/form-data")


def _said(app: Flask, message: Any, language: str) -> str:
    """`message` as a worker reading `language` sees it on a page (escaped as Jinja does)."""
    with app.test_request_context(headers={"Cookie": f"cw_lang={language}"}):
        return str(escape(str(message)))


def _stored_files(app: Flask) -> list[Path]:
    """Every file in the evidence folder: blobs, staged blobs and temporary files alike."""
    return [p for p in (Path(app.instance_path) / "evidence").rglob("*") if p.is_file()]


def _count(model: Any) -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count(model.id))) or 0)


def _assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "120"
    assert response.headers["Cache-Control"] == "no-store"


# --- a database nobody answers -----------------------------------------------------------------
def _unreachable_database(instance_parent: Path, port: int, **overrides: Any) -> Flask:
    return make_app(
        instance_parent,
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://casework@127.0.0.1:{port}/casework",
        WTF_CSRF_ENABLED=False,
        REQUIRE_2FA=False,
        **overrides,
    )


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port where nothing listens (bound, so nothing else takes it meanwhile)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture
def unreachable_database(tmp_path: Path, closed_port: int) -> Iterator[Flask]:
    """An app whose database is on a port where nothing listens. Its keys come from the
    environment, as they may in production, so it starts without the database."""
    key = base64.urlsafe_b64encode(bytes(range(32))).decode("ascii")
    down = _unreachable_database(
        tmp_path, closed_port, MASTER_KEYS=f"mk-test:{key}", FOLLOWUP_PEPPER="test-pepper"
    )
    yield down
    with down.app_context():
        db.engine.dispose()


def test_worker_pages_say_in_their_language_that_nothing_was_received(
    unreachable_database: Flask,
) -> None:
    client = unreachable_database.test_client()
    client.set_cookie("cw_lang", "ne")

    response = client.post("/complaint", data=FORM)
    _assert_unavailable(response)
    page = response.get_data(as_text=True)
    assert '<html lang="ne"' in page
    assert _said(unreachable_database, NOT_RECEIVED["intake.complaint"], "ne") in page
    assert "was lost" not in page

    client.set_cookie("cw_followup", "a-follow-up-session")
    response = client.post("/follow-up/message", data={"message": "Any news?"})
    _assert_unavailable(response)
    expected = _said(unreachable_database, NOT_RECEIVED["intake.followup_message"], "ne")
    assert expected in response.get_data(as_text=True)

    response = client.get("/complaint")  # the form needs the countries from the database
    _assert_unavailable(response)
    expected = _said(unreachable_database, PAGE_UNAVAILABLE, "ne")
    assert expected in response.get_data(as_text=True)


def test_api_answers_unavailable_in_json(unreachable_database: Flask) -> None:
    response = _api_lodge(unreachable_database.test_client())
    _assert_unavailable(response)
    error = response.get_json()["error"]
    assert error["code"] == "unavailable"
    # In the complaint's own language (Nepali here), like every API message to a worker.
    with unreachable_database.test_request_context():
        from flask_babel import force_locale

        with force_locale("ne"):
            expected = str(NOT_RECEIVED["api.create_complaint"])
    assert error["message"] == expected and "NOT received" not in expected
    assert _stored_files(unreachable_database) == []  # the uploaded file was not kept either


def test_staff_get_a_page_that_needs_no_database(
    app: Flask, closed_port: int, make_org: Any, make_user: Any
) -> None:
    """With a staff cookie, the sign-in check is the only thing that tries the database: the
    error page itself does not (it used to, through the user loader, and crashed bare)."""
    signed_in = app.test_client()
    login(signed_in, make_user(make_org("gefont", countries=["NP"])))
    # The same installation (instance folder, secret key), its database gone.
    unreachable_database = _unreachable_database(Path(app.instance_path).parent, closed_port)
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = signed_in.get_cookie(name)
    assert cookie is not None
    client = unreachable_database.test_client()
    client.set_cookie(name, cookie.value)
    attempts: list[object] = []
    with unreachable_database.app_context():
        event.listen(db.engine, "do_connect", lambda *args: attempts.append(args))

    response = client.get("/cases/")
    _assert_unavailable(response)
    page = response.get_data(as_text=True)
    assert "casework is temporarily unavailable" in page
    assert "Internal Server Error" not in page
    assert len(attempts) == 1
    # Not signed out: the session still names the user once the database is back.
    kept = client.get_cookie(name)
    serializer = unreachable_database.session_interface.get_signing_serializer(  # type: ignore[attr-defined]
        unreachable_database
    )
    assert kept is not None and "_user_id" in serializer.loads(kept.value)

    response = client.post("/cases/CW-AAAA-AAAA/notes", data={"body": "Called the worker."})
    _assert_unavailable(response)
    assert "What you just sent was NOT saved." in response.get_data(as_text=True)

    # A worker page needs no database: it still works with a staff cookie in the browser.
    assert client.get("/").status_code == 200
    with unreachable_database.app_context():
        db.engine.dispose()


# --- the database goes away and comes back -----------------------------------------------------
class DatabaseOutage:
    """Take the app's database away for real, and bring it back.

    PostgreSQL: the database stops accepting connections and every session on it is terminated
    (as a restart or failover does). SQLite: the folder holding the file disappears (as an
    unmounted volume does) and pooled connections are closed.
    """

    def __init__(self, app: Flask, folder: Path):
        self.app = app
        self.folder = folder

    def postgres_connections(self, allow: bool) -> None:
        url = make_url(POSTGRES_URL)
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                name = url.database
                conn.execute(
                    text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allow).lower()}')
                )
                if not allow:
                    conn.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :name AND pid <> pg_backend_pid()"
                        ),
                        {"name": name},
                    )
        finally:
            admin.dispose()

    def begin(self) -> None:
        # Requests in these tests share the test's app context and so its database session,
        # which production never does (each request's session ends with it): end it here.
        db.session.remove()
        if ON_POSTGRES:
            self.postgres_connections(allow=False)
        else:
            self.folder.rename(self.folder.with_name("database-away"))
            db.engine.dispose()

    def end(self) -> None:
        if ON_POSTGRES:
            self.postgres_connections(allow=True)
        else:
            self.folder.with_name("database-away").rename(self.folder)


@pytest.fixture
def outage_app(tmp_path: Path) -> Iterator[tuple[Flask, DatabaseOutage]]:
    folder = tmp_path / "database"
    url = POSTGRES_URL if ON_POSTGRES else f"sqlite:///{folder / 'casework.db'}"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    reset_schema(app)
    outage = DatabaseOutage(app, folder)
    with app.app_context():
        try:
            yield app, outage
        finally:
            if ON_POSTGRES:
                outage.postgres_connections(allow=True)  # whatever happened, the next test needs it
            db.session.remove()
            db.engine.dispose()


def _fail_mid_lodging(app: Flask, outage: DatabaseOutage) -> tuple[list[int], Any]:
    """Make the database fail at the first write of the new case (its agency, then the case:
    one flush at commit), after the evidence was encrypted and staged in the store. Returns
    the number of files in the store at that moment, and what undoes the failure."""
    seen: list[int] = []

    def inserting(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT ") and not seen:
            seen.append(len(_stored_files(app)))
            if ON_POSTGRES:
                outage.postgres_connections(
                    allow=False
                )  # this very session is terminated under the insert

    event.listen(db.engine, "before_cursor_execute", inserting)
    if ON_POSTGRES:
        return seen, outage.end
    # SQLite: another process holds the write lock (a backup, a long import); the insert waits
    # for it (briefly here) and gives up with "database is locked".
    event.listen(db.engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA busy_timeout=200"))
    db.engine.dispose()
    holder = sqlite3.connect(outage.folder / "casework.db", isolation_level=None, timeout=0.5)
    holder.execute("BEGIN IMMEDIATE")
    return seen, holder.close


def test_database_failure_mid_lodging_keeps_nothing_and_the_app_recovers(
    outage_app: tuple[Flask, DatabaseOutage],
) -> None:
    app, outage = outage_app
    client = app.test_client()

    seen, undo = _fail_mid_lodging(app, outage)
    response = _api_lodge(client)
    undo()
    _assert_unavailable(response)
    assert response.get_json()["error"]["code"] == "unavailable"
    assert seen == [1]  # the encrypted file was in the store when the database failed...
    assert _stored_files(app) == []  # ...and is gone now
    assert _count(Case) == 0 and _count(Evidence) == 0

    # A whole outage: the same process answers 503 throughout, then serves again.
    outage.begin()
    try:
        assert client.get("/readyz").get_json()["checks"]["database"] == "unavailable"
        _assert_unavailable(_api_lodge(client))
        db.session.remove()  # each request's own session, as in production (see begin())
        _assert_unavailable(client.post("/complaint", data=FORM))
    finally:
        outage.end()
    assert client.get("/readyz").status_code == 200
    response = _api_lodge(client)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert _count(Case) == 1 and _count(Evidence) == 1
    assert len(_stored_files(app)) == 1


# --- the evidence store and the key ring -------------------------------------------------------
def test_evidence_store_failures_store_nothing_and_recover(app: Flask, client: Any) -> None:
    evidence = Path(app.instance_path) / "evidence"
    # 1. The folder is gone (an unmounted volume): the upload cannot even be spooled.
    shutil.rmtree(evidence)
    response = _api_lodge(client)
    _assert_unavailable(response)
    assert response.get_json()["error"]["code"] == "unavailable"
    data = {**FORM, "evidence": (io.BytesIO(samples.png()), "passport.png")}
    response = client.post("/complaint", data=data, content_type="multipart/form-data")
    _assert_unavailable(response)
    assert "NOT received" in response.get_data(as_text=True)
    assert _count(Case) == 0

    # 2. The file is encrypted into a temporary file, but moving it into place fails (the blob
    # folder is not a folder): no case row, and the temporary file is removed.
    (evidence / "tmp").mkdir(parents=True)
    (evidence / "blobs").write_bytes(b"")
    _assert_unavailable(_api_lodge(client))
    assert _count(Case) == 0 and _count(Evidence) == 0
    assert _stored_files(app) == [evidence / "blobs"]

    # 3. The disk is back: the same process stores complaints again.
    (evidence / "blobs").unlink()
    (evidence / "blobs").mkdir()
    assert _api_lodge(client).status_code == 201
    assert _count(Case) == 1 and len(_stored_files(app)) == 1


def test_missing_key_ring_nothing_stored_then_recovers(app: Flask, client: Any) -> None:
    ring = Path(app.config["KEYS_PATH"]) / "keyring.json"
    moved = ring.with_name("keyring.json.elsewhere")
    ring.rename(moved)
    try:
        response = _api_lodge(client)
        _assert_unavailable(response)
        assert response.get_json()["error"]["code"] == "unavailable"
        response = client.post("/complaint", data=FORM)
        _assert_unavailable(response)
        assert _count(Case) == 0
        assert _stored_files(app) == []
    finally:
        moved.rename(ring)
    assert _api_lodge(client).status_code == 201


# --- bugs are not outages ----------------------------------------------------------------------
def test_a_bug_stays_a_500_and_says_only_what_is_true(app: Flask, client: Any) -> None:
    """A missing table is our mistake, not an outage: 500 with no Retry-After. On SQLite this
    is an OperationalError like "database is locked", told apart by its result code."""
    db.session.execute(text("DROP TABLE countries" + (" CASCADE" if ON_POSTGRES else "")))
    db.session.commit()
    response = client.get("/complaint")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side. Please try again in a few minutes." in page
    assert "was lost" not in page

    response = _api_lodge(client, with_file=False)
    assert response.status_code == 500
    assert response.get_json()["error"] == {
        "code": "server_error",
        "message": str(SENT_MAY_BE_LOST),
        "fields": {},
    }


def _real_sqlite_error(tmp_path: Path, sql: str, lock: bool = False) -> DBAPIError:
    engine = create_engine(f"sqlite:///{tmp_path / 'probe.db'}", connect_args={"timeout": 0})
    holder = sqlite3.connect(tmp_path / "probe.db", isolation_level=None)
    holder.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY)")
    holder.execute("INSERT OR IGNORE INTO t VALUES (1)")
    if lock:
        holder.execute("BEGIN EXCLUSIVE")
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    except DBAPIError as error:
        return error
    finally:
        holder.close()
        engine.dispose()
    raise AssertionError("no error")


@pytest.mark.parametrize(
    ("sql", "lock", "dependency"),
    [
        ("INSERT INTO t VALUES (2)", True, "database"),  # database is locked
        ("SELECT * FROM missing", False, None),  # no such table: a bug
        ("INSERT INTO t VALUES (1)", False, None),  # integrity error: a bug
        ("SELEKT 1", False, None),  # syntax error: a bug
    ],
)
def test_which_database_errors_are_outages(
    tmp_path: Path, sql: str, lock: bool, dependency: str | None
) -> None:
    assert unavailable_dependency(_real_sqlite_error(tmp_path, sql, lock)) == dependency
