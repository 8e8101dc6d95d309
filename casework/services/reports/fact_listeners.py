"""The listeners that keep the report facts current: after every ORM flush, the rows of the
cases it touched are recomputed (casework.services.reports.facts), in the same transaction; a
flush that only moved deadlines copies them; a new exchange rate refreshes the rows that
convert its currency."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from casework.models import (
    Agency,
    Assignment,
    Case,
    CaseAbuse,
    ExchangeRate,
    FeePayment,
    Outcome,
    Referral,
    RegistryStatusChange,
)
from casework.services.reports import rollups
from casework.services.reports.facts import (
    DEADLINES,
    copy_deadlines,
    refresh,
    refresh_currency,
    rejudge_licences,
)

# The attributes a report row is computed from, per model: a flush that changes none of them
# leaves the row as it is.
REPORTED: dict[type, frozenset[str]] = {
    Case: frozenset(
        {
            "created_at",
            "status",
            "status_since",
            "closed_at",
            "origin_country",
            "destination_country",
            "agency_id",
            "actual_wage_amount",
            "actual_wage_currency",
            "departure_date",  # the day of recruitment, on which the licence is judged
        }
    ),
    Assignment: frozenset(
        {"case_id", "organisation_id", "user_id", "side", "status", "responded_at"}
    ),
    Outcome: frozenset(
        {
            "case_id",
            "code",
            "amount_claimed",
            "amount",
            "amount_enforced",
            "currency",
            "recorded_at",
        }
    ),
    FeePayment: frozenset({"case_id", "amount_paid", "currency", "paid_on"}),
    Referral: frozenset(
        {
            "case_id",
            "forum_kind",
            "status",
            "outcome_code",
            "amount_awarded",
            "amount_enforced",
            "currency",
            "decided_at",
            "updated_at",
        }
    ),
    CaseAbuse: frozenset({"case_id", "code"}),
}


# The attributes of a line of a registry entry's history a licence is judged on.
HISTORY = frozenset({"status", "status_from", "valid_until", "registry_agency_id"})


def _changed(obj: object) -> set[str]:
    """The attributes this flush wrote: all but those without uncommitted changes (one set
    difference, at no cost per attribute; an attribute set to its own value counts too, which
    at worst recomputes a row needlessly)."""
    state = inspect(obj, raiseerr=True)
    return set(state.mapper.attrs.keys()).difference(state.unmodified)


@dataclass
class _Touched:
    """What a flush wrote that the facts follow."""

    ids: set[int] = field(default_factory=set)  # cases whose rows need recomputing
    created: set[int] = field(default_factory=set)  # cases inserted by this flush (no rows yet)
    moved: set[int] = field(default_factory=set)  # cases whose deadlines alone moved
    currencies: set[str] = field(default_factory=set)  # exchange rates written
    agencies: set[int] = field(default_factory=set)  # agencies linked or unlinked
    entries: set[int] = field(default_factory=set)  # registry entries whose history changed

    def any(self) -> bool:
        return bool(self.ids or self.moved or self.currencies or self.agencies or self.entries)


def _licence_sources(session: Session, touched: _Touched) -> None:
    """Agencies whose registry link changed, and registry entries whose status history
    changed: the licence their cases were judged on may be another now."""
    for obj in (*session.new, *session.deleted, *session.dirty):
        if isinstance(obj, Agency) and obj.id is not None and obj not in session.new:
            if _changed(obj) & {"registry_agency_id", "registry_agency"}:
                touched.agencies.add(obj.id)
        elif isinstance(obj, RegistryStatusChange):
            if obj in session.dirty and not _changed(obj) & HISTORY:
                continue
            entry = obj.registry_agency_id or (obj.registry_agency and obj.registry_agency.id)
            if entry:
                touched.entries.add(entry)


def _touched(session: Session) -> _Touched:
    """What this flush wrote: cases whose rows need recomputing, cases whose deadlines alone
    moved, exchange-rate currencies, and the sources of the cases' licence judgements."""
    touched = _Touched()
    ids, moved, currencies = touched.ids, touched.moved, touched.currencies
    _licence_sources(session, touched)
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Case):
            if obj.id is not None:
                ids.add(obj.id)
                if obj in session.new:
                    touched.created.add(obj.id)
        elif isinstance(obj, tuple(REPORTED)):
            ids.add(getattr(obj, "case_id", None) or 0)
        elif isinstance(obj, ExchangeRate) and obj.currency:
            currencies.add(obj.currency)
    for obj in session.dirty:
        if isinstance(obj, ExchangeRate):
            currencies.add(obj.currency)
            continue
        reported = REPORTED.get(type(obj))
        if reported is None:
            continue
        changed = _changed(obj)
        if isinstance(obj, Case):
            if changed & reported:
                ids.add(obj.id)
            elif changed.intersection(DEADLINES):
                moved.add(obj.id)
        elif changed & reported:
            # A row moved to another case changes both cases' facts.
            history = get_history(obj, "case_id")
            ids.update(i for i in (*history.deleted, obj.case_id) if i is not None)
    ids.discard(0)
    touched.moved = moved - ids
    return touched


def _after_flush(session: Session, _context: Any) -> None:
    touched = _touched(session)
    if not touched.any():
        return
    connection = session.connection()
    for currency in sorted(touched.currencies):
        refresh_currency(connection, currency)
    refresh(connection, touched.ids, created=touched.created)
    copy_deadlines(connection, sorted(touched.moved))
    if touched.agencies or touched.entries:  # after the refresh: it judges from the same state
        rejudge_licences(connection, touched.agencies, touched.entries)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """A case about to be deleted leaves its groups while its facts still exist (deleting the
    case deletes them, ON DELETE CASCADE, before `_after_flush` could read them)."""
    ids = [obj.id for obj in session.deleted if isinstance(obj, Case) and obj.id is not None]
    if ids:
        rollups.subtract(session.connection(), ids)


def install() -> None:
    """Keep report facts current on every session. The listener is global to the process, so
    this is idempotent: `create_app`'s `register_model_listeners` step calls it for every app
    (tests create many) and it is installed once."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
