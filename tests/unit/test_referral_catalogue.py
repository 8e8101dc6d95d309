"""The referral catalogue and claim time limits seeded for the demo corridors (DOMAIN.md)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from importlib import resources
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, LimitationRule, ReferralPathway
from casework.services.escalation.rules_admin import TRIGGERS
from casework.services.referrals.catalogue import load_referral_catalogue
from casework.vocabulary.abuse import ABUSE_CODES
from casework.vocabulary.forums import FORUM_KINDS

DEMO_COUNTRIES = ("NP", "PH", "ID", "BD", "PK", "QA", "SA", "AE", "MY", "HK")


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(ReferralPathway.id))) or 0,
        db.session.scalar(select(func.count(LimitationRule.id))) or 0,
    )


def _pathway(name_part: str) -> ReferralPathway:
    return db.session.scalars(
        select(ReferralPathway).where(ReferralPathway.name.contains(name_part))
    ).one()


def test_seeding_twice_adds_nothing(app: Flask) -> None:
    before = _counts()  # the app fixture loaded the reference data once already
    assert before[0] > 25 and before[1] >= 10
    report = load_referral_catalogue()
    assert (report.pathways, report.rules) == (0, 0)
    assert _counts() == before


def test_seeding_keeps_what_admins_changed(app: Flask) -> None:
    committee = _pathway("Labour Dispute Settlement Committee")
    committee.name = "Labour Dispute Settlement Committee (Doha)"
    committee.time_limit_days = 30
    nepal = db.session.scalars(
        select(LimitationRule).where(LimitationRule.jurisdiction == "NP")
    ).one()
    nepal.period_days = 1095  # an admin checked the law
    db.session.commit()
    before = _counts()
    load_referral_catalogue()
    assert _counts() == before
    assert _pathway("Labour Dispute Settlement Committee").time_limit_days == 30
    assert db.session.get(LimitationRule, nepal.id).period_days == 1095


def test_the_domain_examples_are_in_the_catalogue(app: Flask) -> None:
    expected = {
        "Labour Relations Department": ("QA", "DEST_CONCILIATION", 7, "ar"),
        "Labour Dispute Settlement Committee": ("QA", "DEST_LABOUR_COURT", 21, "ar"),
        "amicable settlement": ("SA", "DEST_CONCILIATION", 21, "ar"),
        "Emiratisation (MOHRE)": ("AE", "DEST_CONCILIATION", None, "ar"),
        "Minor Employment Claims Adjudication Board": ("HK", "DEST_LABOUR_COURT", None, "en"),
        "Labour Tribunal": ("HK", "DEST_LABOUR_COURT", None, "en"),
        "Jabatan Tenaga Kerja": ("MY", "DEST_CONCILIATION", None, None),
        "Department of Migrant Workers": ("PH", "ORIG_REGULATOR", None, "en"),
        "National Labor Relations Commission": ("PH", "ORIG_TRIBUNAL", 90, "en"),
        "Department of Foreign Employment": ("NP", "ORIG_REGULATOR", None, "ne"),
        "Foreign Employment Tribunal": ("NP", "ORIG_TRIBUNAL", None, "ne"),
    }
    for name, (country, kind, days, language) in expected.items():
        pathway = _pathway(name)
        assert (pathway.country, pathway.forum_kind) == (country, kind), name
        assert (pathway.time_limit_days, pathway.language) == (days, language), name
    saudi_court = db.session.scalars(
        select(ReferralPathway).where(
            ReferralPathway.country == "SA", ReferralPathway.forum_kind == "DEST_LABOUR_COURT"
        )
    ).one()
    assert "12 months" in saudi_court.notes


def test_every_corridor_has_pathways_and_every_origin_an_embassy(app: Flask) -> None:
    pathways = db.session.scalars(select(ReferralPathway)).all()
    countries = {p.country for p in pathways}
    assert set(DEMO_COUNTRIES) <= countries
    embassies = {p.country for p in pathways if p.forum_kind == "DEST_EMBASSY"}
    assert {"NP", "PH", "ID", "BD", "PK"} <= embassies
    kinds = {p.forum_kind for p in pathways}
    assert kinds & {"UNION", "ORIG_LEGAL_AID", "NGO"}, "a legal-aid or union pathway"


def test_catalogue_entries_use_our_codes_and_invent_no_phone_numbers(app: Flask) -> None:
    for pathway in db.session.scalars(select(ReferralPathway)):
        assert pathway.forum_kind in FORUM_KINDS, pathway.name
        assert set(pathway.claim_codes) <= ABUSE_CODES, pathway.name
        assert pathway.contact, pathway.name
        assert not re.search(r"\+?\d[\d\s-]{5,}\d", pathway.contact), pathway.contact
        assert pathway.active


def test_time_limits_follow_the_domain_table(app: Flask) -> None:
    rules = {
        (r.jurisdiction, r.forum_kind, r.claim_kind): r
        for r in db.session.scalars(select(LimitationRule))
    }
    for rule in rules.values():
        assert rule.trigger in TRIGGERS
        assert rule.forum_kind in FORUM_KINDS
        assert rule.claim_kind == "*" or rule.claim_kind in ABUSE_CODES
        assert rule.period_days > 0
    assert rules[("SA", "DEST_LABOUR_COURT", "*")].period_days == 365
    assert rules[("AE", "DEST_LABOUR_COURT", "*")].period_days == 730
    assert rules[("MY", "DEST_LABOUR_COURT", "*")].period_days == 60
    assert rules[("PH", "ORIG_TRIBUNAL", "*")].period_days == 3 * 365
    assert rules[("PH", "ORIG_REGULATOR", "RA_UNLICENSED")].period_days == 5 * 365
    for marked in (
        ("QA", "DEST_LABOUR_COURT", "*"),
        ("NP", "ORIG_REGULATOR", "*"),
        ("PH", "ORIG_TRIBUNAL", "*"),
        ("PH", "ORIG_REGULATOR", "RA_UNLICENSED"),
    ):
        assert "(verify)" in rules[marked].note, marked


def test_seeded_limits_give_a_case_its_claim_deadline(app: Flask, lodge: Any) -> None:
    nepal = lodge(incident_date="2026-06-01")  # Nepal: one year from the incident (verify)
    saudi = lodge(
        origin_country="PH",
        destination_country="SA",
        language="tl",
        abuse_categories=["FL_WAGES"],
        incident_date="2026-06-01",
        contract_end_date="2026-03-31",  # Saudi courts: 12 months after the contract ends
    )
    cases = {
        c.reference: c
        for c in db.session.scalars(
            select(Case).where(Case.reference.in_([nepal.reference, saudi.reference]))
        )
    }
    assert cases[nepal.reference].claim_deadline == date(2027, 6, 1)
    assert cases[saudi.reference].claim_deadline == date(2027, 3, 31)


# The catalogue lives in casework/services/referrals/data/*.toml: these pin what seeding writes
# from it, so a slip in those files (or in reading them) shows up here.
def test_the_seed_files_ship_with_the_package() -> None:
    data = resources.files("casework.services.referrals").joinpath("data")
    assert data.joinpath("pathways.toml").is_file()
    assert data.joinpath("time_limits.toml").is_file()


def test_seeded_pathways_per_country_and_forum_kind(app: Flask) -> None:
    kinds: defaultdict[str, list[str]] = defaultdict(list)
    for pathway in db.session.scalars(select(ReferralPathway)):
        kinds[pathway.country].append(pathway.forum_kind)
    assert {country: sorted(found) for country, found in kinds.items()} == {
        "NP": ["DEST_EMBASSY", "ORIG_LEGAL_AID", "ORIG_REGULATOR", "ORIG_TRIBUNAL",
               "ORIG_WELFARE_FUND", "UNION"],
        "PH": ["DEST_EMBASSY", "ORIG_REGULATOR", "ORIG_TRIBUNAL", "ORIG_WELFARE_FUND"],
        "ID": ["DEST_EMBASSY", "ORIG_REGULATOR"],
        "BD": ["DEST_EMBASSY", "ORIG_REGULATOR", "ORIG_WELFARE_FUND"],
        "PK": ["DEST_EMBASSY", "ORIG_POLICE", "ORIG_REGULATOR"],
        "QA": ["DEST_CONCILIATION", "DEST_LABOUR_COURT"],
        "SA": ["DEST_CONCILIATION", "DEST_LABOUR_COURT"],
        "AE": ["DEST_CONCILIATION", "DEST_LABOUR_COURT"],
        "HK": ["DEST_AGENCY_REGULATOR", "DEST_CONCILIATION", "DEST_LABOUR_COURT",
               "DEST_LABOUR_COURT", "UNION"],
        "MY": ["DEST_CONCILIATION", "DEST_LABOUR_COURT"],
    }  # fmt: skip


LABOUR = ["FL_WAGES", "RA_CONTRACT_SUB", "RA_DEDUCTIONS", "FL_OVERTIME", "FL_CONDITIONS",
          "FL_DOCS", "RA_ABSCONDING", "RA_STRANDED", "RA_DEATH_INJURY", "RA_NO_CONTRACT"]  # fmt: skip
RECRUITMENT = ["RA_FEES", "RA_NO_JOB", "RA_UNLICENSED", "RA_CONTRACT_SUB", "RA_DEPOSIT",
               "RA_NO_CONTRACT", "FL_DECEPTION", "FL_DEBT"]  # fmt: skip
TRAFFICKING = ["RA_TRAFFICKING", "FL_VIOLENCE", "FL_MOVEMENT", "FL_ISOLATION", "FL_THREATS"]


def test_seeded_pathways_spelled_out(app: Flask) -> None:
    def row(name_part: str) -> tuple[Any, ...]:
        p = _pathway(name_part)
        return (p.country, p.forum_kind, p.claim_codes, p.time_limit_days, p.language, p.notes)

    assert row("Department of Foreign Employment (complaints)") == (
        "NP", "ORIG_REGULATOR", RECRUITMENT + ["FL_DOCS", "FL_WAGES"], None, "ne",
        "Limitation: one year (verify). Large backlog: follow up in writing.",
    )  # fmt: skip
    assert row("anti-human-trafficking circle") == (
        "PK", "ORIG_POLICE", ["RA_UNLICENSED", "RA_NO_JOB", "FL_DECEPTION", *TRAFFICKING], None,
        "ur", "",
    )  # fmt: skip
    assert row("Labour Relations Department (complaints)") == (
        "QA", "DEST_CONCILIATION", LABOUR + ["RA_FEES"], 7, "ar",
        "Must act within 7 days, then refers the dispute to the committee.",
    )  # fmt: skip
    assert row("Embassy of Bangladesh") == ("BD", "DEST_EMBASSY", [], None, None, "")
    assert row("Industrial Relations Department") == (
        "MY", "DEST_LABOUR_COURT", ["RA_ABSCONDING", "RA_CONTRACT_SUB", "FL_WAGES"], None, None,
        "Unfair-dismissal complaint within 60 days of the dismissal.",
    )  # fmt: skip
    agencies = _pathway("Employment Agencies Administration")
    assert agencies.contact == "The Employment Agencies Administration of the Labour Department."
    assert agencies.notes == (
        "Agencies may charge at most 10% of the first month's wage; overcharging is prosecuted "
        "within 12 months."
    )


def test_seeded_time_limits_spelled_out(app: Flask) -> None:
    rules = {
        (r.jurisdiction, r.forum_kind, r.claim_kind, r.trigger, r.period_days)
        for r in db.session.scalars(select(LimitationRule))
    }
    assert rules == {
        ("QA", "DEST_LABOUR_COURT", "*", "contract_end_date", 365),
        ("SA", "DEST_LABOUR_COURT", "*", "contract_end_date", 365),
        ("AE", "DEST_LABOUR_COURT", "*", "contract_end_date", 730),
        ("HK", "DEST_LABOUR_COURT", "*", "incident_date", 365),
        ("HK", "DEST_AGENCY_REGULATOR", "RA_FEES", "departure_date", 365),
        ("MY", "DEST_LABOUR_COURT", "*", "contract_end_date", 60),
        ("PH", "ORIG_TRIBUNAL", "*", "incident_date", 1095),
        ("PH", "ORIG_REGULATOR", "RA_UNLICENSED", "incident_date", 1825),
        ("PH", "ORIG_REGULATOR", "RA_FEES", "incident_date", 1825),
        ("PH", "ORIG_REGULATOR", "RA_NO_JOB", "incident_date", 1825),
        ("NP", "ORIG_REGULATOR", "*", "incident_date", 365),
    }
    hong_kong = db.session.scalars(
        select(LimitationRule).where(
            LimitationRule.jurisdiction == "HK", LimitationRule.forum_kind == "DEST_LABOUR_COURT"
        )
    ).one()
    assert hong_kong.note == (
        "Minor Employment Claims Adjudication Board: within 12 months (verify the date "
        "the period runs from)."
    )
