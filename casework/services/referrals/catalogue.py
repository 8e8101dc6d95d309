"""Seed data: referral pathways for the demo corridors and the claim time limits (DOMAIN.md).

Everything here is a starting point that admins correct; facts marked "(verify)" are
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

from dataclasses import dataclass, field

from sqlalchemy import select

from casework.extensions import db
from casework.models import LimitationRule, ReferralPathway

# Claims a labour office or labour court hears (wages, contract, conditions).
LABOUR = (
    "FL_WAGES",
    "RA_CONTRACT_SUB",
    "RA_DEDUCTIONS",
    "FL_OVERTIME",
    "FL_CONDITIONS",
    "FL_DOCS",
    "RA_ABSCONDING",
    "RA_STRANDED",
    "RA_DEATH_INJURY",
    "RA_NO_CONTRACT",
)
# Claims against a recruiter (fees, deception, licence).
RECRUITMENT = (
    "RA_FEES",
    "RA_NO_JOB",
    "RA_UNLICENSED",
    "RA_CONTRACT_SUB",
    "RA_DEPOSIT",
    "RA_NO_CONTRACT",
    "FL_DECEPTION",
    "FL_DEBT",
)
TRAFFICKING = ("RA_TRAFFICKING", "FL_VIOLENCE", "FL_MOVEMENT", "FL_ISOLATION", "FL_THREATS")
WELFARE = ("RA_DEATH_INJURY", "RA_STRANDED")
ANY: tuple[str, ...] = ()


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


PATHWAYS: tuple[PathwaySeed, ...] = (
    # --- Nepal ---------------------------------------------------------------------------------
    PathwaySeed(
        "NP",
        "ORIG_REGULATOR",
        "Department of Foreign Employment (complaints)",
        RECRUITMENT + ("FL_DOCS", "FL_WAGES"),
        None,
        "ne",
        "Department of Foreign Employment, Kathmandu: complaint by its online form, by post or "
        "in person; or through the Chief District Officer in the worker's district.",
        "Limitation: one year (verify). Large backlog: follow up in writing.",
    ),
    PathwaySeed(
        "NP",
        "ORIG_TRIBUNAL",
        "Foreign Employment Tribunal",
        RECRUITMENT + TRAFFICKING,
        None,
        "ne",
        "Foreign Employment Tribunal, Kathmandu. Cases usually reach it through the Department "
        "of Foreign Employment.",
    ),
    PathwaySeed(
        "NP",
        "ORIG_WELFARE_FUND",
        "Foreign Employment Board: welfare fund (death, injury, rescue)",
        WELFARE,
        None,
        "ne",
        "Foreign Employment Board secretariat, Kathmandu; applications also through the "
        "embassy abroad.",
    ),
    PathwaySeed(
        "NP",
        "DEST_EMBASSY",
        "Embassy of Nepal: labour attaché (in the country of work)",
        ANY,
        None,
        "ne",
        "The labour section of the Embassy of Nepal in the country where the worker is.",
    ),
    PathwaySeed(
        "NP",
        "ORIG_LEGAL_AID",
        "Free legal aid for migrant workers (bar association and migrant resource centres)",
        ANY,
        None,
        "ne",
        "District bar association legal-aid desk or the migrant resource centre at the district "
        "administration office.",
    ),
    PathwaySeed(
        "NP",
        "UNION",
        "Trade union migrant workers' desk",
        ANY,
        None,
        "ne",
        "The migrant workers' desk of a national trade union federation: advice, accompaniment "
        "to the Department, contact with unions in the country of work.",
    ),
    # --- Philippines ---------------------------------------------------------------------------
    PathwaySeed(
        "PH",
        "ORIG_REGULATOR",
        "Department of Migrant Workers (DMW): illegal recruitment and recruiter violations",
        RECRUITMENT,
        None,
        "en",
        "Department of Migrant Workers, Manila, or its regional offices: complaint in person or "
        "through its online services.",
    ),
    PathwaySeed(
        "PH",
        "ORIG_TRIBUNAL",
        "National Labor Relations Commission (NLRC): money claims of overseas workers",
        LABOUR,
        90,
        "en",
        "NLRC regional arbitration branch where the worker or the agency is.",
        "Labour arbiters decide within 90 days of filing (verify).",
    ),
    PathwaySeed(
        "PH",
        "ORIG_WELFARE_FUND",
        "Overseas Workers Welfare Administration (OWWA)",
        WELFARE,
        None,
        "en",
        "OWWA regional welfare office, or its desk at the Migrant Workers Office abroad.",
    ),
    PathwaySeed(
        "PH",
        "DEST_EMBASSY",
        "Migrant Workers Office at the Philippine embassy or consulate",
        ANY,
        None,
        "en",
        "The Migrant Workers Office (formerly POLO) at the Philippine embassy or consulate in the "
        "country of work.",
    ),
    # --- Indonesia -----------------------------------------------------------------------------
    PathwaySeed(
        "ID",
        "ORIG_REGULATOR",
        "Agency for the Protection of Indonesian Migrant Workers: complaints",
        RECRUITMENT + ("FL_DOCS",),
        None,
        "id",
        "The national complaints service for Indonesian migrant workers, or its provincial "
        "service unit (check the agency's current name and channels).",
    ),
    PathwaySeed(
        "ID",
        "DEST_EMBASSY",
        "Embassy or consulate of Indonesia: citizen protection and labour attaché",
        ANY,
        None,
        "id",
        "The citizen-protection desk of the Indonesian embassy or consulate in the country of work.",
    ),
    # --- Bangladesh ----------------------------------------------------------------------------
    PathwaySeed(
        "BD",
        "ORIG_REGULATOR",
        "Bureau of Manpower, Employment and Training (BMET): complaints and arbitration",
        RECRUITMENT,
        None,
        None,
        "BMET complaint cell, Dhaka, or the District Employment and Manpower Office.",
    ),
    PathwaySeed(
        "BD",
        "ORIG_WELFARE_FUND",
        "Wage Earners' Welfare Board",
        WELFARE,
        None,
        None,
        "Wage Earners' Welfare Board, Dhaka, or its desk at the embassy abroad.",
    ),
    PathwaySeed(
        "BD",
        "DEST_EMBASSY",
        "Embassy of Bangladesh: labour welfare wing",
        ANY,
        None,
        None,
        "The labour welfare wing of the Bangladesh embassy or consulate in the country of work.",
    ),
    # --- Pakistan ------------------------------------------------------------------------------
    PathwaySeed(
        "PK",
        "ORIG_REGULATOR",
        "Bureau of Emigration and Overseas Employment: Protector of Emigrants",
        RECRUITMENT,
        None,
        "ur",
        "The office of the Protector of Emigrants in the worker's region.",
    ),
    PathwaySeed(
        "PK",
        "ORIG_POLICE",
        "Federal Investigation Agency: anti-human-trafficking circle",
        ("RA_UNLICENSED", "RA_NO_JOB", "FL_DECEPTION") + TRAFFICKING,
        None,
        "ur",
        "The anti-human-trafficking circle of the Federal Investigation Agency nearest the worker.",
    ),
    PathwaySeed(
        "PK",
        "DEST_EMBASSY",
        "Embassy of Pakistan: community welfare attaché",
        ANY,
        None,
        "ur",
        "The community welfare attaché at the Pakistani embassy or consulate in the country of work.",
    ),
    # --- Qatar ---------------------------------------------------------------------------------
    PathwaySeed(
        "QA",
        "DEST_CONCILIATION",
        "Ministry of Labour: Labour Relations Department (complaints)",
        LABOUR + ("RA_FEES",),
        7,
        "ar",
        "Ministry of Labour, Doha: the ministry's labour complaints platform or a service centre.",
        "Must act within 7 days, then refers the dispute to the committee.",
    ),
    PathwaySeed(
        "QA",
        "DEST_LABOUR_COURT",
        "Labour Dispute Settlement Committee",
        LABOUR + ("RA_FEES",),
        21,
        "ar",
        "Cases are referred by the Labour Relations Department of the Ministry of Labour.",
        "Decides within 3 weeks; appeal within 15 days; no court fees.",
    ),
    # --- Saudi Arabia --------------------------------------------------------------------------
    PathwaySeed(
        "SA",
        "DEST_CONCILIATION",
        "Labour office: amicable settlement (Ministry of Human Resources)",
        LABOUR,
        21,
        "ar",
        "The labour office of the Ministry of Human Resources and Social Development, through "
        "its online labour-dispute service or in person.",
        "Amicable settlement comes first and takes up to 21 days.",
    ),
    PathwaySeed(
        "SA",
        "DEST_LABOUR_COURT",
        "Labour court",
        LABOUR,
        None,
        "ar",
        "Cases not settled at the labour office are referred to the labour court.",
        "Claims filed more than 12 months after the contract ends are refused.",
    ),
    # --- United Arab Emirates ------------------------------------------------------------------
    PathwaySeed(
        "AE",
        "DEST_CONCILIATION",
        "Ministry of Human Resources and Emiratisation (MOHRE): labour complaints",
        LABOUR + ("RA_FEES",),
        None,
        "ar",
        "MOHRE: its online labour-complaint service, app or a service centre.",
        "The ministry decides claims up to AED 50,000; larger ones go to the labour court.",
    ),
    PathwaySeed(
        "AE",
        "DEST_LABOUR_COURT",
        "Labour court (claims over AED 50,000 or not settled by MOHRE)",
        LABOUR,
        None,
        "ar",
        "Cases are referred by MOHRE to the labour court of the emirate.",
        "Claims within 2 years of the end of employment (Decree-Law 9/2024).",
    ),
    # --- Hong Kong -----------------------------------------------------------------------------
    PathwaySeed(
        "HK",
        "DEST_CONCILIATION",
        "Labour Department: Labour Relations Division (conciliation)",
        LABOUR,
        None,
        "en",
        "A branch office of the Labour Relations Division of the Labour Department.",
        "Conciliation comes first.",
    ),
    PathwaySeed(
        "HK",
        "DEST_LABOUR_COURT",
        "Minor Employment Claims Adjudication Board",
        LABOUR,
        None,
        "en",
        "Referred by the Labour Relations Division when conciliation fails.",
        "Claims up to HK$15,000 per claimant, within 12 months.",
    ),
    PathwaySeed(
        "HK",
        "DEST_LABOUR_COURT",
        "Labour Tribunal",
        LABOUR,
        None,
        "en",
        "Referred by the Labour Relations Division when conciliation fails.",
        "Claims above the Minor Employment Claims Adjudication Board's limit.",
    ),
    PathwaySeed(
        "HK",
        "DEST_AGENCY_REGULATOR",
        "Labour Department: Employment Agencies Administration (overcharging)",
        ("RA_FEES", "RA_UNLICENSED", "RA_DEPOSIT"),
        None,
        "en",
        "The Employment Agencies Administration of the Labour Department.",
        "Agencies may charge at most 10% of the first month's wage; overcharging is prosecuted "
        "within 12 months.",
    ),
    PathwaySeed(
        "HK",
        "UNION",
        "Domestic and migrant workers' union (Hong Kong)",
        ANY,
        None,
        "en",
        "A Hong Kong union of migrant domestic workers: advice and accompaniment to the Labour "
        "Department.",
    ),
    # --- Malaysia ------------------------------------------------------------------------------
    PathwaySeed(
        "MY",
        "DEST_CONCILIATION",
        "Labour Department (Jabatan Tenaga Kerja): labour complaints and Labour Court",
        LABOUR + ("RA_FEES",),
        None,
        None,
        "The state or district Labour Department office where the worker is employed.",
    ),
    PathwaySeed(
        "MY",
        "DEST_LABOUR_COURT",
        "Industrial Relations Department: unfair dismissal (then the Industrial Court)",
        ("RA_ABSCONDING", "RA_CONTRACT_SUB", "FL_WAGES"),
        None,
        None,
        "The Industrial Relations Department office in the state of employment.",
        "Unfair-dismissal complaint within 60 days of the dismissal.",
    ),
)

LIMITS: tuple[LimitSeed, ...] = (
    LimitSeed(
        "QA",
        "DEST_LABOUR_COURT",
        "*",
        "contract_end_date",
        365,
        "One year after the contract ends (verify).",
    ),
    LimitSeed(
        "SA",
        "DEST_LABOUR_COURT",
        "*",
        "contract_end_date",
        365,
        "Courts refuse claims filed more than 12 months after the contract ends.",
    ),
    LimitSeed(
        "AE",
        "DEST_LABOUR_COURT",
        "*",
        "contract_end_date",
        730,
        "Within 2 years of the end of employment (Decree-Law 9/2024).",
    ),
    LimitSeed(
        "HK",
        "DEST_LABOUR_COURT",
        "*",
        "incident_date",
        365,
        "Minor Employment Claims Adjudication Board: within 12 months (verify the date "
        "the period runs from).",
    ),
    LimitSeed(
        "HK",
        "DEST_AGENCY_REGULATOR",
        "RA_FEES",
        "departure_date",
        365,
        "Agency overcharging prosecuted within 12 months of the overcharge, usually "
        "before departure (verify).",
    ),
    LimitSeed(
        "MY",
        "DEST_LABOUR_COURT",
        "*",
        "contract_end_date",
        60,
        "Unfair-dismissal complaint within 60 days (dismissal cases only; verify).",
    ),
    LimitSeed(
        "PH", "ORIG_TRIBUNAL", "*", "incident_date", 1095, "Money claims within 3 years (verify)."
    ),
    LimitSeed(
        "PH",
        "ORIG_REGULATOR",
        "RA_UNLICENSED",
        "incident_date",
        1825,
        "Illegal recruitment: 5 years, 20 if large-scale (verify).",
    ),
    LimitSeed(
        "PH",
        "ORIG_REGULATOR",
        "RA_FEES",
        "incident_date",
        1825,
        "Illegal recruitment (excessive fees): 5 years, 20 if large-scale (verify).",
    ),
    LimitSeed(
        "PH",
        "ORIG_REGULATOR",
        "RA_NO_JOB",
        "incident_date",
        1825,
        "Illegal recruitment (no job): 5 years, 20 if large-scale (verify).",
    ),
    LimitSeed(
        "NP",
        "ORIG_REGULATOR",
        "*",
        "incident_date",
        365,
        "Complaint to the Department of Foreign Employment: one year (verify).",
    ),
)


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
