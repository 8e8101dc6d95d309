"""The baseline for the intake benchmark: a bare Flask endpoint that inserts one row into SQLite.

It does the least any complaint endpoint must do: read a JSON body, insert it as one row in a
SQLite database in WAL mode (the same pragmas as casework/sqlite.py), commit, answer 201 with the
row id. One connection per worker process, opened after gunicorn forks.

With BARE_ARGON2="time_cost,memory_kib,parallelism" it also hashes a fresh random secret with
argon2id at that cost, as casework does for every complaint: a second, informational baseline
that separates the deliberate cost of the follow-up secret from the rest of the intake.

With BARE_SLOTS=N the hash and the insert wait for one of N slots per process, as casework's
lodging does (casework/services/intake/admission.py): the same admission control on the
least work, to tell what the slots gain from what the rest of casework costs.

With BARE_DATABASE_URL (postgresql://…) it inserts into PostgreSQL instead. A multipart body
(a `complaint` JSON part and `evidence` files, as casework's API takes) is read in full; the
files are dropped.

    gunicorn --pythonpath bench 'bare_app:create_app()'   (BARE_DB_PATH names the database file)
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import threading
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from flask import Flask, abort, jsonify, request
from werkzeug.wrappers import Response

SCHEMA = """
CREATE TABLE IF NOT EXISTS complaint (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
)
"""


PG_SCHEMA = """
CREATE TABLE IF NOT EXISTS bare_complaint (
    id BIGSERIAL PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    body TEXT NOT NULL
)
"""
PG_INSERT = "INSERT INTO bare_complaint (created_at, body) VALUES (%s, %s) RETURNING id"


def _connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=5000",
        "PRAGMA synchronous=NORMAL",
    ):
        connection.execute(pragma)
    connection.execute(SCHEMA)
    return connection


def _connect_postgres(url: str) -> Any:
    import psycopg

    connection = psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    )
    connection.execute(PG_SCHEMA)
    return connection


def _payload() -> dict[str, Any] | None:
    """The complaint: a JSON body, or the `complaint` part of a multipart body whose files are
    read to the end and dropped (received as casework receives them, stored nowhere)."""
    if request.mimetype == "multipart/form-data":
        for upload in request.files.getlist("evidence"):
            while upload.stream.read(64 * 1024):
                pass
        try:
            payload = json.loads(request.form.get("complaint", ""))
        except ValueError:
            return None
    else:
        payload = request.get_json(silent=True)
    return payload if isinstance(payload, dict) else None


def create_app() -> Flask:
    app = Flask(__name__)
    db_path = os.environ.get("BARE_DB_PATH", "bare.db")
    database_url = os.environ.get("BARE_DATABASE_URL", "")
    local = threading.local()
    hasher = None
    if os.environ.get("BARE_ARGON2"):
        time_cost, memory_kib, parallelism = (int(x) for x in os.environ["BARE_ARGON2"].split(","))
        hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )

    slots = int(os.environ.get("BARE_SLOTS", "0"))
    gate = threading.BoundedSemaphore(slots) if slots else contextlib.nullcontext()

    def connection() -> Any:
        # One per process and thread (gthread workers): a connection never crosses a fork.
        if getattr(local, "pid", None) != os.getpid():
            local.pid = os.getpid()
            local.connection = (
                _connect_postgres(database_url) if database_url else _connect(db_path)
            )
        return local.connection

    @app.get("/health")
    def health() -> Response:
        connection()
        return jsonify(ok=True)

    @app.post("/complaints")
    def create_complaint() -> tuple[Response, int]:
        payload = _payload()
        if payload is None:
            abort(400)
        with gate:
            secret, row_id = _insert(payload)
        return jsonify(id=row_id, secret=secret), 201

    def _insert(payload: dict[str, Any]) -> tuple[str, int]:
        secret = f"{secrets.randbelow(10**16):016d}"
        if hasher is not None:
            payload = {**payload, "secret_hash": hasher.hash(secret)}
        body = json.dumps(payload, ensure_ascii=False)
        if database_url:
            row = connection().execute(PG_INSERT, (datetime.now(UTC), body)).fetchone()
            return secret, int(row[0])
        cursor = connection().execute(
            "INSERT INTO complaint (created_at, body) VALUES (?, ?)",
            (datetime.now(UTC).isoformat(), body),
        )
        return secret, int(cursor.lastrowid or 0)

    return app
