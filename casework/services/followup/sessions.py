"""The worker's follow-up session: after reference and secret, a random token in an HttpOnly
cookie opens the case's page until it idles out, grows too old or the quick exit ends it.

The token, not the secret, is what the browser keeps; the database keeps only its SHA-256.
Pages can then redirect after every form (Back never re-posts a message) and the quick exit
can end the session on the server, not only in the browser.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_

from casework.extensions import db
from casework.models import Case, FollowupSession
from casework.models.columns import utcnow

# Touching `last_seen_at` on every page would write on every read; once a minute is enough.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _idle() -> timedelta:
    return timedelta(seconds=current_app.config["FOLLOWUP_SESSION_IDLE_SECONDS"])


def _lifetime() -> timedelta:
    return timedelta(seconds=current_app.config["FOLLOWUP_SESSION_MAX_SECONDS"])


def start_followup_session(case: Case) -> str:
    """A new session for `case` (the caller checked reference and secret); returns the token
    for the cookie. Forgets sessions that idled out or grew too old. Commits."""
    now = utcnow()
    db.session.execute(
        delete(FollowupSession).where(
            or_(
                FollowupSession.last_seen_at < now - _idle(),
                FollowupSession.created_at < now - _lifetime(),
            )
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(FollowupSession(token_hash=_hash(token), case_id=case.id, created_at=now))
    db.session.commit()
    return token


def followup_session_case(token: str | None) -> Case | None:
    """The case this session opens, or None if the token is unknown, ended, idle or too old."""
    if not token or len(token) > 100:
        return None
    found = db.session.get(FollowupSession, _hash(token))
    if found is None:
        return None
    now = utcnow()
    if found.last_seen_at < now - _idle() or found.created_at < now - _lifetime():
        return None
    if found.last_seen_at < now - TOUCH_EVERY:
        found.last_seen_at = now
        db.session.commit()
    return db.session.get(Case, found.case_id)


def end_followup_session(token: str | None) -> None:
    """End the session (the quick exit): its token opens nothing from now on. Commits."""
    if not token or len(token) > 100:
        return
    db.session.execute(delete(FollowupSession).where(FollowupSession.token_hash == _hash(token)))
    db.session.commit()
