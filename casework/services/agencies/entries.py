"""The registry as admins see it: each country's list at a glance, finding entries, and
editing one by hand (a status change adds a line to its history, like an import)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select

from casework.extensions import db
from casework.models import RegistryAgency, RegistryAlias
from casework.models.columns import utcnow
from casework.models.registry import ALIAS_LIST, STATUSES, VALID
from casework.services import audit
from casework.services.actors import Actor
from casework.services.agencies.matching import rematch_country
from casework.services.agencies.normalise import licence_key, name_key, parse_list_date
from casework.services.agencies.registry_import import record_status
from casework.services.errors import InvalidInput, NotFound

PAGE_SIZE = 50


@dataclass(frozen=True)
class CountryRegistry:
    country: str
    entries: int
    not_valid: int  # entries whose current status is not valid
    last_source: str
    updated_at: Any


def registry_overview() -> list[CountryRegistry]:
    rows = db.session.execute(
        select(
            RegistryAgency.country,
            func.count(),
            func.sum(case((RegistryAgency.status != VALID, 1), else_=0)),
            func.max(RegistryAgency.updated_at),
        )
        .group_by(RegistryAgency.country)
        .order_by(RegistryAgency.country)
    ).all()
    overview = []
    for country, count, not_valid, updated in rows:
        source = db.session.scalar(
            select(RegistryAgency.source)
            .where(RegistryAgency.country == country)
            .order_by(RegistryAgency.updated_at.desc(), RegistryAgency.id.desc())
            .limit(1)
        )
        overview.append(CountryRegistry(country, count, int(not_valid or 0), source or "", updated))
    return overview


def find_entries(country: str, query: str = "", page: int = 1) -> list[RegistryAgency]:
    """One page of a country's entries, by name; `query` matches the licence number (in any
    script or punctuation) or a part of the name."""
    statement = select(RegistryAgency).where(RegistryAgency.country == country.upper())
    if query.strip():
        folded = name_key(query)
        key = licence_key(query)
        conditions = [RegistryAgency.name_key.contains(folded, autoescape=True)] if folded else []
        if key:
            conditions.append(RegistryAgency.licence_key == key)
        if conditions:
            statement = statement.where(or_(*conditions))
    statement = (
        statement.order_by(RegistryAgency.name)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    return list(db.session.scalars(statement))


def get_entry(entry_id: int) -> RegistryAgency:
    entry = db.session.get(RegistryAgency, entry_id)
    if entry is None:
        raise NotFound(f"registry entry {entry_id}")
    return entry


def update_entry(actor: Actor, entry: RegistryAgency, form: dict[str, str]) -> list[str]:
    """Change an entry from the admin form (every field given; aliases one per line). Returns
    the names of the fields that changed; InvalidInput (nothing changed) on a bad field."""
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for name, limit in (
        ("licence_number", 80),
        ("name", 300),
        ("address", 500),
        ("phone", 80),
        ("representative", 200),
    ):
        values[name] = " ".join(form.get(name, "").split())
        if len(values[name]) > limit:
            errors[name] = _l("At most %(n)s characters.", n=limit)
    for name in ("licence_number", "name"):
        if not values[name]:
            errors[name] = _l("This is required.")
    values["status"] = form.get("status", "")
    if values["status"] not in STATUSES:
        errors["status"] = _l("Choose a status.")
    for name in ("status_date", "valid_until"):
        try:
            values[name] = parse_list_date(form.get(name, ""))
        except ValueError:
            errors[name] = _l("Write the date as year-month-day, e.g. 2026-03-01.")
    key = licence_key(values["licence_number"])
    if key and key != entry.licence_key and _licence_taken(entry.country, key):
        errors["licence_number"] = _l("Another entry of this country has this licence number.")
    if errors:
        raise InvalidInput(errors)
    changed = [name for name, value in values.items() if getattr(entry, name) != value]
    if "status" in changed or "valid_until" in changed:
        since: date = values["status_date"] or utcnow().date()
        record_status(entry, values["status"], since, values["valid_until"], "edited by an admin")
    for name in changed:
        setattr(entry, name, values[name])
    entry.licence_key = key
    entry.name_key = name_key(entry.name)
    aliases = [" ".join(a.split())[:300] for a in form.get("aliases", "").splitlines() if a.strip()]
    if sorted(a.name for a in entry.aliases if a.origin == ALIAS_LIST) != sorted(aliases):
        entry.aliases = [a for a in entry.aliases if a.origin != ALIAS_LIST] + [
            RegistryAlias(name=a, name_key=name_key(a), origin=ALIAS_LIST) for a in aliases
        ]
        changed.append("aliases")
    if not changed:
        return []
    entry.updated_at = utcnow()
    db.session.flush()
    rematch_country(entry.country)
    audit.record_audit(
        actor, audit.ADMIN_CHANGE, "registry_agency", str(entry.id), "changed " + ",".join(changed)
    )
    db.session.commit()
    return changed


def _licence_taken(country: str, key: str) -> bool:
    return (
        db.session.scalar(
            select(RegistryAgency.id).where(
                RegistryAgency.country == country, RegistryAgency.licence_key == key
            )
        )
        is not None
    )
