"""Repeated submissions (a double tap on a slow phone, Back and send again, a partner's retry)
answer the first receipt instead of lodging a second case — but only to whoever sent it.

A submission key is a random value of at least 128 bits that only the worker's browser (a
hidden form field) or the partner's app (the `Idempotency-Key` header) holds. A replay must
carry the same key and the same complaint (a SHA-256 of the parsed complaint and of every file):
a different complaint under a used key is refused. The follow-up secret is shown again only for
`SECRET_WINDOW`, and only to the holder of the key (and, on the web, of the cookie set with the
form): it is sealed under a key derived from both, never stored in plain, and the sealed copy is
dropped when the window has passed. The reference stays known to the key's holder for
`KEEP_FOR`, so a late retry is told the complaint exists instead of lodging it twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update

from casework.crypto import DecryptionError, derive_key, open_sealed, seal
from casework.extensions import db
from casework.models import Case, Evidence, Submission
from casework.models.columns import utcnow
from casework.services.errors import DomainError
from casework.services.evidence.operations import IncomingFile
from casework.services.intake.complaint import ComplaintInput

SECRET_WINDOW = timedelta(minutes=15)
KEEP_FOR = timedelta(hours=24)
MIN_KEY_BITS = 128
MAX_KEY_LENGTH = 128
MIN_DISTINCT = 8  # "aaaa…" or "0000…" is long but not random
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")
_HEX = re.compile(r"[0-9a-fA-F-]+")


class SubmissionKeyRefused(DomainError):
    """The key is too short, too long, too uniform or has characters outside [A-Za-z0-9_-]."""


class SubmissionReused(DomainError):
    """The key was already used for a different complaint."""


class ReceiptUnavailable(DomainError):
    """This complaint was already lodged, but its secret cannot be shown again here (the window
    has passed, or another browser sent it). `reference` is the case's reference."""

    def __init__(self, reference: str):
        super().__init__("receipt unavailable")
        self.reference = reference


def key_bits(token: str) -> float:
    """The entropy a random key of this shape carries: digits, hex (hyphens of a UUID aside)
    or base64url characters."""
    if token.isascii() and token.isdecimal():
        return len(token) * math.log2(10)
    if _HEX.fullmatch(token):
        return len(token.replace("-", "")) * 4.0
    return len(token) * 6.0


def strong_key(token: str) -> bool:
    """True if `token` can be a submission key: at least 128 bits, at most 128 characters."""
    return (
        len(token) <= MAX_KEY_LENGTH
        and _ALPHABET.fullmatch(token) is not None
        and len(set(token)) >= MIN_DISTINCT
        and key_bits(token) >= MIN_KEY_BITS
    )


def body_hash(complaint: ComplaintInput, uploads: Sequence[tuple[str, IncomingFile]]) -> str:
    """SHA-256 of the complaint as parsed (so spacing or key order do not matter) and of each
    file's content, in order."""

    def plain(value: object) -> object:  # dates and Decimals, as written
        return value.isoformat() if isinstance(value, date) else str(value)

    document = json.dumps(
        asdict(complaint), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=plain
    )
    digest = hashlib.sha256(document.encode("utf-8"))
    for field, incoming in uploads:
        digest.update(b"\x00" + field.encode("utf-8") + b"\x00" + incoming.sha256.encode("ascii"))
    return digest.hexdigest()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _key(token: str, holder: str) -> bytes:
    return derive_key(token.encode("utf-8") + b"\x00" + holder.encode("utf-8"), b"casework.receipt")


def _aad(reference: str, body: str) -> bytes:
    return f"{reference}\x00{body}".encode("ascii")


def _recent(token: str) -> Submission | None:
    seen = db.session.get(Submission, _hash(token))
    if seen is None or seen.created_at < utcnow() - KEEP_FOR:
        return None
    return seen


def _open(seen: Submission, case: Case, token: str, holder: str) -> str | None:
    if seen.receipt_sealed is None or seen.created_at < utcnow() - SECRET_WINDOW:
        return None
    try:
        sealed = open_sealed(
            _key(token, holder), seen.receipt_sealed, _aad(case.reference, seen.body_hash)
        )
    except DecryptionError:
        return None  # another browser's cookie, or another client
    return sealed.decode("ascii")


def replay(token: str, holder: str, body: str) -> tuple[Case, str] | None:
    """The case and secret of an earlier submission of the same complaint with this key, or
    None if the key is new. Raises `SubmissionReused` for a different complaint under the key
    and `ReceiptUnavailable` if the secret may not be shown again."""
    if not strong_key(token):
        raise SubmissionKeyRefused("weak submission key")
    seen = _recent(token)
    if seen is None:
        return None
    if not hmac.compare_digest(seen.body_hash, body):
        raise SubmissionReused("submission key reused for another complaint")
    case = db.session.get(Case, seen.case_id)
    if case is None:
        return None
    secret = _open(seen, case, token, holder)
    if secret is None:
        raise ReceiptUnavailable(case.reference)
    return case, secret


@dataclass(frozen=True)
class Receipt:
    """What the receipt page shows: the reference, the secret while it may be shown, and how
    many of the worker's files the case holds."""

    reference: str
    secret: str | None
    files: int


def receipt(token: str | None, holder: str) -> Receipt | None:
    """For the receipt page: the submission made with this key, with its secret while the
    window lasts and the holder matches; None if there is none (any more)."""
    if not token or not strong_key(token):
        return None
    seen = _recent(token)
    case = db.session.get(Case, seen.case_id) if seen is not None else None
    if seen is None or case is None:
        return None
    files = db.session.scalar(
        select(func.count(Evidence.id)).where(
            Evidence.case_id == case.id, Evidence.uploaded_by == "worker"
        )
    )
    return Receipt(case.reference, _open(seen, case, token, holder), int(files or 0))


def forget_old_receipts() -> None:
    """In the caller's transaction: drop sealed secrets whose window has passed and forget
    submissions older than `KEEP_FOR` (run on every lodging; a retention job may run it too)."""
    now = utcnow()
    db.session.execute(delete(Submission).where(Submission.created_at < now - KEEP_FOR))
    db.session.execute(
        update(Submission)
        .where(Submission.created_at < now - SECRET_WINDOW, Submission.receipt_sealed.is_not(None))
        .values(receipt_sealed=None)
    )


def remember(case: Case, secret: str, token: str, holder: str, body: str) -> None:
    """Record the submission in the caller's transaction (see `forget_old_receipts`)."""
    forget_old_receipts()
    db.session.add(
        Submission(
            token_hash=_hash(token),
            case=case,
            body_hash=body,
            receipt_sealed=seal(
                _key(token, holder), secret.encode("ascii"), _aad(case.reference, body)
            ),
            created_at=utcnow(),
        )
    )


def forget_secret(token: str | None) -> None:
    """Drop the sealed secret of this submission now (the quick exit); the reference stays
    known to the key's holder. Commits."""
    if not token or not strong_key(token):
        return
    db.session.execute(
        update(Submission).where(Submission.token_hash == _hash(token)).values(receipt_sealed=None)
    )
    db.session.commit()
