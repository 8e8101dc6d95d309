"""Caseworker queues: tabs, filters, sorting, pagination and counts, all in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, null, or_, select

from casework.extensions import db
from casework.i18n import country_name
from casework.models import Assignment, Case, CaseAbuse, Country, Flag, OrganisationCountry, User
from casework.models.assignment import ACCEPTED, LIVE, OFFERED
from casework.models.columns import utcnow
from casework.services.casefile.case_time import SOON_DAYS, Due, due
from casework.services.errors import NotPermitted
from casework.vocabulary.abuse import ABUSE_QUESTIONS
from casework.vocabulary.languages import LANGUAGES
from casework.vocabulary.status import STATUSES

PAGE_SIZE = 25
DEADLINE_SOON = timedelta(days=SOON_DAYS)  # the case page calls these "soon" too

TABS = ("offered", "mine", "org_unassigned", "org_all")
SORTS: dict[str, ColumnElement[Any]] = {
    "newest": Case.created_at.desc(),
    "oldest": Case.created_at.asc(),
    "activity": Case.last_activity_at.asc(),  # longest silent first
    "deadline": Case.next_deadline_at.asc(),
}


@dataclass
class QueueFilters:
    status: str = ""
    corridor: str = ""  # "NP-QA" (older links); the pickers send origin and destination
    origin: str = ""
    destination: str = ""
    abuse: str = ""
    flagged: bool = False
    language: str = ""
    deadline_soon: bool = False
    sort: str = "newest"
    page: int = 1

    def __post_init__(self) -> None:
        if self.corridor.count("-") == 1 and not (self.origin or self.destination):
            self.origin, self.destination = self.corridor.split("-")
        self.origin, self.destination = self.origin.upper(), self.destination.upper()


@dataclass(frozen=True)
class QueueRow:
    reference: str
    status: str
    language: str
    origin_country: str
    destination_country: str
    created_at: datetime
    last_activity_at: datetime
    next_deadline_at: datetime | None
    assignment_id: int | None
    assignment_status: str | None
    side: str | None
    abuse_codes: list[str] = field(default_factory=list)
    flagged: bool = False
    deadline_due: Due | None = None  # the next deadline, in days left


@dataclass(frozen=True)
class FilterChoices:
    """What the queue's pickers offer: codes, which the page shows in words."""

    statuses: tuple[str, ...]
    origins: list[tuple[str, str]]  # (code, name in the reader's language), by name
    destinations: list[tuple[str, str]]
    abuse_codes: list[str]
    languages: list[str]


def filter_choices() -> FilterChoices:
    """The statuses, the countries this deployment offers as origins and destinations, the
    abuse codes and the workers' languages."""
    countries = db.session.execute(
        select(Country.code, Country.is_origin, Country.is_destination).order_by(Country.code)
    ).all()
    origins = [(code, country_name(code)) for code, origin, _destination in countries if origin]
    destinations = [
        (code, country_name(code)) for code, _origin, destination in countries if destination
    ]
    return FilterChoices(
        statuses=STATUSES,
        origins=sorted(origins, key=lambda pair: pair[1]),
        destinations=sorted(destinations, key=lambda pair: pair[1]),
        abuse_codes=list(ABUSE_QUESTIONS),
        languages=list(LANGUAGES),
    )


@dataclass(frozen=True)
class QueuePage:
    tab: str
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


def _tab_condition(actor: User, tab: str) -> object:
    if tab == "offered":
        return and_(Assignment.user_id == actor.id, Assignment.status == OFFERED)
    if tab == "mine":
        return and_(Assignment.user_id == actor.id, Assignment.status == ACCEPTED)
    if tab == "org_unassigned":
        return and_(
            Assignment.organisation_id == actor.organisation_id,
            Assignment.user_id.is_(None),
            Assignment.status == OFFERED,
        )
    # org_all: every live assignment of the organisation (supervisors)
    return and_(Assignment.organisation_id == actor.organisation_id, Assignment.status.in_(LIVE))


def _apply_filters(query: Select[Any], filters: QueueFilters) -> Select[Any]:
    if filters.status:
        query = query.where(Case.status == filters.status)
    if filters.origin:
        query = query.where(Case.origin_country == filters.origin)
    if filters.destination:
        query = query.where(Case.destination_country == filters.destination)
    if filters.abuse:
        query = query.where(
            exists().where(CaseAbuse.case_id == Case.id, CaseAbuse.code == filters.abuse)
        )
    if filters.flagged:
        query = query.where(exists().where(Flag.case_id == Case.id, Flag.resolved_at.is_(None)))
    if filters.language:
        query = query.where(Case.language == filters.language)
    if filters.deadline_soon:
        soon = utcnow() + DEADLINE_SOON
        query = query.where(Case.next_deadline_at.is_not(None), Case.next_deadline_at <= soon)
    return query


def available_tabs(actor: User) -> tuple[str, ...]:
    return TABS if actor.role == "supervisor" else TABS[:3]


def queue_page(actor: User, tab: str, filters: QueueFilters) -> QueuePage:
    tabs = available_tabs(actor)
    if tab not in tabs:
        tab = tabs[0]
    counts = {
        name: int(
            db.session.scalar(
                select(func.count()).select_from(Assignment).where(_tab_condition(actor, name))  # type: ignore[arg-type]
            )
            or 0
        )
        for name in tabs
    }
    if tab in ("offered", "mine"):
        # A caseworker's own tabs are small: take their assignments first, then the cases.
        # (Left to itself PostgreSQL walks every case newest-first looking for them.)
        mine = (
            select(Assignment.case_id, Assignment.id, Assignment.status, Assignment.side)
            .where(_tab_condition(actor, tab))  # type: ignore[arg-type]
            .cte("tab")
            .prefix_with("MATERIALIZED")
        )
        base = select(Case, mine.c.id, mine.c.status, mine.c.side).join(
            mine, mine.c.case_id == Case.id
        )
    else:
        base = (
            select(Case, Assignment.id, Assignment.status, Assignment.side)
            .join(Assignment, Assignment.case_id == Case.id)
            .where(_tab_condition(actor, tab))  # type: ignore[arg-type]
        )
    filtered = _apply_filters(base, filters)
    if filtered is base:  # no filter: the tab's count is the total
        total = counts[tab]
    else:
        total = int(db.session.scalar(select(func.count()).select_from(filtered.subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    order = SORTS.get(filters.sort, SORTS["newest"])
    rows = db.session.execute(
        filtered.order_by(order, Case.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return QueuePage(tab, _rows(rows), total, page, pages, counts)


def triage_page(actor: User, filters: QueueFilters) -> QueuePage:
    """Cases with no live assignment: for admins all of them, for supervisors those in the
    countries their organisation covers (the destination only with cross-border consent).
    Caseworkers have no triage: `NotPermitted`."""
    if actor.role not in ("supervisor", "admin"):
        raise NotPermitted("triage")
    query = select(Case, null(), null(), null()).where(Case.in_triage.is_(True))
    if actor.role != "admin":
        covered = select(OrganisationCountry.country).where(
            OrganisationCountry.organisation_id == actor.organisation_id
        )
        query = query.where(
            or_(
                Case.origin_country.in_(covered),
                and_(Case.consent_cross_border.is_(True), Case.destination_country.in_(covered)),
            )
        )
    query = _apply_filters(query, filters)
    total = int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    order = SORTS.get(filters.sort, SORTS["newest"])
    rows = db.session.execute(
        query.order_by(order, Case.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return QueuePage("triage", _rows(rows), total, page, pages, {"triage": total})


def _rows(rows: Sequence[Any]) -> list[QueueRow]:
    today = utcnow().date()
    ids = [row[0].id for row in rows]
    codes: dict[int, list[str]] = {}
    flagged: set[int] = set()
    if ids:
        for case_id, code in db.session.execute(
            select(CaseAbuse.case_id, CaseAbuse.code).where(CaseAbuse.case_id.in_(ids))
        ):
            codes.setdefault(case_id, []).append(code)
        flagged = set(
            db.session.scalars(
                select(Flag.case_id).where(Flag.case_id.in_(ids), Flag.resolved_at.is_(None))
            )
        )
    return [
        QueueRow(
            reference=case.reference,
            status=case.status,
            language=case.language,
            origin_country=case.origin_country,
            destination_country=case.destination_country,
            created_at=case.created_at,
            last_activity_at=case.last_activity_at,
            next_deadline_at=case.next_deadline_at,
            assignment_id=assignment_id,
            assignment_status=assignment_status,
            side=side,
            abuse_codes=sorted(codes.get(case.id, [])),
            flagged=case.id in flagged,
            deadline_due=due(case.next_deadline_at.date(), today)
            if case.next_deadline_at
            else None,
        )
        for case, assignment_id, assignment_status, side in rows
    ]
