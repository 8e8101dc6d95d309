"""Which cases a report covers: who is asking (the access rule, in SQL) and the filters.

Admins see every case. A supervisor sees the cases their organisation holds or held an
assignment on, in any status but declined: the cases routed to it and the cases shared with it
by a partner organisation. The filters narrow that set; they never widen it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, select

from casework.models import Assignment, ReportCase, ReportOrgCase, User
from casework.models.assignment import DECLINED
from casework.models.columns import utcnow
from casework.models.report_case import FactColumns
from casework.services.reports.sql import Expr
from casework.services.validation import whole_number

ROLES = ("supervisor", "admin")


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _id(value: str) -> int | None:
    value = value.strip()
    return whole_number(value, digits=9)


def _code(value: str, size: int) -> str:
    value = value.strip().upper()
    return value if value.replace("_", "").isalnum() and len(value) <= size else ""


@dataclass(frozen=True)
class ReportFilters:
    """The page's filters, parsed leniently: a value that does not parse is ignored."""

    created_from: date | None = None
    created_to: date | None = None  # inclusive
    organisation_id: int | None = None
    origin: str = ""
    destination: str = ""
    agency_id: int | None = None
    abuse: str = ""
    caseworker_id: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ReportFilters:
        return cls(
            created_from=_day(args.get("from", "")),
            created_to=_day(args.get("to", "")),
            organisation_id=_id(args.get("organisation", "")),
            origin=_code(args.get("origin", ""), 2),
            destination=_code(args.get("destination", ""), 2),
            agency_id=_id(args.get("agency", "")),
            abuse=_code(args.get("abuse", ""), 20),
            caseworker_id=_id(args.get("caseworker", "")),
        )

    def to_args(self) -> dict[str, str]:
        """The query string that gives these filters back (empty values left out)."""
        names = {
            "created_from": "from",
            "created_to": "to",
            "organisation_id": "organisation",
            "agency_id": "agency",
            "caseworker_id": "caseworker",
        }
        args = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value not in (None, ""):
                args[names.get(item.name, item.name)] = (
                    value.isoformat() if isinstance(value, date) else str(value)
                )
        return args


def _not_declined(*where: ColumnElement[bool]) -> Select[Any]:
    return select(Assignment.case_id).where(Assignment.status != DECLINED, *where)


@dataclass(frozen=True)
class Scope:
    """One report request: who asks, the filters, the reporting currency and the clock.

    Plain values only, so figures can run on other threads with their own sessions."""

    role: str
    organisation_id: int
    filters: ReportFilters = field(default_factory=ReportFilters)
    currency: str = "USD"
    now: datetime = field(default_factory=utcnow)

    @classmethod
    def for_actor(cls, actor: User, filters: ReportFilters | None = None, **kw: Any) -> Scope:
        return cls(actor.role, actor.organisation_id, filters or ReportFilters(), **kw)

    @property
    def sees_everything(self) -> bool:
        return self.role == "admin"

    @property
    def today(self) -> date:
        return self.now.astimezone(UTC).date()

    @property
    def organisation(self) -> int | None:
        """The organisation whose cases the report covers: a supervisor's own, or the one an
        admin filters on (None: an admin's report on every organisation)."""
        return self.filters.organisation_id if self.sees_everything else self.organisation_id

    @property
    def facts(self) -> type[FactColumns]:
        """The facts table the report reads: an organisation's rows of `report_org_cases`
        (one range of its key) when it covers one organisation's cases, else `report_cases`."""
        return ReportCase if self.organisation is None else ReportOrgCase

    @property
    def covers_every_case(self) -> bool:
        """An admin's report with no filter: every case, no facts to join."""
        return self.sees_everything and not self.cases()

    @property
    def filtered(self) -> bool:
        """Whether the filters narrow the report below every case it may cover (the
        organisation's cases, or every case)."""
        return len(self.cases()) > (self.organisation is not None)

    def _case_columns(self) -> list[ColumnElement[bool]]:
        f, facts = self.filters, self.facts
        where: list[ColumnElement[bool]] = []
        if self.organisation is not None:
            where.append(ReportOrgCase.organisation_id == self.organisation)
        if f.created_from:
            where.append(facts.created_at >= datetime.combine(f.created_from, time(), UTC))
        if f.created_to:
            end = datetime.combine(f.created_to + timedelta(days=1), time(), UTC)
            where.append(facts.created_at < end)
        if f.origin:
            where.append(facts.origin_country == f.origin)
        if f.destination:
            where.append(facts.destination_country == f.destination)
        if f.agency_id is not None:
            where.append(facts.agency_id == f.agency_id)
        if f.abuse:
            where.append(facts.abuse_codes.contains(f" {f.abuse} ", autoescape=True))
        return where

    def _case_sets(self) -> list[Select[Any]]:
        """Sets of case ids the case must belong to, beyond the organisation the facts cover
        (another organisation a supervisor filters on, a caseworker)."""
        f = self.filters
        sets = []
        if f.organisation_id is not None and f.organisation_id != self.organisation:
            sets.append(_not_declined(Assignment.organisation_id == f.organisation_id))
        if f.caseworker_id is not None:
            sets.append(_not_declined(Assignment.user_id == f.caseworker_id))
        return sets

    def cases(self) -> list[ColumnElement[bool]]:
        """Conditions on the report facts (`self.facts`) that keep exactly the report's cases."""
        return self._case_columns() + [self.facts.case_id.in_(ids) for ids in self._case_sets()]

    def narrow(self, query: Select[Any], case_id: Expr) -> Select[Any]:
        """`query`, over a table with a case id column, kept to the report's cases. The facts
        are joined when a filter, an organisation or the shared check needs them (not for an
        admin's report on every case)."""
        query = query.where(*[case_id.in_(ids) for ids in self._case_sets()])
        columns = self._case_columns()
        if columns or not self.sees_everything:
            facts = self.facts
            query = query.join(facts, facts.case_id == case_id).where(*columns)
        return query

    def shared(self) -> ColumnElement[bool] | None:
        """For a supervisor: true for a case (a `ReportCase` row in the query) another
        organisation also holds or held an assignment on. Those figures are other
        organisations' too, so small cells are hidden from the supervisor as well. None for
        admins, for whom every small cell is hidden."""
        if self.sees_everything:
            return None
        # The supervisor's organisation is one of the case's: two or more means another too.
        return self.facts.organisations > 1
