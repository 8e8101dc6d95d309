"""Matching the agencies workers name to the registry of their origin country.

A licence number on the list links at once; so does a name a caseworker confirmed before (an
alias the matcher was taught). Otherwise the closest names (rapidfuzz's WRatio over folded
names and aliases) become candidates for a caseworker to confirm or reject; a rejected
candidate is never proposed again for that agency. Linked agencies are left alone, so a
re-import or a new match never undoes a caseworker's decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Agency, AgencyMatchCandidate, RegistryAgency, RegistryAlias
from casework.models.agency import MATCH_ALIAS, MATCH_LICENCE
from casework.models.columns import utcnow
from casework.models.registry import ALIAS_CONFIRMED
from casework.services.agencies.normalise import licence_key, name_key

SCORE_CUTOFF = 80
MAX_CANDIDATES = 3
SHORTLIST = 40  # per cheap scorer


@dataclass(frozen=True)
class _Choices:
    stamp: tuple[object, ...]
    keys: list[str]
    entry_ids: list[int]


# Per country, the names the matcher compares with, kept while the registry is unchanged (the
# stamp is read with two aggregate queries, so every process sees another's import at once).
_CACHE: dict[tuple[str, str], _Choices] = {}


def match_agency(agency: Agency) -> None:
    """Link `agency` to its registry entry, or propose candidates, within the caller's
    transaction (flushes nothing itself: intake calls it half-way through building a case).
    Does nothing to an agency already linked."""
    if agency.registry_agency_id is not None or agency.registry_agency is not None:
        return
    with db.session.no_autoflush:
        _match(agency)


def _match(agency: Agency) -> None:
    entry = _by_licence(agency)
    if entry is not None:
        _link(agency, entry, MATCH_LICENCE)
        return
    key = name_key(agency.name)
    if not key or (agency.licence_number and agency.name == agency.licence_number):
        return  # no name to compare, only a licence number that is not on the list
    taught = db.session.scalars(
        select(RegistryAgency)
        .join(RegistryAlias)
        .where(
            RegistryAgency.country == agency.country,
            RegistryAlias.name_key == key,
            RegistryAlias.origin == ALIAS_CONFIRMED,
        )
        .limit(1)
    ).first()
    if taught is not None:
        _link(agency, taught, MATCH_ALIAS)
        return
    known = {c.registry_agency_id for c in agency.candidates}
    for entry_id, score in candidates_for(agency.country, key):
        if entry_id not in known:
            agency.candidates.append(AgencyMatchCandidate(registry_agency_id=entry_id, score=score))


def candidates_for(
    country: str, key: str, limit: int = MAX_CANDIDATES, cutoff: int = SCORE_CUTOFF
) -> list[tuple[int, int]]:
    """The registry entries whose name or alias is closest to the folded name `key`:
    (entry id, score 0-100), best first, at most `limit`, none under `cutoff` (the matcher's
    MAX_CANDIDATES and SCORE_CUTOFF unless a search asks for more).

    WRatio (which also forgives a missing word or another word order) costs ~3 ms per 1,000
    names, too much for a 10,000-entry registry within 50 ms; so the two cheap scorers it is
    made of pick a shortlist (plain edit ratio for misspellings, sorted tokens for word order)
    and WRatio ranks only that. bench/agency_match.py compares both ways."""
    choices = _choices(country)
    if not choices.keys:
        return []
    shortlist = {
        index
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio)
        for _, _, index in process.extract(key, choices.keys, scorer=scorer, limit=SHORTLIST)
    }
    found = process.extract(
        key,
        {index: choices.keys[index] for index in shortlist},
        scorer=fuzz.WRatio,
        score_cutoff=cutoff,
        limit=limit * 4,
    )
    best: dict[int, int] = {}
    for _, score, index in found:
        best.setdefault(choices.entry_ids[index], round(score))
    return sorted(best.items(), key=lambda item: -item[1])[:limit]


def rematch_country(country: str) -> int:
    """Match every agency of `country` not yet linked (after an import). Returns how many
    are now linked."""
    agencies = db.session.scalars(
        select(Agency).where(
            Agency.country == country,
            Agency.registry_agency_id.is_(None),
            Agency.merged_into_id.is_(None),
        )
    ).all()
    for agency in agencies:
        match_agency(agency)
    return sum(1 for a in agencies if a.registry_agency is not None)


def has_registry(country: str) -> bool:
    return bool(
        db.session.scalar(
            select(RegistryAgency.id).where(RegistryAgency.country == country).limit(1)
        )
    )


def _by_licence(agency: Agency) -> RegistryAgency | None:
    return entry_by_licence(agency.country, agency.licence_number)


def entry_by_licence(country: str, licence: str) -> RegistryAgency | None:
    """The country's registry entry with this licence number, written in any script or
    punctuation; None when there is none (or nothing was written)."""
    key = licence_key(licence)
    if not key:
        return None
    return db.session.scalars(
        select(RegistryAgency).where(
            RegistryAgency.country == country, RegistryAgency.licence_key == key
        )
    ).first()


def _link(agency: Agency, entry: RegistryAgency, how: str) -> None:
    agency.registry_agency = entry
    agency.match_state = how
    agency.matched_at = utcnow()


def _choices(country: str) -> _Choices:
    # Every change to a country's names touches an entry's updated_at (indexed with the
    # country) or adds an alias (a new id): two index lookups tell whether the cache is current.
    stamp = (
        db.session.scalar(
            select(func.max(RegistryAgency.updated_at)).where(RegistryAgency.country == country)
        ),
        db.session.scalar(select(func.max(RegistryAlias.id))),
    )
    cache_key = (str(db.engine.url), country)
    cached = _CACHE.get(cache_key)
    if cached is not None and cached.stamp == stamp:
        return cached
    rows = db.session.execute(
        select(RegistryAgency.id, RegistryAgency.name_key).where(RegistryAgency.country == country)
    ).all()
    alias_rows = db.session.execute(
        select(RegistryAlias.registry_agency_id, RegistryAlias.name_key)
        .join(RegistryAgency)
        .where(RegistryAgency.country == country)
    ).all()
    pairs = [(row[1], row[0]) for row in (*rows, *alias_rows) if row[1]]
    choices = _Choices(stamp, [k for k, _ in pairs], [i for _, i in pairs])
    _CACHE[cache_key] = choices
    return choices
