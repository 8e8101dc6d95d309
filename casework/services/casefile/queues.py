"""Caseworker queues: tabs, filters, sorting, pagination and counts, all in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from casework.extensions import db
from casework.i18n import country_name
from casework.models import (
    Assignment,
    Case,
    CaseAbuse,
    Country,
    Flag,
    OrganisationCountry,
    StallRule,
    User,
)
from casework.models.assignment import ACCEPTED, LIVE, OFFERED
from casework.models.columns import utcnow
from casework.services.casefile.case_time import Due, due
from casework.services.casefile.search import SearchFilters, search_conditions
from casework.services.casefile.time_budget import COUNT_SECONDS, count_within, ordered_walk
from casework.services.errors import NotPermitted
from casework.services.escalation.deadlines import CLAIM_RULE
from casework.vocabulary.abuse import ABUSE_QUESTIONS
from casework.vocabulary.flags import FLAG_RULES
from casework.vocabulary.languages import LANGUAGES
from casework.vocabulary.status import STATUSES

PAGE_SIZE = 25
COUNT_CAP = 1000  # a search counts this many matches at most (then says "more than")

TABS = ("offered", "mine", "org_unassigned", "org_all")
OWN_TABS = TABS[:2]  # a caseworker's own: a few hundred cases at most
SORTS: dict[str, ColumnElement[Any]] = {
    "newest": Case.created_at.desc(),
    "oldest": Case.created_at.asc(),
    "activity": Case.last_activity_at.asc(),  # longest silent first
    "deadline": Case.next_deadline_at.asc().nulls_last(),  # SQLite puts NULL first otherwise
}
SORT_INDEXES = {  # the index each order can be read along (time_budget.ordered_walk)
    "newest": "ix_cases_created_at_id",
    "oldest": "ix_cases_created_at_id",
    "deadline": "ix_cases_next_deadline_at",
}


QueueFilters = SearchFilters  # the queue's filters are the search's fields


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
    flag_rules: list[tuple[str, str]] = field(default_factory=list)  # (code, plain words)


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
        flag_rules=_flag_rules(),
    )


def _flag_rules() -> list[tuple[str, str]]:
    """The stall rules (an admin's own in their own words) and the claim-deadline flag."""
    rules = {
        code: str(FLAG_RULES.get(code, description))
        for code, description in db.session.execute(
            select(StallRule.code, StallRule.description).order_by(StallRule.code)
        )
    }
    rules.setdefault(CLAIM_RULE, str(FLAG_RULES[CLAIM_RULE]))
    return sorted(rules.items(), key=lambda pair: pair[1])


@dataclass(frozen=True)
class QueuePage:
    tab: str
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]  # per tab, at most COUNT_CAP + 1 (shown as "more than COUNT_CAP")
    more: bool = False  # more cases than `total`: past COUNT_CAP, or past what was seen
    counted: bool = True  # False: counting gave up (time_budget); `pages` ends after this one

    @property
    def cap(self) -> int:
        return COUNT_CAP

    def badge(self, tab: str) -> int | None:
        """The tab's count, or None when it holds more than COUNT_CAP cases."""
        count = self.counts.get(tab, 0)
        return None if count > COUNT_CAP else count


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


def _apply_filters(query: Select[Any], filters: SearchFilters) -> Select[Any]:
    conditions = search_conditions(filters, utcnow())
    return query.where(*conditions) if conditions else query


def available_tabs(actor: User) -> tuple[str, ...]:
    return TABS if actor.role == "supervisor" else TABS[:3]


def _pending_handovers(actor: User) -> int:
    """Offers to a colleague that replace an assignment of the organisation still live (it
    keeps the case until they accept): the case is one case, not two, in "All of my
    organisation". Only pending offers are read, not the organisation's every assignment."""
    replaced = aliased(Assignment)
    still_live = exists().where(
        replaced.id == Assignment.replaces_id,
        replaced.organisation_id == actor.organisation_id,
        replaced.status.in_(LIVE),
    )
    # Written so the database starts from the organisation's few pending handovers and looks
    # each replaced assignment up by its key: as a join, PostgreSQL started from the other
    # side, every live assignment of the organisation (~130 ms a page at 1,000,000 cases).
    pending = select(func.count()).where(
        Assignment.organisation_id == actor.organisation_id,
        Assignment.status == OFFERED,
        Assignment.replaces_id.is_not(None),
        still_live,
    )
    return int(db.session.scalar(pending) or 0)


def queue_page(actor: User, tab: str, filters: QueueFilters) -> QueuePage:
    tabs = available_tabs(actor)
    if tab not in tabs:
        tab = tabs[0]
    counts = {name: _tab_count(actor, name) for name in tabs}
    if "org_all" in counts and counts["org_all"] <= COUNT_CAP:
        counts["org_all"] -= _pending_handovers(actor)
    own = tab in OWN_TABS
    if own:
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
        # An organisation's tabs hold a quarter of every case: walk the cases in the order
        # asked for (or by the most selective search field) and keep those the organisation
        # holds, rather than sorting all of its assignments (the assignment is read after).
        held = exists().where(Assignment.case_id == Case.id, _tab_condition(actor, tab))  # type: ignore[arg-type]
        base = select(Case, null(), null(), null()).where(held)
    filtered = _apply_filters(base, filters)
    order = SORTS.get(filters.sort, SORTS["newest"])
    if filtered is base:  # no filter: the tab's count is the total
        rows, total, page, more, counted = _listed_page(filtered, order, filters.page, counts[tab])
    else:
        # A reference names one case (or the few starting with it): its index finds them at once.
        walk = None if own or filters.reference else SORT_INDEXES.get(filters.sort)
        budget = None if own else COUNT_SECONDS
        rows, total, page, more, counted = _search_page(filtered, order, filters.page, walk, budget)
    pages = _pages(total, counted)
    if not own:
        rows = _with_assignments(actor, tab, rows)
    return QueuePage(tab, _rows(rows), total, page, pages, counts, more, counted)


def _pages(total: int, counted: bool) -> int:
    """Pages to offer: those `total` fills; uncounted, one more (its rows were seen to exist),
    within the COUNT_CAP cases a list shows."""
    pages = max(1, -(-total // PAGE_SIZE)) + (0 if counted else 1)
    return min(pages, _last_page())


def _last_page() -> int:
    return -(-COUNT_CAP // PAGE_SIZE)


def _listed_page(
    query: Select[Any], order: Any, asked: int, count: int
) -> tuple[list[Any], int, int, bool, bool]:
    """A list's page when nothing is searched, like `_search_page`: `count` is the list's size,
    counted no further than COUNT_CAP + 1."""
    more, total = count > COUNT_CAP, min(count, COUNT_CAP)
    page = min(max(1, asked), _pages(total, counted=True))
    rows, _ = _page_of(query, order, page)
    return rows, total, page, more, True


def _search_page(
    query: Select[Any], order: Any, asked: int, walk: str | None, budget: float | None
) -> tuple[list[Any], int, int, bool, bool]:
    """A search's page: (rows, total, page, more, counted). The page is found first; the
    matches are counted (within a time budget, no further than COUNT_CAP) only when they do
    not all fit on the pages seen so far."""
    page = min(max(1, asked), _last_page())
    rows, further = _page_of(query, order, page, walk)
    if not rows and page > 1:  # past the end (an old link): the first page instead
        page = 1
        rows, further = _page_of(query, order, page, walk)
    seen = (page - 1) * PAGE_SIZE + len(rows)
    if not further:
        return rows, seen, page, False, True
    total = count_within(query, COUNT_CAP, budget)
    if total is None:  # too many to count in time: what was seen, and a next page
        return rows, seen, page, True, False
    more, total = total > COUNT_CAP, min(total, COUNT_CAP)
    return rows, total, page, more, True


def _page_of(
    query: Select[Any], order: Any, page: int, walk: str | None = None
) -> tuple[list[Any], bool]:
    """Page `page` of `query`'s rows (a Case, then three assignment columns), and whether any
    row follows it. Two steps: the page's keys, sorted and cut with only the key and the sort
    column in hand, then the page's cases by primary key. Sorting every match's whole row
    (SQLite sorts what it selects) cost 150-300 ms for a search matching 20,000 cases out of
    1,000,000. `walk`: the index of the order, tried first (time_budget.ordered_walk)."""
    keys = (
        query.with_only_columns(Case.id, *list(query.selected_columns)[-3:])
        .order_by(order, Case.id.desc())
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    )
    found = ordered_walk(keys, walk)
    if found is None:
        found = db.session.execute(keys).all()
    further, found = len(found) > PAGE_SIZE, found[:PAGE_SIZE]
    ids = [row[0] for row in found]
    cases = {case.id: case for case in db.session.scalars(select(Case).where(Case.id.in_(ids)))}
    return [(cases[row[0]], *row[1:]) for row in found if row[0] in cases], further


def _with_assignments(actor: User, tab: str, rows: Sequence[Any]) -> list[Any]:
    """The page's cases with the tab's assignment of each (one query for the page)."""
    ids = [row[0].id for row in rows]
    found: dict[int, tuple[int, str, str]] = {}
    if ids:
        for case_id, assignment_id, status, side in db.session.execute(
            select(Assignment.case_id, Assignment.id, Assignment.status, Assignment.side)
            .where(Assignment.case_id.in_(ids), _tab_condition(actor, tab))  # type: ignore[arg-type]
            .order_by(Assignment.id)
        ):
            found.setdefault(case_id, (assignment_id, status, side))
    return [(row[0], *found.get(row[0].id, (None, None, None))) for row in rows]


def _tab_count(actor: User, tab: str) -> int:
    """The tab's live assignments, counted no further than COUNT_CAP + 1: an organisation's
    "All" tab holds a quarter of every case, and counting 270,000 of them on every queue page
    cost 40-55 ms at 1,000,000 cases (PostgreSQL) for a number nobody pages through."""
    held = select(Assignment.id).where(_tab_condition(actor, tab)).limit(COUNT_CAP + 1)  # type: ignore[arg-type]
    return int(db.session.scalar(select(func.count()).select_from(held.subquery())) or 0)


def triage_page(actor: User, filters: QueueFilters) -> QueuePage:
    """Cases with no live assignment: for admins all of them, for supervisors those in the
    countries their organisation covers (the destination only with cross-border consent).
    Caseworkers have no triage: `NotPermitted`."""
    if actor.role not in ("supervisor", "admin"):
        raise NotPermitted("triage")
    # Written as the partial index ix_cases_triage_created says it ("WHERE in_triage"): SQLite
    # uses a partial index only for the very same term ("in_triage = 1", which SQLAlchemy writes
    # for a boolean column there, scanned every case).
    query = select(Case, null(), null(), null()).where(literal_column("cases.in_triage"))
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
    order = SORTS.get(filters.sort, SORTS["newest"])
    if filters.searching:
        rows, total, page, more, counted = _search_page(
            query, order, filters.page, None, COUNT_SECONDS
        )
    else:
        rows, total, page, more, counted = _listed_page(
            query, order, filters.page, _count_all(query)
        )
    pages = _pages(total, counted)
    return QueuePage("triage", _rows(rows), total, page, pages, {"triage": total}, more, counted)


def _count_all(query: Select[Any]) -> int:
    return int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)


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
