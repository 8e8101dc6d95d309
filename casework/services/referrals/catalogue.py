"""Seed data: referral pathways for the demo corridors and the claim time limits (DOMAIN.md).

The facts are data, kept where a lawyer or an admin can read and correct them: data/pathways.toml
and data/time_limits.toml (shipped with the package). This module reads them once, at import.

Everything there is a starting point that admins correct; facts marked "(verify)" are
placeholders, never law. Seeding is idempotent and never overwrites an admin's edits: a group
(country and forum kind for pathways, jurisdiction and forum kind for time limits) is seeded
only while the catalogue has nothing in it. To retire a seeded entry, deactivate it.

A pathway's `time_limit_days` is how long the forum has to act or decide (Qatar's Labour
Relations Department: 7 days), which the proposal compares with the case's claim deadline.
The time limits for *bringing* a claim are the `LimitationRule` rows.

Embassies belong to the origin country (its government runs them) and act in whichever
country the worker is in, so their pathways carry the origin country's code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from typing import Any

from sqlalchemy import select

from casework.extensions import db
from casework.models import LimitationRule, ReferralPathway

DATA = resources.files("casework.services.referrals").joinpath("data")


@dataclass(frozen=True)
class PathwaySeed:
    country: str
    forum_kind: str
    name: str
    claim_codes: tuple[str, ...]
    time_limit_days: int | None
    language: str | None
    contact: str
    notes: str = ""


@dataclass(frozen=True)
class LimitSeed:
    jurisdiction: str
    forum_kind: str
    claim_kind: str
    trigger: str
    period_days: int
    note: str


@dataclass
class SeedReport:
    pathways: int = 0
    rules: int = 0
    skipped_groups: list[str] = field(default_factory=list)


# what a [[pathway]] may say (a misspelt key would otherwise be dropped without a word)
PATHWAY_KEYS = frozenset(
    ("country", "forum_kind", "name", "claims", "time_limit_days", "language", "contact", "notes")
)


def _read(name: str) -> dict[str, Any]:
    return tomllib.loads(DATA.joinpath(name).read_text(encoding="utf-8"))


def _claim_codes(items: list[str], groups: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The codes in order, each group name (lower case, unlike codes) replaced by its codes."""
    codes: list[str] = []
    for item in items:
        if item.islower() and item not in groups:
            raise ValueError(f"pathways.toml: no claim group {item!r}")
        codes += groups.get(item, (item,))
    return tuple(codes)


def _pathway(entry: dict[str, Any], groups: dict[str, tuple[str, ...]]) -> PathwaySeed:
    if unknown := entry.keys() - PATHWAY_KEYS:
        raise ValueError(f"pathways.toml, {entry.get('name')!r}: unknown {sorted(unknown)}")
    return PathwaySeed(
        country=entry["country"],
        forum_kind=entry["forum_kind"],
        name=entry["name"],
        claim_codes=_claim_codes(entry["claims"], groups),
        time_limit_days=entry.get("time_limit_days"),
        language=entry.get("language"),
        contact=entry["contact"],
        notes=entry.get("notes", ""),
    )


def _limit(entry: dict[str, Any]) -> LimitSeed:
    if unknown := entry.keys() - {f.name for f in fields(LimitSeed)}:
        raise ValueError(f"time_limits.toml, {entry.get('note')!r}: unknown {sorted(unknown)}")
    return LimitSeed(**entry)


_pathways = _read("pathways.toml")
CLAIM_GROUPS = {name: tuple(codes) for name, codes in _pathways["claims"].items()}
# Claims a labour office or labour court hears (wages, contract, conditions).
LABOUR = CLAIM_GROUPS["labour"]
# Claims against a recruiter (fees, deception, licence).
RECRUITMENT = CLAIM_GROUPS["recruitment"]
TRAFFICKING = CLAIM_GROUPS["trafficking"]
WELFARE = CLAIM_GROUPS["welfare"]
ANY: tuple[str, ...] = ()

PATHWAYS: tuple[PathwaySeed, ...] = tuple(
    _pathway(entry, CLAIM_GROUPS) for entry in _pathways["pathway"]
)
LIMITS: tuple[LimitSeed, ...] = tuple(_limit(entry) for entry in _read("time_limits.toml")["limit"])


def load_referral_catalogue() -> SeedReport:
    """Add the seed pathways and time limits that are missing; never change existing rows.

    Idempotent: a second call adds nothing. The caller's transaction is committed."""
    report = SeedReport()
    existing_pathways = {
        (country, kind)
        for country, kind in db.session.execute(
            select(ReferralPathway.country, ReferralPathway.forum_kind)
        )
    }
    for seed in PATHWAYS:
        if (seed.country, seed.forum_kind) in existing_pathways:
            report.skipped_groups.append(f"{seed.country} {seed.forum_kind}")
            continue
        pathway = ReferralPathway(
            country=seed.country,
            forum_kind=seed.forum_kind,
            name=seed.name,
            time_limit_days=seed.time_limit_days,
            language=seed.language,
            contact=seed.contact,
            notes=seed.notes,
            active=True,
        )
        pathway.claim_codes = list(seed.claim_codes)
        db.session.add(pathway)
        report.pathways += 1
    existing_rules = {
        (jurisdiction, kind)
        for jurisdiction, kind in db.session.execute(
            select(LimitationRule.jurisdiction, LimitationRule.forum_kind)
        )
    }
    for limit in LIMITS:
        if (limit.jurisdiction, limit.forum_kind) in existing_rules:
            report.skipped_groups.append(f"{limit.jurisdiction} {limit.forum_kind} limit")
            continue
        db.session.add(
            LimitationRule(
                jurisdiction=limit.jurisdiction,
                forum_kind=limit.forum_kind,
                claim_kind=limit.claim_kind,
                trigger=limit.trigger,
                period_days=limit.period_days,
                note=limit.note,
                active=True,
            )
        )
        report.rules += 1
    db.session.commit()
    return report
