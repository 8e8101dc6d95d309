"""Server-side staff sessions.

The signed session cookie carries a random 256-bit token; the database keeps only its SHA-256,
with the user, when the session began and when it was last used. A session counts only while
its row exists, the user is active, it has been used within `STAFF_IDLE_TIMEOUT_SECONDS` and
began less than `STAFF_SESSION_MAX_SECONDS` ago — all checked here, on the server, so a copied
or edited cookie cannot outlive a sign-out, a password change, a second-factor reset or a
deactivation, nor stretch its own lifetime.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from casework.extensions import db
from casework.models import StaffSession, User
from casework.models.columns import utcnow
from casework.services import audit

# Writing `last_seen_at` on every request would make every page a write; once a minute is
# enough (the idle timeout then errs by at most a minute on the strict side).
TOUCH_SECONDS = 60

ENDED_IDLE = "idle"
ENDED_TOO_OLD = "too_old"
ENDED_REVOKED = "revoked"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _idle_limit() -> timedelta:
    return timedelta(seconds=current_app.config["STAFF_IDLE_TIMEOUT_SECONDS"])


def _age_limit() -> timedelta:
    return timedelta(seconds=current_app.config["STAFF_SESSION_MAX_SECONDS"])


# Most specific first: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Opera", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_PLATFORMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str) -> tuple[str, str]:
    """A coarse (browser, platform) from a User-Agent, e.g. ("Chromium", "Android"): enough
    for staff to recognise their own devices, too little to fingerprint anyone."""
    text = re.sub(r"[^\x20-\x7e]", "", user_agent or "")[:512]
    browser = next((name for marker, name in _BROWSERS if marker in text), "")
    platform = next((name for marker, name in _PLATFORMS if marker in text), "")
    return browser, platform


def purge_expired(now: datetime | None = None) -> int:
    """Delete every session past its idle or absolute lifetime (an indexed range delete);
    runs at each sign-in, so expired rows never pile up. The caller commits."""
    now = now or utcnow()
    result = db.session.execute(
        delete(StaffSession).where(
            or_(
                StaffSession.created_at < now - _age_limit(),
                StaffSession.last_seen_at < now - _idle_limit(),
            )
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def open_session(user: User, user_agent: str) -> str:
    """Start a session for `user` (signed in with every factor); returns the cookie token.
    Records the sign-in and commits."""
    now = utcnow()
    purge_expired(now)
    token = secrets.token_urlsafe(32)
    browser, platform = describe_device(user_agent)
    db.session.add(
        StaffSession(
            token_hash=_hash(token),
            user_id=user.id,
            user_version=user.session_version,
            created_at=now,
            last_seen_at=now,
            browser=browser,
            platform=platform,
        )
    )
    user.last_login_at = now
    audit.record_audit(user, audit.LOGIN, "user", str(user.id))
    db.session.commit()
    return token


@dataclass(frozen=True)
class Resumed:
    """The outcome of checking a session cookie: the user, or why there is none."""

    user: User | None
    ended: str = ""


def _find(token: object) -> StaffSession | None:
    if not isinstance(token, str) or not token or len(token) > 128:
        return None
    return db.session.scalars(
        select(StaffSession).where(StaffSession.token_hash == _hash(token))
    ).first()


def resume_session(token: object, login_id: str) -> Resumed:
    """The user a request's session belongs to, if the session still counts; a session that
    has ended for good is deleted. `login_id` is Flask-Login's `user id:session version`,
    which must agree with the record."""
    record = _find(token)
    if record is None:
        return Resumed(None, ENDED_REVOKED if token else "")
    user = db.session.get(User, record.user_id)
    now = utcnow()
    ended = ""
    if (
        user is None
        or not user.is_active
        or record.user_version != user.session_version
        or login_id != user.get_id()
    ):
        ended = ENDED_REVOKED
    elif now - record.created_at > _age_limit():
        ended = ENDED_TOO_OLD
    elif now - record.last_seen_at > _idle_limit():
        ended = ENDED_IDLE
    # Statements rather than unit-of-work changes: a parallel request may have deleted the
    # row meanwhile (a sign-out), which is no error.
    this = StaffSession.id == record.id
    if ended:
        db.session.execute(delete(StaffSession).where(this))
        db.session.commit()
        return Resumed(None, ended)
    if (now - record.last_seen_at).total_seconds() >= TOUCH_SECONDS:
        db.session.execute(
            update(StaffSession).where(this).values(last_seen_at=now),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()
    return Resumed(user)


def end_session(user: User | None, token: object) -> None:
    """Sign out: the session's record is deleted, so its cookie opens nothing anywhere."""
    if isinstance(token, str) and token:
        db.session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))
    if user is not None:
        audit.record_audit(user, audit.LOGOUT, "user", str(user.id))
    db.session.commit()


def end_all_sessions(users: Iterable[User]) -> None:
    """End every session of these users (password change, second-factor reset, deactivation).
    The session version is bumped too, so a cookie from before cannot be matched again. The
    caller commits."""
    for user in users:
        user.session_version += 1
        db.session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


@dataclass(frozen=True)
class SessionRow:
    id: int
    browser: str
    platform: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


def list_sessions(user: User, token: object) -> list[SessionRow]:
    """The user's sessions that still count, newest use first; `current` marks this one."""
    now = utcnow()
    current = _hash(token) if isinstance(token, str) else ""
    records = db.session.scalars(
        select(StaffSession)
        .where(
            StaffSession.user_id == user.id,
            StaffSession.user_version == user.session_version,
            StaffSession.created_at >= now - _age_limit(),
            StaffSession.last_seen_at >= now - _idle_limit(),
        )
        .order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())
    )
    return [
        SessionRow(
            r.id, r.browser, r.platform, r.created_at, r.last_seen_at, r.token_hash == current
        )
        for r in records
    ]


def end_other_session(user: User, session_id: int | None, token: object) -> int:
    """End the user's own sessions other than this one: one by id, or all when `session_id`
    is None. Another user's session is never touched. Returns how many ended; commits."""
    current = _hash(token) if isinstance(token, str) else ""
    query = delete(StaffSession).where(
        StaffSession.user_id == user.id, StaffSession.token_hash != current
    )
    if session_id is not None:
        query = query.where(StaffSession.id == session_id)
    ended = int(getattr(db.session.execute(query), "rowcount", 0) or 0)
    if ended:
        audit.record_audit(
            user, audit.LOGOUT, "user", str(user.id), f"ended {ended} other session(s)"
        )
    db.session.commit()
    return ended
