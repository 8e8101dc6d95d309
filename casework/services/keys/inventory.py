"""Which master keys the database still needs: every id under which a key is stored wrapped."""

from __future__ import annotations

from sqlalchemy import Connection, func, inspect, select

from casework.models import Case, User


def schema_present(conn: Connection) -> bool:
    """False on a fresh install before `db upgrade` (nothing wrapped can exist yet)."""
    names = set(inspect(conn).get_table_names())
    return {Case.__tablename__, User.__tablename__} <= names


def master_key_ids_in_use(conn: Connection) -> set[str]:
    """The ids of the master keys that wrap a live case key or a staff TOTP secret. Distinct
    case key ids are read by index seeks (`ix_cases_live_key_id`), one per id, never a scan."""
    if not schema_present(conn):
        return set()
    ids: set[str] = set()
    last = ""
    while True:
        key_id = conn.scalar(
            select(func.min(Case.key_id)).where(Case.wrapped_key.is_not(None), Case.key_id > last)
        )
        if key_id is None:
            break
        ids.add(key_id)
        last = key_id
    ids.update(
        conn.scalars(
            select(User.totp_key_id)
            .where(User.totp_wrapped.is_not(None), User.totp_key_id.is_not(None))
            .distinct()
        )
    )
    return ids


def wraps_anything(conn: Connection, key_id: str) -> bool:
    """Whether any stored wrapped key still needs master key `key_id`."""
    if not schema_present(conn):
        return False
    case = conn.scalar(
        select(Case.id).where(Case.key_id == key_id, Case.wrapped_key.is_not(None)).limit(1)
    )
    user = conn.scalar(
        select(User.id).where(User.totp_key_id == key_id, User.totp_wrapped.is_not(None)).limit(1)
    )
    return case is not None or user is not None


def has_cases(conn: Connection) -> bool:
    return schema_present(conn) and conn.scalar(select(Case.id).limit(1)) is not None
