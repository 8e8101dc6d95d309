"""Importing a country's list into the registry: new entries added, known ones (same
normalised licence number) updated, every change of status kept in the entry's history, the
list's aliases replaced while aliases caseworkers taught are kept. Entries missing from a
list are left as they are (many lists publish only the suspended or the banned). Afterwards
every agency of the country not yet linked is matched again. One transaction, audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from casework.extensions import db
from casework.models import RegistryAgency, RegistryAlias, RegistryStatusChange
from casework.models.columns import utcnow
from casework.models.registry import ALIAS_LIST
from casework.services import audit
from casework.services.actors import Actor
from casework.services.agencies.lists import AgencyList, ListRow
from casework.services.agencies.matching import rematch_country
from casework.services.agencies.normalise import name_key
from casework.services.errors import InvalidInput


@dataclass
class ImportResult:
    country: str
    source: str
    added: int = 0
    updated: int = 0
    status_changes: int = 0  # entries whose status (or licence end) changed: a history line each
    unchanged: int = 0
    linked: int = 0  # complaints' agencies linked by the re-match that followed
    errors: list[tuple[int, str]] = field(default_factory=list)


def import_agency_list(actor: Actor, country: str, source: str, parsed: AgencyList) -> ImportResult:
    """Apply a read list to `country`'s registry and commit. Rows with errors are skipped and
    returned in `errors`; a list with no readable row changes nothing (InvalidInput)."""
    country = country.strip().upper()
    source = " ".join(source.split())[:200]
    problems = {}
    if len(country) != 2 or not country.isalpha():
        problems["country"] = _l("Choose the country whose list this is.")
    if not source:
        problems["source"] = _l("Say which list this is (e.g. “DoFE list 2026-11”).")
    if not parsed.rows:
        problems["file"] = _l("No row of this list could be read.")
    if problems:
        raise InvalidInput(problems)
    result = ImportResult(country, source, errors=list(parsed.errors))
    today = utcnow().date()
    known = {
        entry.licence_key: entry
        for entry in db.session.scalars(
            select(RegistryAgency)
            .where(RegistryAgency.country == country)
            .options(selectinload(RegistryAgency.aliases))
        )
    }
    new_rows = [row for row in parsed.rows if row.licence_key not in known]
    _add_all(country, source, new_rows, today)
    result.added = len(new_rows)
    for row in parsed.rows:
        entry = known.get(row.licence_key)
        if entry is None:
            continue
        changed_status = _update(entry, source, row, today)
        changed_aliases = _replace_list_aliases(entry, row)
        if changed_status:
            result.status_changes += 1
        if changed_status or changed_aliases or db.session.is_modified(entry):
            entry.updated_at = utcnow()
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.flush()
    result.linked = rematch_country(country)
    audit.record_audit(
        actor,
        audit.ADMIN_CHANGE,
        "agency_registry",
        country,
        f"import {source}: {result.added} added, {result.updated} updated, "
        f"{result.status_changes} status changes, {len(result.errors)} rows refused",
    )
    db.session.commit()
    return result


def record_status(
    entry: RegistryAgency, status: str, since: date, valid_until: date | None, source: str
) -> None:
    """A new line of the entry's history (the entry's current status is set by the caller)."""
    db.session.add(
        RegistryStatusChange(
            registry_agency=entry,
            status=status,
            status_from=since,
            valid_until=valid_until,
            source=source,
        )
    )


def _add_all(country: str, source: str, rows: list[ListRow], today: date) -> None:
    """New entries with their first history line and aliases, as three bulk inserts (a list
    of 5,000 agencies as ORM objects one by one took most of the 10 s budget)."""
    if not rows:
        return
    now = utcnow()
    inserted = db.session.execute(
        insert(RegistryAgency).returning(
            RegistryAgency.id, RegistryAgency.licence_key, sort_by_parameter_order=True
        ),
        [
            {
                "country": country,
                "licence_number": row.licence_number,
                "licence_key": row.licence_key,
                "name": row.name,
                "name_key": name_key(row.name),
                "status": row.status,
                "status_date": row.status_date,
                "valid_until": row.valid_until,
                "address": row.address,
                "phone": row.phone,
                "representative": row.representative,
                "source": source,
                "created_at": now,
                "updated_at": now,
            }
            for row in rows
        ],
    ).all()
    ids = {key: entry_id for entry_id, key in inserted}
    db.session.execute(
        insert(RegistryStatusChange),
        [
            {
                "registry_agency_id": ids[row.licence_key],
                "status": row.status,
                "status_from": row.status_date or today,
                "valid_until": row.valid_until,
                "source": source,
                "recorded_at": now,
            }
            for row in rows
        ],
    )
    aliases = [
        {
            "registry_agency_id": ids[row.licence_key],
            "name": alias,
            "name_key": name_key(alias),
            "origin": ALIAS_LIST,
            "created_at": now,
        }
        for row in rows
        for alias in row.aliases
    ]
    if aliases:
        db.session.execute(insert(RegistryAlias), aliases)


def _update(entry: RegistryAgency, source: str, row: ListRow, today: date) -> bool:
    if row.status_date and entry.status_date and row.status_date < entry.status_date:
        # An older list than the one we hold: its status goes into the history, at its date,
        # and changes nothing of today's.
        if all((h.status, h.status_from) != (row.status, row.status_date) for h in entry.history):
            record_status(entry, row.status, row.status_date, row.valid_until, source)
            return True
        return False
    status_changed = entry.status != row.status or entry.valid_until != row.valid_until
    if status_changed:
        record_status(entry, row.status, row.status_date or today, row.valid_until, source)
    for name in ("name", "status", "status_date", "valid_until"):  # the licence as first written
        if getattr(entry, name) != getattr(row, name):
            setattr(entry, name, getattr(row, name))
    for name in ("address", "phone", "representative"):
        if getattr(row, name) and getattr(entry, name) != getattr(row, name):
            setattr(entry, name, getattr(row, name))  # a list without the column keeps ours
    entry.name_key = name_key(entry.name)
    if db.session.is_modified(entry):
        entry.source = source
    return status_changed


def _replace_list_aliases(entry: RegistryAgency, row: ListRow) -> bool:
    current = sorted(a.name for a in entry.aliases if a.origin == ALIAS_LIST)
    if current == sorted(row.aliases):
        return False
    entry.aliases = [a for a in entry.aliases if a.origin != ALIAS_LIST] + [
        RegistryAlias(name=alias, name_key=name_key(alias), origin=ALIAS_LIST)
        for alias in row.aliases
    ]
    return True
