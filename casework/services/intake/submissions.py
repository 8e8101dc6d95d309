"""Repeated submissions (a double tap on a slow phone, a refresh of the receipt page, a
partner's retry) return the first receipt instead of lodging a second case."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete

from casework.crypto import DecryptionError, derive_key, open_sealed, seal
from casework.extensions import db
from casework.models import Case, Submission
from casework.models.columns import utcnow

KEEP_FOR = timedelta(hours=1)
MIN_TOKEN = 16


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _key(token: str) -> bytes:
    return derive_key(token.encode("utf-8"), b"casework.receipt")


def usable(token: str | None) -> bool:
    return bool(token) and MIN_TOKEN <= len(token or "") <= 200


def replay(token: str) -> tuple[Case, str] | None:
    """The case and secret of an earlier submission with this token, if recent."""
    seen = db.session.get(Submission, _hash(token))
    if seen is None or seen.created_at < utcnow() - KEEP_FOR:
        return None
    case = db.session.get(Case, seen.case_id)
    if case is None:
        return None
    try:
        secret = open_sealed(_key(token), seen.receipt_sealed, case.reference.encode()).decode()
    except DecryptionError:
        return None
    return case, secret


def remember(case: Case, secret: str, token: str) -> None:
    """Record the submission in the caller's transaction; forget ones older than an hour."""
    db.session.execute(delete(Submission).where(Submission.created_at < utcnow() - KEEP_FOR))
    db.session.add(
        Submission(
            token_hash=_hash(token),
            case=case,
            receipt_sealed=seal(_key(token), secret.encode(), case.reference.encode()),
        )
    )
