"""The referral catalogue and claim time limits seeded for the demo corridors (DOMAIN.md)."""

from __future__ import annotations

import re
from datetime import date
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
