"""Dumping and restoring the database, on PostgreSQL and on SQLite.

PostgreSQL: `pg_dump --format=custom` runs inside a snapshot this process exported
(`pg_export_snapshot`), so the counts and blob ids the manifest records are those of the very
rows in the dump; `pg_restore --single-transaction` restores all of it or nothing. SQLite: the
online backup API copies a live WAL database page by page into one self-contained file, and
the same API copies it back. Credentials reach the PostgreSQL tools through libpq's
environment variables, never the command line (which `ps` shows to everyone).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, MetaData, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from casework.models import Evidence
from casework.services.backup.manifest import BackupError
from casework.services.keys.inventory import master_key_ids_in_use

POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
_LIBPQ_QUERY = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "application_name": "PGAPPNAME",
}


@dataclass
class DatabaseSnapshot:
    """What the dump holds, read from the dump's own snapshot."""

    kind: str
    file: str
    schema_revision: str | None
    counts: dict[str, int] = field(default_factory=dict)
    master_key_ids: list[str] = field(default_factory=list)
    blob_ids: list[str] = field(default_factory=list)
    tool: str = ""


def database_kind(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in ("postgresql", "sqlite"):
        raise BackupError(f"backups support PostgreSQL and SQLite, not {name}")
    return name


def describe(conn: Connection, kind: str, file: str) -> DatabaseSnapshot:
    """Row counts of every table, the schema revision, the master key ids and blob ids in use."""
    tables = sorted(inspect(conn).get_table_names())
    counts = {
        name: int(conn.scalar(select(func.count()).select_from(text(_quoted(conn, name)))) or 0)
        for name in tables
    }
    revision = None
    if "alembic_version" in tables:
        revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
    blob_ids = list(conn.scalars(select(Evidence.blob_id))) if "evidence" in tables else []
    return DatabaseSnapshot(
        kind=kind,
        file=file,
        schema_revision=revision,
        counts=counts,
        master_key_ids=sorted(master_key_ids_in_use(conn)),
        blob_ids=blob_ids,
    )


def _quoted(conn: Connection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def is_empty(engine: Engine) -> bool:
    """No table at all: a database made for the restore, not one that ever held this app."""
    with engine.connect() as conn:
        return not inspect(conn).get_table_names()


def dump_database(engine: Engine, folder: Path) -> DatabaseSnapshot:
    if database_kind(engine) == "postgresql":
        return _dump_postgres(engine, folder)
    return _dump_sqlite(engine, folder)


def restore_database(engine: Engine, folder: Path, kind: str) -> None:
    """Load the dump into the (empty) database `engine` points at: all of it or nothing."""
    if database_kind(engine) != kind:
        raise BackupError(
            f"this backup holds a {kind} database; the instance uses "
            f"{engine.dialect.name}: restore it into the same kind of database."
        )
    engine.dispose()  # no pooled connection may hold the old, empty file or a stale catalogue
    if kind == "postgresql":
        _run(
            engine,
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={engine.url.database}",  # host, user, password: libpq's environment
            str(folder / POSTGRES_DUMP),
        )
    else:
        _sqlite_copy(folder / SQLITE_COPY, _sqlite_path(engine))
    engine.dispose()


def wipe_database(engine: Engine) -> None:
    """Drop every table: undoes a restore that failed its checks (the database was empty)."""
    engine.dispose()
    metadata = MetaData()
    with engine.begin() as conn:
        metadata.reflect(conn)
        metadata.drop_all(conn)
    engine.dispose()


# --- PostgreSQL -----------------------------------------------------------------------------
def _dump_postgres(engine: Engine, folder: Path) -> DatabaseSnapshot:
    target = folder / POSTGRES_DUMP
    with engine.connect() as raw:
        conn = raw.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot_id = conn.scalar(text("SELECT pg_export_snapshot()"))
            _run(
                engine,
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot_id}",
                f"--file={target}",
            )
            snapshot = describe(conn, "postgresql", POSTGRES_DUMP)
    target.chmod(0o600)
    snapshot.tool = _version("pg_dump")
    return snapshot


def pg_tool(name: str) -> str:
    """The newest installed PostgreSQL client program (Debian keeps them under
    /usr/lib/postgresql/<version>/bin); a dump needs a pg_dump at least as new as the server."""
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: [int(p) for p in Path(path).parts[-3].split(".") if p.isdigit()],
        reverse=True,
    )
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _libpq_environment(engine: Engine) -> dict[str, str]:
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for value, variable in (
        (url.host, "PGHOST"),
        (url.port, "PGPORT"),
        (url.username, "PGUSER"),
        (url.password, "PGPASSWORD"),
        (url.database, "PGDATABASE"),
    ):
        if value:
            env[variable] = str(value)
    for key, variable in _LIBPQ_QUERY.items():
        option = url.query.get(key)
        if option:
            env[variable] = option if isinstance(option, str) else option[0]
    return env


def _run(engine: Engine, tool: str, *args: str) -> None:
    result = subprocess.run(  # noqa: S603 - a fixed PostgreSQL tool, arguments we built
        [pg_tool(tool), *args],
        env=_libpq_environment(engine),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[-800:]}")


def _version(tool: str) -> str:
    result = subprocess.run(  # noqa: S603 - a fixed PostgreSQL tool
        [pg_tool(tool), "--version"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


# --- SQLite ---------------------------------------------------------------------------------
def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("backups need a SQLite database in a file")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """The online backup API: a consistent copy even while others write (WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def _dump_sqlite(engine: Engine, folder: Path) -> DatabaseSnapshot:
    target = folder / SQLITE_COPY
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    _sqlite_copy(_sqlite_path(engine), target)
    # One self-contained file: no -wal or -shm beside it, whatever the source used.
    with sqlite3.connect(target) as copy:
        copy.execute("PRAGMA journal_mode=DELETE")
    copy.close()
    reader = create_engine(f"sqlite:///{target}")
    try:
        with reader.connect() as conn:
            snapshot = describe(conn, "sqlite", SQLITE_COPY)
    finally:
        reader.dispose()
    snapshot.tool = f"sqlite {sqlite3.sqlite_version} backup API"
    return snapshot
