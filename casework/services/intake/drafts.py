"""The step-by-step form's answers, kept between its pages, sealed under the browser's key.

The worker's browser holds the only key: a cookie carries a random draft id and a random
256-bit key. The database keeps the SHA-256 of the id (to find the row) and the answers
sealed with AES-256-GCM under a key derived from the cookie's key, bound to that hash. A stolen
database, backup, key ring or all three together cannot read a draft, and a request without
the cookie cannot even find it. A draft lives `KEEP_FOR` from the moment it was begun; the
evidence_cleanup job removes what has expired, and sending or the quick exit removes it at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from casework.crypto import DecryptionError, derive_key, open_sealed, seal
from casework.extensions import db
from casework.models import ComplaintDraft
from casework.models.columns import utcnow

KEEP_FOR = timedelta(hours=24)
MAX_SEALED_BYTES = 256 * 1024  # far above a full complaint's answers
_INFO = b"casework.complaint-draft"


@dataclass
class Draft:
    """The answers so far: `fields` maps each form field's name to its values as posted,
    `token` is the complaint's submission key (idempotency, held files), `confirmed` the
    unusual answers the worker said are right. A sent draft keeps only its token (so a second
    tap of "Send" finds the receipt) until it expires."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    token: str = ""
    confirmed: list[str] = field(default_factory=list)
    sent: bool = False


def new_draft_cookie() -> str:
    """A fresh cookie value: a random draft id and a random key, each 256 bits."""
    return f"{secrets.token_urlsafe(32)}.{secrets.token_urlsafe(32)}"


def _split(cookie: str | None) -> tuple[str, bytes] | None:
    draft_id, _, key_text = (cookie or "").partition(".")
    if not (40 <= len(draft_id) <= 64 and 40 <= len(key_text) <= 64):
        return None
    try:
        key = base64.urlsafe_b64decode(key_text + "=" * (-len(key_text) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(key) < 32:
        return None
    id_hash = hashlib.sha256(draft_id.encode("ascii", "replace")).hexdigest()
    return id_hash, key


def _row(id_hash: str) -> ComplaintDraft | None:
    return db.session.scalars(
        select(ComplaintDraft).where(
            ComplaintDraft.id_hash == id_hash, ComplaintDraft.expires_at > utcnow()
        )
    ).first()


def load_draft(cookie: str | None) -> Draft | None:
    """The draft this cookie opens, or None (no cookie, expired, or not this browser's)."""
    parts = _split(cookie)
    if parts is None:
        return None
    id_hash, key = parts
    row = _row(id_hash)
    if row is None:
        return None
    try:
        plain = open_sealed(derive_key(key, _INFO), row.sealed, id_hash.encode("ascii"))
        data: dict[str, Any] = json.loads(plain)
    except (DecryptionError, ValueError):
        return None
    fields = {
        str(name): [str(value) for value in values]
        for name, values in dict(data.get("fields") or {}).items()
        if isinstance(values, list)
    }
    confirmed = [str(p) for p in data.get("confirmed", [])]
    return Draft(fields, str(data.get("token") or ""), confirmed, bool(data.get("sent")))


def save_draft(cookie: str, draft: Draft) -> bool:
    """Seal and store the draft under this cookie (begun now if it is new); commits.
    False if the cookie is malformed or the answers are too large to keep."""
    parts = _split(cookie)
    if parts is None:
        return False
    id_hash, key = parts
    plain = json.dumps(
        {
            "fields": draft.fields,
            "token": draft.token,
            "confirmed": draft.confirmed,
            "sent": draft.sent,
        },
        separators=(",", ":"),
    ).encode("utf-8")
    sealed = seal(derive_key(key, _INFO), plain, id_hash.encode("ascii"))
    if len(sealed) > MAX_SEALED_BYTES:
        return False
    row = _row(id_hash)
    if row is None:
        db.session.execute(delete(ComplaintDraft).where(ComplaintDraft.id_hash == id_hash))
        now = utcnow()
        row = ComplaintDraft(id_hash=id_hash, created_at=now, expires_at=now + KEEP_FOR)
        db.session.add(row)
    row.sealed = sealed
    db.session.commit()
    return True


def mark_sent(cookie: str, draft: Draft) -> None:
    """The complaint was lodged: forget its answers, keep its token until the draft expires;
    commits."""
    save_draft(cookie, Draft(token=draft.token, sent=True))


def discard_draft(cookie: str | None) -> None:
    """Forget this cookie's draft (the quick exit); commits."""
    parts = _split(cookie)
    if parts is not None:
        db.session.execute(delete(ComplaintDraft).where(ComplaintDraft.id_hash == parts[0]))
        db.session.commit()


def discard_expired_drafts(commit: bool = True, now: datetime | None = None) -> int:
    """Remove every draft past its time; returns how many."""
    moment = now or utcnow()
    result = db.session.execute(delete(ComplaintDraft).where(ComplaintDraft.expires_at <= moment))
    if commit:
        db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
