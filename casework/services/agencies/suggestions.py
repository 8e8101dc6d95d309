"""The worker's form offers the origin country's licensed agencies as the worker types: public
registry facts only (a name and a licence number), and only for the countries the form offers
as origins. Choosing one fills the agency's name and licence number exactly as the list writes
them, so lodging links the case to the entry by its licence number (matching.py)."""

from __future__ import annotations

from dataclasses import dataclass

from casework.extensions import db
from casework.models import RegistryAgency
from casework.services.agencies.registry_search import entries_by_id, search_country
from casework.services.reference.countries import offered_codes

SUGGESTIONS = 8
TYPED_LIMIT = 100  # nobody types a longer agency name; the search never sees more


@dataclass(frozen=True)
class RegistryChoice:
    """One entry as the worker's form offers it."""

    id: int
    name: str
    licence_number: str


def _offered(country: str) -> bool:
    return bool(country) and country in offered_codes("origin")


def suggest_agencies(country: str, name: str, licence: str = "") -> list[RegistryChoice]:
    """Up to SUGGESTIONS entries of the origin `country` matching what the worker typed, best
    first; none for a country the form does not offer as an origin."""
    if not _offered(country):
        return []
    found = search_country(country, name[:TYPED_LIMIT], licence[:TYPED_LIMIT], SUGGESTIONS)
    return [_choice(entry) for entry in entries_by_id([entry_id for entry_id, _s in found])]


def chosen_agency(country: str, entry_id: str) -> RegistryChoice | None:
    """The entry the worker picked (its id as posted), if it is on the list of `country`."""
    if not entry_id.isdigit() or len(entry_id) > 12 or not _offered(country):
        return None
    entry = db.session.get(RegistryAgency, int(entry_id))
    if entry is None or entry.country != country:
        return None
    return _choice(entry)


def _choice(entry: RegistryAgency) -> RegistryChoice:
    return RegistryChoice(entry.id, entry.name, entry.licence_number)
