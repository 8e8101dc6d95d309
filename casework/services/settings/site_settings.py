"""Settings an admin changes while the instance runs, read through a short per-process cache
so that a page showing one costs no query on most requests; another node sees a change within
CACHE_SECONDS, the node that made it at once. A setting nobody changed yet has its deployment
default (casework/config.py). Every change is audited."""

from __future__ import annotations

import logging
import time

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from casework.extensions import db
from casework.models import SiteSetting, User
from casework.models.columns import utcnow
from casework.services import audit

PUBLIC_AGENCY_CHECK = "public_agency_check"
DEFAULTS_FROM_CONFIG = {PUBLIC_AGENCY_CHECK: "PUBLIC_AGENCY_CHECK"}
CACHE_SECONDS = 30.0
SETTING_CHANGED = "setting_changed"
_EXTENSION = "casework.site_settings"

log = logging.getLogger(__name__)


def _cache() -> dict[str, tuple[float, bool]]:
    cache: dict[str, tuple[float, bool]] = current_app.extensions.setdefault(_EXTENSION, {})
    return cache


def is_on(name: str) -> bool:
    """Whether the on/off setting `name` is on. When the database cannot be read, the last
    value read, or else off: a setting never turns an outage into an error page."""
    cached = _cache().get(name)
    now = time.monotonic()
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    try:
        row = db.session.get(SiteSetting, name)
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("setting %s could not be read; keeping %s", name, cached is not None)
        return cached[1] if cached is not None else False
    value = row.value == "on" if row else bool(current_app.config.get(DEFAULTS_FROM_CONFIG[name]))
    _cache()[name] = (now, value)
    return value


def turn(actor: User, name: str, on: bool) -> bool:
    """Set `name` on or off; returns whether anything changed (audited when it did)."""
    if name not in DEFAULTS_FROM_CONFIG:
        raise KeyError(name)
    was = is_on(name)
    row = db.session.get(SiteSetting, name)
    if row is None:
        row = SiteSetting(name=name, value="")
        db.session.add(row)
    row.value = "on" if on else "off"
    row.changed_at = utcnow()
    row.changed_by = actor.id
    if was != on:
        audit.record_audit(actor, SETTING_CHANGED, "setting", name, row.value)
    db.session.commit()
    _cache().pop(name, None)
    return was != on
