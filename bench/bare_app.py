"""The baseline for the intake benchmark: a bare Flask endpoint that inserts one row into SQLite.

It does the least any complaint endpoint must do: read a JSON body, insert it as one row in a
SQLite database in WAL mode (the same pragmas as casework/sqlite.py), commit, answer 201 with the
row id. One connection per worker process, opened after gunicorn forks.

With BARE_ARGON2="time_cost,memory_kib,parallelism" it also hashes a fresh random secret with
argon2id at that cost, as casework does for every complaint: a second, informational baseline
that separates the deliberate cost of the follow-up secret from the rest of the intake.

    gunicorn --pythonpath bench 'bare_app:create_app()'   (BARE_DB_PATH names the database file)
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from datetime import UTC, datetime

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


def create_app() -> Flask:
    app = Flask(__name__)
    db_path = os.environ.get("BARE_DB_PATH", "bare.db")
    connections: dict[int, sqlite3.Connection] = {}
    hasher = None
    if os.environ.get("BARE_ARGON2"):
        time_cost, memory_kib, parallelism = (int(x) for x in os.environ["BARE_ARGON2"].split(","))
        hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )

    def connection() -> sqlite3.Connection:
        pid = os.getpid()  # a connection must never cross a fork
        if pid not in connections:
            connections[pid] = _connect(db_path)
        return connections[pid]

    @app.get("/health")
    def health() -> Response:
        connection()
        return jsonify(ok=True)

    @app.post("/complaints")
    def create_complaint() -> tuple[Response, int]:
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            abort(400)
        secret = f"{secrets.randbelow(10**16):016d}"
        if hasher is not None:
            payload = {**payload, "secret_hash": hasher.hash(secret)}
        cursor = connection().execute(
            "INSERT INTO complaint (created_at, body) VALUES (?, ?)",
            (datetime.now(UTC).isoformat(), json.dumps(payload, ensure_ascii=False)),
        )
        return jsonify(id=cursor.lastrowid, secret=secret), 201

    return app
