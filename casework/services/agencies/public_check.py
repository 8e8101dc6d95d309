"""The public licence check: whether an agency is licensed today, from the registry's public
facts only (name, licence number, status today, valid until). Never a case, never a count of
complaints: anyone may ask, and an agency must not learn who complained or how many did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from casework.models.columns import utcnow
from casework.services.agencies.registry_search import search_registry
from casework.services.agencies.status import status_on

LIMIT = 10


@dataclass(frozen=True)
class PublicLicence:
    name: str
    licence_number: str
    country: str
    status_today: str | None  # None: the list we hold does not say (a history starting later)
    valid_until: date | None


def check_agency(typed: str, country: str = "") -> list[PublicLicence]:
    """Registry entries whose name or licence number is like `typed` (in `country`, or in every
    registry), best first, with their status today."""
    today = utcnow().date()
    return [
        PublicLicence(
            name=entry.name,
            licence_number=entry.licence_number,
            country=entry.country,
            status_today=status_on(entry, today),
            valid_until=entry.valid_until,
        )
        for entry in search_registry(typed, country.strip().upper()[:2], limit=LIMIT)
    ]
