"""Finding registry entries by what someone typed: a licence number (in any script or
punctuation), a part of the name, or a misspelt name (the matcher's rapidfuzz scorers over the
names and aliases). The staff search box and the worker's "Find my agency" both use it; it
reads the registry's public facts only, never cases."""

from __future__ import annotations

from rapidfuzz import fuzz
from sqlalchemy import select

from casework.extensions import db
from casework.models import RegistryAgency
from casework.services.agencies.matching import candidates_for
from casework.services.agencies.normalise import licence_key, name_key

# Lower than the matcher's cut-off: here a person picks from the list, nothing is linked.
SEARCH_CUTOFF = 70
LICENCE_HIT = 101  # a licence number on the list comes before any name
MIN_NAME = 2  # folded characters before a part of a name is looked for
MIN_FUZZY = 4  # ... and before misspellings are (shorter words match everything)
CONTAINS_LIMIT = 50


def search_country(
    country: str, name: str, licence: str = "", limit: int = 8
) -> list[tuple[int, int]]:
    """(entry id, score) of `country`'s entries best matching the typed `name` and/or
    `licence` (a licence number may also be typed in the name box), best first, at most
    `limit`. A licence number on the list scores LICENCE_HIT, a name 0-100."""
    scores: dict[int, int] = {}
    for typed in (licence, name):
        key = licence_key(typed)
        if key and any(ch.isdigit() for ch in key):
            for entry_id in db.session.scalars(
                select(RegistryAgency.id).where(
                    RegistryAgency.country == country, RegistryAgency.licence_key == key
                )
            ):
                scores[entry_id] = LICENCE_HIT
    folded = name_key(name)
    if len(folded) >= MIN_NAME:
        for entry_id, entry_key in db.session.execute(
            select(RegistryAgency.id, RegistryAgency.name_key)
            .where(
                RegistryAgency.country == country,
                RegistryAgency.name_key.contains(folded, autoescape=True),
            )
            .order_by(RegistryAgency.name_key)
            .limit(CONTAINS_LIMIT)
        ):
            score = round(fuzz.WRatio(folded, entry_key))
            scores[entry_id] = max(scores.get(entry_id, 0), score)
    if len(folded) >= MIN_FUZZY:
        for entry_id, score in candidates_for(country, folded, limit=limit, cutoff=SEARCH_CUTOFF):
            scores[entry_id] = max(scores.get(entry_id, 0), score)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:limit]


def entries_by_id(ids: list[int]) -> list[RegistryAgency]:
    """The entries, in the order of `ids`."""
    if not ids:
        return []
    query = select(RegistryAgency).where(RegistryAgency.id.in_(ids))
    found = {entry.id: entry for entry in db.session.scalars(query)}
    return [found[i] for i in ids if i in found]


def registry_countries() -> list[str]:
    """The countries a registry is loaded for."""
    return list(
        db.session.scalars(
            select(RegistryAgency.country).distinct().order_by(RegistryAgency.country)
        )
    )


def search_registry(typed: str, country: str = "", limit: int = 25) -> list[RegistryAgency]:
    """Entries by name or licence number, in one country or in every registry, best first."""
    typed = " ".join(typed.split())[:100]
    if not typed:
        return []
    countries = [country] if country else registry_countries()
    scored = [found for code in countries for found in search_country(code, typed, limit=limit)]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return entries_by_id([entry_id for entry_id, _score in scored[:limit]])
