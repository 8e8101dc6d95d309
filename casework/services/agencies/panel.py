"""The agency on the case page: which registry entry it is (or the candidates), its licence
status on the date of recruitment and today, and whether to warn and propose RA_UNLICENSED."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from casework.models import AgencyMatchCandidate, Case, RegistryAgency, User
from casework.models.columns import utcnow
from casework.models.registry import CANDIDATE, VALID
from casework.services.agencies.matching import has_registry
from casework.services.agencies.status import status_on
from casework.services.casefile.access import Access, case_access

UNLICENSED_CODE = "RA_UNLICENSED"


@dataclass(frozen=True)
class AgencyPanel:
    named: str  # the agency as the worker named it ("" when none)
    licence_given: str
    entry: RegistryAgency | None
    match_state: str | None
    registry_loaded: bool  # the origin country has a registry to match against
    recruited_on: date | None  # the date the licence must have been valid on
    status_then: str | None  # None: the registry's history does not go back that far
    status_today: str | None
    candidates: list[AgencyMatchCandidate] = field(default_factory=list)
    may_decide: bool = False  # confirm / reject candidates, accept the code
    not_on_list: bool = False  # a registry exists, the agency is not on it, nothing to confirm
    propose_unlicensed: bool = False

    @property
    def warning(self) -> bool:
        bad_today = self.entry is not None and self.status_today not in (VALID, None)
        bad_then = self.entry is not None and self.status_then not in (VALID, None)
        return bad_today or bad_then or self.not_on_list


def recruitment_date(case: Case) -> date | None:
    """The day the worker was recruited, as near as the case says: the departure date, else
    the first payment to the agency or anyone."""
    if case.departure_date:
        return case.departure_date
    paid = [fee.paid_on for fee in case.fees if fee.paid_on]
    return min(paid) if paid else None


def agency_panel(actor: User, case: Case) -> AgencyPanel | None:
    """What the case page shows about the agency (the case was loaded through `load_case`).
    None when the complaint names no agency. Reads only registry facts: no audit needed."""
    agency = case.agency
    if agency is None:
        return None
    full = case_access(actor, case) == Access.FULL
    entry = agency.registry_agency
    recruited = recruitment_date(case)
    candidates = [c for c in agency.candidates if c.state == CANDIDATE] if entry is None else []
    loaded = entry is not None or has_registry(agency.country)
    then = status_on(entry, recruited) if entry and recruited else None
    not_listed = loaded and entry is None and not candidates
    today = status_on(entry, utcnow().date()) if entry else None
    # Without a recruitment date, today's status is the best evidence (it is only proposed).
    judged = then if recruited else today
    unlicensed_then = not_listed or (entry is not None and judged not in (VALID, None))
    return AgencyPanel(
        named=agency.name,
        licence_given=agency.licence_number,
        entry=entry,
        match_state=agency.match_state,
        registry_loaded=loaded,
        recruited_on=recruited,
        status_then=then,
        status_today=today,
        candidates=candidates,
        may_decide=full,
        not_on_list=not_listed,
        propose_unlicensed=full and unlicensed_then and UNLICENSED_CODE not in case.abuse_codes,
    )
