"""Finding cases: the queue's search fields, read from a query string, turned into SQL conditions.

Only what is stored in clear is searchable: the reference, status, countries, abuse codes,
language, open flags, dates, the agency's name or licence number and the employer's name (all
structured facts, DESIGN §3). Worker identity, the story, notes and messages are sealed with the
case key and are never decrypted to search.

Every condition is one an index answers (cases.reference, cases.created_at, cases.agency_id,
lower(cases.employer_name), case_abuses.code, flags by case) so a search over an organisation
of hundreds of thousands of cases stays within the queue's budget (DESIGN §8).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select

from casework.extensions import db
from casework.models import Agency, Case, CaseAbuse, Flag
from casework.services.casefile.case_time import SOON_DAYS
from casework.services.validation import storable, whole_number
from casework.vocabulary.abuse import ABUSE_QUESTIONS
from casework.vocabulary.languages import LANGUAGES
from casework.vocabulary.status import STATUSES

DEADLINE_SOON = timedelta(days=SOON_DAYS)  # the case page calls these "soon" too
SORT_KEYS = ("newest", "oldest", "activity", "deadline")
ANY_FLAG = "any"
TEXT_LIMIT = 100  # typed words longer than this are cut: nobody types a 100-letter agency name
_RULE = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_REFERENCE_CHARS = re.compile(r"[^0-9A-Z]")


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _typed(value: str) -> str:
    text = " ".join(value.split())[:TEXT_LIMIT]
    return text if storable(text) else ""


@dataclass
class SearchFilters:
    """What the queue's search form asks for; every field optional. Unknown codes are ignored
    rather than refused (an old link, a rule since removed); a date that is not one is named in
    `problems` so the page can say so."""

    reference: str = ""
    status: str = ""
    corridor: str = ""  # "NP-QA" (older links); the pickers send origin and destination
    origin: str = ""
    destination: str = ""
    abuse: str = ""
    flag: str = ""  # "" any case, "any" any open flag, or one rule's code
    language: str = ""
    agency: str = ""
    employer: str = ""
    received_from: date | None = None
    received_to: date | None = None
    deadline_soon: bool = False
    flagged: bool = False  # older links: the same as flag="any"
    sort: str = "newest"
    page: int = 1
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.corridor.count("-") == 1 and not (self.origin or self.destination):
            self.origin, self.destination = self.corridor.split("-")
        self.corridor = ""
        self.origin, self.destination = self.origin.upper(), self.destination.upper()
        if self.flagged and not self.flag:
            self.flag = ANY_FLAG
        self.flagged = self.flag == ANY_FLAG

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SearchFilters:
        """The filters of a query string, each value checked against what it may be."""
        get = lambda name: str(args.get(name, "") or "")  # noqa: E731
        problems = [
            name for name in ("received_from", "received_to") if get(name) and not _day(get(name))
        ]
        status, abuse, language = get("status"), get("abuse"), get("language")
        filters = cls(
            reference=_typed(get("reference")),
            status=status if status in STATUSES else "",
            corridor=get("corridor")[:5],
            origin=get("origin")[:2],
            destination=get("destination")[:2],
            abuse=abuse if abuse in ABUSE_QUESTIONS else "",
            flag=get("flag") if get("flag") == ANY_FLAG or _RULE.match(get("flag")) else "",
            flagged=get("flagged") == "1",
            language=language if language in LANGUAGES else "",
            agency=_typed(get("agency")),
            employer=_typed(get("employer")),
            received_from=_day(get("received_from")),
            received_to=_day(get("received_to")),
            deadline_soon=get("deadline_soon") == "1",
            sort=get("sort") if get("sort") in SORT_KEYS else "newest",
            page=whole_number(get("page") or "1", digits=6) or 1,
            problems=problems,
        )
        for name in ("origin", "destination"):
            if not _COUNTRY.match(getattr(filters, name)):
                setattr(filters, name, "")
        return filters

    def query_args(self) -> dict[str, str]:
        """The filters that are set, as query-string values (no page): what a saved view keeps
        and what links to another page of the same search carry."""
        args: dict[str, str] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in ("page", "problems", "flagged", "corridor") or value in ("", None):
                continue
            if item.name == "sort" and value == "newest":
                continue
            if isinstance(value, bool):
                if value:
                    args[item.name] = "1"
            elif isinstance(value, date):
                args[item.name] = value.isoformat()
            else:
                args[item.name] = str(value)
        return args

    @property
    def searching(self) -> bool:
        """True when anything narrows the list (the sort does not)."""
        return any(key != "sort" for key in self.query_args())


def reference_range(typed: str) -> tuple[str, str] | None:
    """The references starting with what was typed, as a [low, high) range of the unique index.

    Staff copy references from a phone call or a message: "cw 7k3m 92xd", "7K3M-92XD" and
    "CW-7K3M" all work; None when nothing usable was typed."""
    chars = _REFERENCE_CHARS.sub("", typed.upper())
    if chars.startswith("CW") and (len(chars) > 8 or re.match(r"^\s*CW\W", typed.upper())):
        chars = chars[2:]
    chars = chars[:8]
    if not chars:
        return None
    low = "CW-" + chars[:4] + ("-" + chars[4:] if len(chars) > 4 else "")
    return low, _successor(low)


def _successor(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix` (the last code
    point, U+10FFFF, has no successor: the one before it is raised instead)."""
    head = prefix.rstrip(chr(0x10FFFF))
    return head[:-1] + chr(ord(head[-1]) + 1) if head else chr(0x10FFFF) * (len(prefix) + 1)


def _fold(text: str) -> str:
    """Lower case as SQL's lower() does it on every backend here: ASCII letters only."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def search_conditions(filters: SearchFilters, now: datetime) -> list[ColumnElement[bool]]:
    """The SQL conditions on `Case` (and its codes, flags and agency) for `filters`."""
    conditions: list[ColumnElement[bool]] = []
    if filters.reference and (bounds := reference_range(filters.reference)):
        low, high = bounds
        if len(low) == 12:  # a whole reference: one index seek
            conditions.append(Case.reference == low)
        else:
            conditions += [Case.reference >= low, Case.reference < high]
    if filters.status:
        conditions.append(Case.status == filters.status)
    if filters.origin:
        conditions.append(Case.origin_country == filters.origin)
    if filters.destination:
        conditions.append(Case.destination_country == filters.destination)
    if filters.abuse:
        conditions.append(
            exists().where(CaseAbuse.case_id == Case.id, CaseAbuse.code == filters.abuse)
        )
    if filters.flag:
        # IN, not EXISTS: open flags are few, so the database may start from them
        flagged = select(Flag.case_id).where(Flag.resolved_at.is_(None))
        if filters.flag != ANY_FLAG:
            flagged = flagged.where(Flag.rule == filters.flag)
        conditions.append(Case.id.in_(flagged))
    if filters.language:
        conditions.append(Case.language == filters.language)
    if filters.agency:
        conditions.append(Case.agency_id.in_(_agencies_named(filters.agency)))
    if filters.employer:
        folded = _fold(filters.employer)
        employer = func.lower(Case.employer_name)  # the expression ix_cases_employer_folded holds
        conditions += [employer >= folded, employer < _successor(folded)]
    if filters.received_from:
        conditions.append(Case.created_at >= _midnight(filters.received_from))
    if filters.received_to:
        conditions.append(Case.created_at < _midnight(filters.received_to + timedelta(days=1)))
    if filters.deadline_soon:
        conditions += [
            Case.next_deadline_at.is_not(None),
            Case.next_deadline_at <= now + DEADLINE_SOON,
        ]
    return conditions


AGENCY_IDS_INLINE = 500  # at most this many matching agencies are written into the search


def _agencies_named(typed: str) -> Any:
    """Agencies whose name contains the typed words (folded as intake folds them) or whose
    licence number is the one typed (a row merged into another stands for that one). The
    agencies table is small next to the cases, so their ids are read first and written into
    the search: as a subquery, PostgreSQL checked every case's assignments before its agency
    (25 ms a page at 1,000,000 cases); as a list, each case is filtered as it is read."""
    key = " ".join(typed.casefold().split())
    named = select(func.coalesce(Agency.merged_into_id, Agency.id)).where(
        or_(
            Agency.name_key.contains(key, autoescape=True),
            func.upper(Agency.licence_number) == typed.strip().upper(),
        )
    )
    ids = sorted(set(db.session.scalars(named.limit(AGENCY_IDS_INLINE + 1))))
    return named if len(ids) > AGENCY_IDS_INLINE else ids


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
