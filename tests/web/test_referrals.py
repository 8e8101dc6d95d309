"""Access-to-justice referrals: choosing the forum, the worker's consent, the order of steps,
and the referral pack that shares nothing the worker did not agree to."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, get_domain, gettext
from markupsafe import escape
from sqlalchemy import select

import casework
from casework.extensions import db
from casework.models import AuditEvent, Case, CaseEvent, Referral, ReferralPathway
from casework.models.columns import utcnow
from casework.services.casefile.lifecycle import change_status
from casework.services.casefile.messages import add_note
from casework.services.errors import InvalidInput
from casework.services.referrals.changes import ReferralRefused
from casework.services.referrals.operations import advance_referral, record_consent
from casework.services.referrals.proposals import propose_referral, suggest_pathways
from casework.vocabulary.forums import ABUSE_LABELS
from tests import samples
from tests.conftest import case_by_reference, login

NEPALI_PO = Path(casework.__file__).parent / "translations" / "ne" / "LC_MESSAGES" / "messages.po"


@pytest.fixture
def team(app: Flask, make_org: Any, make_user: Any) -> dict[str, Any]:
    gefont = make_org("gefont", ["NP", "PH"], ["ne", "tl"])
    return {
        "org": gefont,
        "asha": make_user(gefont, languages=["ne"], name="Asha"),
        "other": make_user(make_org("far-away", ["BD"]), name="Stranger"),
    }


def _accept(case: Case) -> None:
    case.assignments[0].status = "accepted"
    db.session.commit()


def _working(lodge: Any, **changes: Any) -> Case:
    """A lodged complaint, accepted by the origin organisation and in progress."""
    lodged = lodge(**changes)
    case = case_by_reference(lodged.reference)
    _accept(case)
    return case


def _in_progress(case: Case, actor: Any) -> Case:
    change_status(actor, case, "triaged", case.version)
    change_status(actor, case, "in_progress", case.version)
    return case_by_reference(case.reference)


def _staff_client(app: Flask, user: Any) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


# --- choosing the forum ------------------------------------------------------------------------


def test_without_cross_border_consent_only_home_country_forums_are_proposed(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = _working(lodge, consent={"share_with_partners": True, "share_across_borders": False})
    suggestions = suggest_pathways(case, limit=None)
    assert suggestions and {p.country for p in suggestions} == {"NP"}
    referral = propose_referral(case, actor=team["asha"])
    assert referral is not None and referral.pathway.country == "NP"
    # Abroad, with no cross-border consent: the home country's embassy where the worker is.
    assert referral.forum_kind == "DEST_EMBASSY"


def test_a_worker_still_abroad_goes_to_the_labour_office_where_they_work(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = _working(lodge)  # Nepal → Qatar, left in April, contract running, consents
    referral = propose_referral(case, actor=team["asha"])
    assert referral is not None
    assert referral.pathway.name == "Ministry of Labour: Labour Relations Department (complaints)"
    assert referral.status == "proposed" and referral.proposed_by == "staff"


def test_a_worker_at_home_goes_to_the_home_regulator(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = _working(lodge, abuse_categories=["RA_NO_JOB", "RA_FEES"], departure_date=None)
    referral = propose_referral(case, actor=team["asha"])
    assert referral is not None
    assert referral.pathway.name == "Department of Foreign Employment (complaints)"


def test_only_forums_that_take_the_claim_are_proposed(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = _working(lodge, abuse_categories=["RA_DEATH_INJURY"])
    names = [p.name for p in suggest_pathways(case, limit=None)]
    assert "Foreign Employment Board: welfare fund (death, injury, rescue)" in names
    assert "Department of Foreign Employment (complaints)" not in names  # fees, not injuries
    assert "Embassy of Nepal: labour attaché (in the country of work)" in names  # takes any


def test_a_forum_too_slow_for_the_claim_deadline_comes_last(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    today = utcnow().date()
    common: dict[str, Any] = {
        "origin_country": "PH",
        "destination_country": "SA",
        "language": "tl",
        "abuse_categories": ["FL_WAGES"],
        "incident_date": (today - timedelta(days=400)).isoformat(),
    }
    # Saudi courts refuse claims 12 months after the contract ends: 10 days left here.
    urgent = _working(lodge, contract_end_date=(today - timedelta(days=355)).isoformat(), **common)
    relaxed = _working(lodge, contract_end_date=(today - timedelta(days=30)).isoformat(), **common)
    assert urgent.claim_deadline == today + timedelta(days=10)
    first_urgent = suggest_pathways(urgent)[0]
    first_relaxed = suggest_pathways(relaxed)[0]
    # Back home, the labour arbiters (90 days) would come first; with 10 days left the Saudi
    # labour court (no waiting period) is proposed, not the 21-day amicable settlement.
    assert first_relaxed.name.startswith("National Labor Relations Commission")
    assert (first_urgent.country, first_urgent.forum_kind) == ("SA", "DEST_LABOUR_COURT")


def test_no_second_open_referral_to_the_same_forum(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = _working(lodge)
    chosen = set()
    while (referral := propose_referral(case, actor=team["asha"])) is not None:
        assert referral.pathway_id not in chosen
        chosen.add(referral.pathway_id)
    db.session.commit()
    assert len(chosen) == len({r.pathway_id for r in case_by_reference(case.reference).referrals})
    assert suggest_pathways(case_by_reference(case.reference)) == []


def test_the_scheduler_proposal_keeps_the_stall_clock(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = _working(lodge)
    before = case.last_activity_at
    referral = propose_referral(case, proposed_by="scheduler")
    db.session.commit()
    assert referral is not None and referral.proposed_by == "scheduler"
    case = case_by_reference(case.reference)
    assert case.last_activity_at == before
    # Not a person's act: on the case's timeline (partners see it), not in the audit trail.
    events = [e.detail for e in case.events if e.kind == "referral"]
    assert events and events[-1].startswith("referral proposed by the scheduler")


def test_nothing_is_proposed_for_a_finished_case(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = _working(lodge)
    case.status = "closed"
    db.session.commit()
    assert propose_referral(case, proposed_by="scheduler") is None


# --- consent and the order of steps ------------------------------------------------------------


def test_nothing_is_sent_without_the_workers_consent(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = _working(lodge)
    referral = propose_referral(case, actor=team["asha"])
    db.session.commit()
    assert referral is not None
    with pytest.raises(ReferralRefused):
        advance_referral(team["asha"], referral, "sent")
    client = _staff_client(app, team["asha"])
    response = client.post(
        f"/cases/{case.reference}/referrals/{referral.id}/advance", data={"to": "sent"}
    )
    assert response.status_code == 302
    assert db.session.get(Referral, referral.id).status == "proposed"
    assert db.session.get(Referral, referral.id).sent_at is None


def test_referral_steps_follow_their_order(app: Flask, lodge: Any, team: dict[str, Any]) -> None:
    asha = team["asha"]
    case = _in_progress(_working(lodge), asha)
    referral = propose_referral(case, actor=asha)
    db.session.commit()
    assert referral is not None
    record_consent(asha, referral, share_identity=False)
    assert referral.consent_via == "caseworker" and referral.consented_at is not None
    with pytest.raises(ReferralRefused):
        advance_referral(asha, referral, "acknowledged")  # not sent yet
    advance_referral(asha, referral, "sent")
    assert case_by_reference(case.reference).status == "referred"  # through the status table
    with pytest.raises(ReferralRefused):
        advance_referral(asha, referral, "decided", outcome_code="OUT_AWARD")
    advance_referral(asha, referral, "acknowledged")
    advance_referral(asha, referral, "hearing")
    with pytest.raises(InvalidInput):
        advance_referral(asha, referral, "decided")  # an outcome is needed
    advance_referral(
        asha,
        referral,
        "decided",
        outcome_code="OUT_AWARD",
        amount_awarded="4200",
        currency="QAR",
    )
    with pytest.raises(ReferralRefused):
        advance_referral(asha, referral, "hearing")  # never backwards
    advance_referral(asha, referral, "closed", amount_enforced="2100")
    stored = db.session.get(Referral, referral.id)
    assert stored.status == "closed"
    assert (stored.outcome_code, stored.currency) == ("OUT_AWARD", "QAR")
    assert (stored.amount_awarded, stored.amount_enforced) == (Decimal("4200"), Decimal("2100"))
    stamps = [
        stored.consented_at,
        stored.sent_at,
        stored.acknowledged_at,
        stored.hearing_at,
        stored.decided_at,
        stored.closed_at,
    ]
    assert all(stamps) and stamps == sorted(stamps)
    details = [
        e.detail
        for e in db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "referral")
        )
    ]
    assert len(details) == 7  # proposed, consent, sent, acknowledged, hearing, decided, closed
    assert not any("Ram Bahadur" in d or "9812345678" in d for d in details)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(case.id))
    ).all()
    assert actions.count("referral") == 7


def test_caseworker_proposes_records_consent_and_sends_from_the_case_page(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = _in_progress(_working(lodge), team["asha"])
    client = _staff_client(app, team["asha"])
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert 'id="referrals"' in page and "Propose referral" in page
    suggestion = suggest_pathways(case)[1]
    client.post(f"/cases/{case.reference}/referrals", data={"pathway_id": suggestion.id})
    referral = case_by_reference(case.reference).referrals[0]
    assert referral.pathway_id == suggestion.id
    client.post(
        f"/cases/{case.reference}/referrals/{referral.id}/consent", data={"share_identity": "y"}
    )
    client.post(f"/cases/{case.reference}/referrals/{referral.id}/advance", data={"to": "sent"})
    case = case_by_reference(case.reference)
    assert case.referrals[0].status == "sent" and case.referrals[0].consent_share_identity
    assert case.status == "referred"
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert f"/cases/{case.reference}/referrals/{referral.id}/pack" in page


# --- the worker's answer -----------------------------------------------------------------------


def _followup_page(client: FlaskClient, lodged: Any) -> str:
    response = client.post(
        "/follow-up",
        data={"reference": lodged.reference, "secret": lodged.secret},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_worker_agrees_on_the_follow_up_page(
    app: Flask, client: FlaskClient, lodge: Any, team: dict[str, Any]
) -> None:
    lodged = lodge(language="en")
    case = case_by_reference(lodged.reference)
    _accept(case)
    referral = propose_referral(case, proposed_by="scheduler")
    db.session.commit()
    assert referral is not None
    page = _followup_page(client, lodged)
    assert "Can we send your case?" in page
    assert "the labour office in the country where you work" in page
    # and what that office can do for them, before they say yes
    assert "They call you and your employer to a meeting to agree on what you are owed." in page
    assert referral.pathway.name in page and "Qatar" in page
    answered = client.post(
        "/follow-up/referral",
        data={"referral_id": referral.id, "share_identity": "y", "agree": "Yes, send my case"},
        follow_redirects=True,
    )
    assert answered.status_code == 200
    assert "Your caseworker will send your case" in answered.get_data(as_text=True)
    assert "Can we send your case?" not in answered.get_data(as_text=True)
    stored = db.session.get(Referral, referral.id)
    assert (stored.status, stored.consent_via, stored.consent_share_identity) == (
        "consented",
        "worker_followup",
        True,
    )
    audit = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (audit.action, audit.actor_label) == ("referral", "worker")
    again = client.post(
        "/follow-up/referral",
        data={"referral_id": referral.id, "refuse": "No"},
    )
    assert again.status_code == 409
    assert db.session.get(Referral, referral.id).status == "consented"


def test_worker_says_no_and_the_scheduler_does_not_ask_again(
    app: Flask, client: FlaskClient, lodge: Any, team: dict[str, Any]
) -> None:
    lodged = lodge(language="en")
    case = case_by_reference(lodged.reference)
    _accept(case)
    referral = propose_referral(case, proposed_by="scheduler")
    db.session.commit()
    assert referral is not None
    _followup_page(client, lodged)
    client.post("/follow-up/referral", data={"referral_id": referral.id, "refuse": "No"})
    assert db.session.get(Referral, referral.id).status == "declined_by_worker"
    again = propose_referral(case_by_reference(lodged.reference), proposed_by="scheduler")
    assert again is not None and again.pathway_id != referral.pathway_id
    staff = _staff_client(app, team["asha"])
    pack = staff.get(f"/cases/{lodged.reference}/referrals/{referral.id}/pack")
    assert pack.status_code == 403  # nothing is prepared for a forum the worker refused


def test_a_forged_session_cannot_answer(app: Flask, client: FlaskClient, lodge: Any) -> None:
    lodged = lodge(language="en")
    referral = propose_referral(case_by_reference(lodged.reference), proposed_by="scheduler")
    db.session.commit()
    assert referral is not None
    client.set_cookie("cw_followup", "forged")
    response = client.post("/follow-up/referral", data={"referral_id": referral.id, "agree": "y"})
    assert response.status_code == 403
    assert db.session.get(Referral, referral.id).status == "proposed"


# --- the pack ----------------------------------------------------------------------------------


def _pack_case(lodge: Any, asha: Any) -> Case:
    case = _working(lodge, files=[("passport-Ram.png", samples.png())])
    add_note(asha, case, "INTERNAL-NOTE-MARKER", False, case.version)
    case = case_by_reference(case.reference)
    add_note(asha, case, "SHARED-NOTE-MARKER", True, case.version)
    return case_by_reference(case.reference)


def _consented_referral(case: Case, actor: Any, share_identity: bool, **where: str) -> Referral:
    pathway = db.session.scalars(select(ReferralPathway).filter_by(**where)).first()
    referral = propose_referral(case, actor=actor, pathway=pathway)
    db.session.commit()
    assert referral is not None
    record_consent(actor, referral, share_identity=share_identity)
    return referral


def test_pack_leaves_out_identity_without_consent_and_internal_notes_always(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = _pack_case(lodge, team["asha"])
    referral = _consented_referral(
        case, team["asha"], False, country="QA", forum_kind="DEST_CONCILIATION"
    )
    client = _staff_client(app, team["asha"])
    response = client.get(f"/cases/{case.reference}/referrals/{referral.id}/pack")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    # Qatar's forum reads Arabic: the pack is in Arabic, right to left.
    assert '<html lang="ar" dir="rtl">' in html
    with force_locale("ar"):
        title, no_name, fees = (
            gettext("Referral pack"),
            gettext(
                "The worker has not agreed to share their name and contact details. Please "
                "contact them through the organisation that prepared this pack."
            ),
            str(ABUSE_LABELS["RA_FEES"]),
        )
    assert title != "Referral pack" and title in html and "Labour Relations Department" in html
    assert "Ram Bahadur Test" not in html and "9812345678" not in html
    assert "passport-Ram.png" not in html  # file names often carry the name
    assert str(escape(no_name)) in html
    assert "INTERNAL-NOTE-MARKER" not in html
    assert "SHARED-NOTE-MARKER" in html
    assert case.evidence[0].sha256 in html
    assert str(escape(fees)) in html
    assert "150,000" in html and "10,000" in html  # paid vs receipt
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert re.search(r'href="/static/print\.[0-9a-f]{12}\.css"', html)  # the print sheet
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id.desc())
    ).first()
    assert audit is not None and audit.object_id == str(case.id)
    assert "with identity" not in audit.detail


def test_pack_includes_identity_when_the_worker_agreed(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = _pack_case(lodge, team["asha"])
    referral = _consented_referral(
        case, team["asha"], True, country="QA", forum_kind="DEST_CONCILIATION"
    )
    client = _staff_client(app, team["asha"])
    html = client.get(f"/cases/{case.reference}/referrals/{referral.id}/pack").get_data(
        as_text=True
    )
    assert "Ram Bahadur Test" in html and "+977 9812345678" in html
    assert "passport-Ram.png" in html
    assert "INTERNAL-NOTE-MARKER" not in html
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(case.id))
    ).all()
    assert "view_identity" in actions and "export" in actions


@pytest.fixture
def nepali_compiled(app: Flask) -> None:
    """The Nepali .mo the app reads, rebuilt when older than its .po (as `make translations`)."""
    mo = NEPALI_PO.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= NEPALI_PO.stat().st_mtime:
        return
    with NEPALI_PO.open("rb") as f:
        catalogue = read_po(f, locale="ne")
    fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
    with os.fdopen(fd, "wb") as f:
        write_mo(f, catalogue)
    os.replace(tmp, mo)
    get_domain().cache.clear()


def test_pack_for_a_nepali_forum_is_in_nepali(
    app: Flask, lodge: Any, team: dict[str, Any], nepali_compiled: None
) -> None:
    case = _pack_case(lodge, team["asha"])
    referral = _consented_referral(
        case, team["asha"], False, country="NP", forum_kind="ORIG_REGULATOR"
    )
    client = _staff_client(app, team["asha"])
    html = client.get(f"/cases/{case.reference}/referrals/{referral.id}/pack").get_data(
        as_text=True
    )
    with NEPALI_PO.open("rb") as f:
        catalogue = read_po(f, locale="ne")
    for english in ("Referral pack", "Fees and costs paid", "Evidence"):
        translated = catalogue.get(english)
        assert translated is not None and translated.string, english
        assert str(escape(translated.string)) in html, english
    assert '<html lang="ne" dir="ltr">' in html
    assert "नेपाल" in html  # country names in Nepali too
    assert "Referral pack" not in html
    # The staff pages around it stay in the caseworker's language.
    assert "Propose referral" in client.get(f"/cases/{case.reference}").get_data(as_text=True)


# --- who may see it ----------------------------------------------------------------------------


def test_other_organisations_and_anonymous_visitors_reach_no_referral(
    app: Flask, lodge: Any, team: dict[str, Any], make_user: Any
) -> None:
    case = _working(lodge)
    referral = _consented_referral(
        case, team["asha"], True, country="QA", forum_kind="DEST_CONCILIATION"
    )
    base = f"/cases/{case.reference}/referrals"
    stranger = _staff_client(app, team["other"])
    assert stranger.get(f"{base}/{referral.id}/pack").status_code == 404
    assert stranger.post(base, data={}).status_code == 404
    assert stranger.post(f"{base}/{referral.id}/advance", data={"to": "sent"}).status_code == 404
    assert stranger.post(f"{base}/{referral.id}/consent", data={}).status_code == 404
    admin = _staff_client(app, make_user(team["org"], role="admin"))
    assert admin.get(f"{base}/{referral.id}/pack").status_code == 403
    anonymous = app.test_client().get(f"{base}/{referral.id}/pack")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert db.session.get(Referral, referral.id).status == "consented"
    own = _staff_client(app, team["asha"])
    assert own.get(f"{base}/{referral.id + 99}/pack").status_code == 404
