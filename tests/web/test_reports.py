"""Supervisor outcome reports: every figure against a hand-computed world, who sees what, CSV and
SVG that parse, and small cells hidden.

The world: GEFONT (Nepal) works six complaints, two of them together with Gulf Legal Aid (Qatar);
a Kenyan union works one. Everything happens through the services at set times (time-machine):
lodging, routing, accepting, outcomes, status changes. Referrals and flags, which other jobs
create, are rows written directly; so are the stored deadlines the stalled scan would set.

Exchange rates: NPR 100 per USD; QAR 4 per USD until 2026-02-28, then 5.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import AuditEvent, Case, ExchangeRate, Flag, Referral
from casework.services.assignments.operations import accept_offer, decline_offer, reassign
from casework.services.casefile.lifecycle import change_status
from casework.services.casefile.outcomes import record_outcome
from casework.services.reports import FIGURES, ReportFilters, Scope, build_report
from casework.services.reports.tables import SMALL_BASIS, SMALL_COUNT
from tests.conftest import login
from tests.unit.test_translations import compiled  # noqa: F401 - a fixture used below

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
HIMAL = {"name": "Himal Overseas Manpower", "licence_number": "1234/067/68"}
GORKHA = {"name": "Gorkha Manpower", "licence_number": ""}


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def fee(amount: str, paid_on: str, category: str = "FEE_AGENT") -> dict[str, str]:
    return {"category": category, "amount": amount, "currency": "NPR", "paid_on": paid_on}


def wage(amount: str, currency: str = "QAR") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


class World:
    """The organisations, people and cases, with helpers that act at a given time."""

    def __init__(self, lodge: Any, make_org: Any, make_user: Any) -> None:
        self._lodge = lodge
        self.gefont = make_org("gefont", ["NP"], ["ne"])
        self.gulf = make_org("gulf-legal-aid", ["QA"], ["ne", "en"], kind="legal_aid")
        self.kenya = make_org("kenya-union", ["KE"], ["sw", "en"])
        platform = make_org("platform", [], ["en"])
        self.asha = make_user(self.gefont, "caseworker", ["ne"], name="Asha")
        self.bikash = make_user(self.gefont, "caseworker", ["en"], name="Bikash")
        self.karim = make_user(self.gulf, "caseworker", ["ne"], name="Karim")
        self.gefont_supervisor = make_user(self.gefont, "supervisor", name="Gita")
        self.gulf_supervisor = make_user(self.gulf, "supervisor", name="Gulnar")
        self.kenya_supervisor = make_user(self.kenya, "supervisor", name="Wanjiru")
        self.caseworker = self.asha
        self.admin = make_user(platform, "admin", name="Admin")
        self.cases: dict[str, Case] = {}

    def lodge(self, name: str, when: datetime, **changes: Any) -> Case:
        changes.setdefault("contact", None)
        changes.setdefault("consent", {"share_with_partners": True, "share_across_borders": False})
        with time_machine.travel(when, tick=False):
            lodged = self._lodge(**changes)
        case = db.session.scalars(select(Case).where(Case.reference == lodged.reference)).one()
        self.cases[name] = case
        return case

    def offer(self, case: Case, org_id: int) -> int:
        return next(
            a.id for a in case.assignments if a.organisation_id == org_id and a.status == "offered"
        )

    def accept(self, case: Case, actor: Any, when: datetime) -> None:
        with time_machine.travel(when, tick=False):
            accept_offer(actor, case, self.offer(case, actor.organisation_id))

    def status(self, case: Case, actor: Any, to: str, when: datetime, reason: str = "") -> None:
        with time_machine.travel(when, tick=False):
            change_status(actor, case, to, case.version, reason)

    def outcome(self, case: Case, actor: Any, when: datetime, **data: Any) -> None:
        with time_machine.travel(when, tick=False):
            record_outcome(actor, case, data, case.version)


@pytest.fixture
def world(app: Flask, lodge: Any, make_org: Any, make_user: Any) -> World:
    rates = {("NPR", date(2025, 1, 1)): "100", ("QAR", date(2025, 1, 1)): "4"}
    rates[("QAR", date(2026, 3, 1))] = "5"
    for (currency, valid_from), per_usd in rates.items():
        rate = db.session.get(ExchangeRate, (currency, valid_from))
        if rate is None:
            rate = ExchangeRate(currency=currency, valid_from=valid_from)
            db.session.add(rate)
        rate.per_usd = Decimal(per_usd)
    db.session.commit()

    w = World(lodge, make_org, make_user)
    asha, karim = w.asha, w.karim
    shared = {"share_with_partners": True, "share_across_borders": True}

    # C1: GEFONT only. Accepted after 1 day, money recovered, resolved after 30 days.
    c1 = w.lodge(
        "C1", at(1, 5), agency=HIMAL, abuse_categories=["RA_FEES", "FL_DOCS"],
        fees=[fee("40000", "2025-12-01"), fee("8000", "2025-12-15", "COST_MEDICAL")],
        actual_monthly_wage=wage("800"),
    )  # fmt: skip
    w.accept(c1, asha, at(1, 6))
    w.status(c1, asha, "in_progress", at(1, 7))
    w.outcome(
        c1, asha, at(2, 4), code="OUT_MONEY_RECOVERED", kind="fee_refund",
        amount_claimed="48000", amount="20000", currency="NPR",
    )  # fmt: skip
    w.status(c1, asha, "resolved", at(2, 4))

    # C2: GEFONT only. 3 days to accept; an award (enforced in part) and a licence action
    # recorded when QAR is 5 per USD; resolved, then closed 59 days after the complaint.
    c2 = w.lodge(
        "C2", at(1, 20), agency=HIMAL, abuse_categories=["RA_FEES"],
        fees=[fee("60000", "2026-01-02")], actual_monthly_wage=wage("600"),
    )  # fmt: skip
    w.accept(c2, asha, at(1, 23))
    w.status(c2, asha, "in_progress", at(1, 24))
    w.outcome(
        c2, asha, at(3, 10), code="OUT_AWARD", amount_claimed="2000", amount="1500",
        amount_enforced="1000", currency="QAR",
    )  # fmt: skip
    w.outcome(c2, asha, at(3, 10), code="OUT_LICENCE_ACTION")
    w.status(c2, asha, "resolved", at(3, 10))
    w.status(c2, asha, "closed", at(3, 20))

    # C3: shared with Gulf, which accepts after 12 hours; no fees; resolved after 20 days.
    c3 = w.lodge(
        "C3", at(2, 2), agency=GORKHA, abuse_categories=["FL_WAGES", "FL_DOCS"], fees=[],
        actual_monthly_wage=wage("1000"), consent=shared,
    )  # fmt: skip
    w.accept(c3, karim, at(2, 2, 22))
    w.accept(c3, asha, at(2, 4))
    w.status(c3, asha, "in_progress", at(2, 5))
    w.outcome(c3, asha, at(2, 20), code="OUT_DOCS_RETURNED")
    w.status(c3, asha, "resolved", at(2, 22))

    # C4: shared with Gulf; GEFONT accepts after 2 days; referred (two referrals); flagged.
    c4 = w.lodge(
        "C4", at(2, 10), agency=GORKHA, abuse_categories=["RA_FEES", "RA_CONTRACT_SUB"],
        fees=[fee("30000", "2026-01-15")], actual_monthly_wage=wage("500"), consent=shared,
    )  # fmt: skip
    w.accept(c4, asha, at(2, 12))
    w.accept(c4, karim, at(2, 15))
    w.status(c4, asha, "in_progress", at(2, 16))
    w.status(c4, asha, "referred", at(2, 20))

    # C5: Gulf declines its side twice (Karim, then the organisation), so the case stays
    # GEFONT's alone; accepted after 6 hours; withdrawn.
    c5 = w.lodge(
        "C5", at(3, 2), agency={}, abuse_categories=["FL_WAGES"], fees=[],
        actual_monthly_wage={}, consent=shared,
    )  # fmt: skip
    with time_machine.travel(at(3, 2, 12), tick=False):
        decline_offer(karim, c5, w.offer(c5, w.gulf.id), "I am on leave.")
        # Offered again to Gulf as a whole; its supervisor declines for the organisation.
        decline_offer(w.gulf_supervisor, c5, w.offer(c5, w.gulf.id), "Outside our mandate.")
    w.accept(c5, asha, at(3, 2, 16))
    w.outcome(c5, asha, at(3, 5), code="OUT_WITHDRAWN")
    w.status(c5, asha, "withdrawn", at(3, 5), reason="The worker asked to stop.")

    # C6: offered to Asha, reassigned by the supervisor to Bikash, who accepts after 3 days.
    c6 = w.lodge(
        "C6", at(3, 15), agency=HIMAL, abuse_categories=["RA_FEES"],
        fees=[fee("8000", "2026-03-01")], actual_monthly_wage=wage("400"),
    )  # fmt: skip
    with time_machine.travel(at(3, 16), tick=False):
        reassign(w.gefont_supervisor, c6, w.offer(c6, w.gefont.id), w.bikash.id)
    w.accept(c6, w.bikash, at(3, 18))

    # C7: the Kenyan union's own case.
    c7 = w.lodge(
        "C7", at(4, 1), origin_country="KE", destination_country="SA", language="en",
        agency={"name": "Nairobi Jobs", "licence_number": "KE-1"}, abuse_categories=["FL_DOCS"],
        fees=[], actual_monthly_wage={},
    )  # fmt: skip
    w.accept(c7, w.kenya_supervisor, at(4, 2))

    # What other jobs would have written: referrals, flags and the stored deadlines.
    db.session.add_all(
        [
            Referral(
                case_id=c4.id, forum_kind="DEST_LABOUR_COURT", status="decided",
                outcome_code="OUT_AWARD", amount_awarded=Decimal("2000"),
                amount_enforced=Decimal("500"), currency="QAR", decided_at=at(3, 5),
            ),
            Referral(case_id=c4.id, forum_kind="ORIG_REGULATOR", status="sent", sent_at=at(2, 21)),
            Flag(case_id=c4.id, rule="NO_ACTIVITY", level=2, raised_at=at(5, 1)),
            Flag(case_id=c6.id, rule="OFFER_NOT_ACCEPTED", level=1, raised_at=at(5, 1)),
            Flag(case_id=c6.id, rule="NO_ACTIVITY", level=3, raised_at=at(5, 2)),
            Flag(case_id=c1.id, rule="NO_ACTIVITY", level=1, raised_at=at(1, 30)),
            Flag(
                case_id=c7.id, rule="NO_ACTIVITY", level=1, raised_at=at(5, 1),
                resolved_at=at(5, 2),
            ),
        ]
    )  # fmt: skip
    c4.next_deadline_at, c4.claim_deadline = at(6, 1), date(2026, 9, 1)
    c6.next_deadline_at, c6.claim_deadline = at(7, 15), date(2026, 5, 1)
    c7.next_deadline_at, c7.claim_deadline = None, None
    db.session.commit()
    return w


def raw(world_user: Any, name: str, **filters: str) -> list[dict[str, Any]]:
    """A figure's rows before the small-cell rule, as `world_user` would get them."""
    scope = Scope.for_actor(world_user, ReportFilters.from_args(filters), now=NOW)
    return [
        {k: v for k, v in row.items() if not k.startswith("_")} for row in FIGURES[name](scope).rows
    ]


# --- every figure, by hand -------------------------------------------------------------------


def test_every_figure_for_an_admin_matches_the_hand_computed_world(world: World) -> None:
    admin = world.admin
    assert raw(admin, "summary") == [{"cases": 7, "open": 3, "finished": 3, "withdrawn": 1}]
    assert raw(admin, "new_cases") == [
        {"period": "2026-01", "cases": 2},
        {"period": "2026-02", "cases": 2},
        {"period": "2026-03", "cases": 2},
        {"period": "2026-04", "cases": 1},
    ]
    assert raw(admin, "open_by_status") == [
        {"status": "received", "cases": 0},
        {"status": "triaged", "cases": 2},
        {"status": "in_progress", "cases": 0},
        {"status": "awaiting_worker", "cases": 0},
        {"status": "referred", "cases": 1},
    ]
    # First acceptance: 1, 3, 0.5 (Gulf), 2, 0.25, 3 (Bikash, after the reassignment), 1 days.
    # Sorted 0.25 0.5 1 1 2 3 3: median the 4th = 1; 90th percentile rank ceil(6.3) = 7th = 3.
    # Resolution: 30 (resolved), 59 (closed: when closed), 20 days: median 30, p90 59.
    assert raw(admin, "response_times") == [
        {"measure": "first_response", "cases": 7, "median": 1.0, "p90": 3.0},
        {"measure": "resolution", "cases": 3, "median": 30.0, "p90": 59.0},
    ]
    assert raw(admin, "outcomes") == [
        {"code": "OUT_AWARD", "cases": 1},
        {"code": "OUT_DOCS_RETURNED", "cases": 1},
        {"code": "OUT_LICENCE_ACTION", "cases": 1},
        {"code": "OUT_MONEY_RECOVERED", "cases": 1},
        {"code": "OUT_WITHDRAWN", "cases": 1},
    ]
    # Outcomes on C1, C2, C3, C5; a remedy on C1 (money), C2 (award), C3 (documents).
    assert raw(admin, "remedy_rate") == [{"with_outcome": 4, "remedied": 3, "rate": 75.0}]
    # NPR at 100 per USD; QAR at 5 per USD on 2026-03-10; the award's recovered = enforced.
    assert raw(admin, "money") == [
        {
            "currency": "NPR", "claimed": 48000.0, "agreed": 20000.0, "recovered": 20000.0,
            "cases": 1, "claimed_rep": 480.0, "recovered_rep": 200.0, "no_rate": 0,
        },
        {
            "currency": "QAR", "claimed": 2000.0, "agreed": 1500.0, "recovered": 1000.0,
            "cases": 1, "claimed_rep": 400.0, "recovered_rep": 200.0, "no_rate": 0,
        },
        {
            "currency": "*", "claimed": None, "agreed": None, "recovered": None,
            "cases": 2, "claimed_rep": 880.0, "recovered_rep": 400.0, "no_rate": 0,
        },
    ]  # fmt: skip
    # Decided on 2026-03-05 (QAR 5 per USD): 2000 QAR awarded = 400 USD, 500 enforced = 100.
    assert raw(admin, "referrals") == [
        {
            "forum": "DEST_LABOUR_COURT", "cases": 1, "open": 0, "decided": 1, "awards": 1,
            "awarded": 400.0, "enforced": 100.0,
        },
        {
            "forum": "ORIG_REGULATOR", "cases": 1, "open": 1, "decided": 0, "awards": 0,
            "awarded": None, "enforced": None,
        },
    ]  # fmt: skip
    assert raw(admin, "referral_outcomes") == [
        {"forum": "DEST_LABOUR_COURT", "code": "OUT_AWARD", "cases": 1}
    ]
    # Open flags on open cases: C4 (step 2), C6 (steps 1 and 3: highest 3). C1 is resolved,
    # C7's flag is resolved. Overdue: C4 (1 June). Claim deadline passed: C6 (1 May).
    assert raw(admin, "flags") == [
        {"measure": "flagged", "cases": 2},
        {"measure": "level_1", "cases": 0},
        {"measure": "level_2", "cases": 1},
        {"measure": "level_3", "cases": 1},
        {"measure": "overdue", "cases": 1},
        {"measure": "claim_deadline", "cases": 1},
    ]
    assert raw(admin, "caseload") == [
        {"caseworker": "Asha", "organisation": "Gefont", "open": 1, "offered": 0, "finished": 3},
        {"caseworker": "Bikash", "organisation": "Gefont", "open": 1, "offered": 0, "finished": 0},
        {
            "caseworker": "Karim", "organisation": "Gulf Legal Aid", "open": 1, "offered": 0,
            "finished": 1,
        },
    ]  # fmt: skip
    # The Kenyan supervisor accepted C7 for the organisation: no caseworker holds it.
    # RC in QAR / first-month wage: C1 (40000+8000)/100*4 / 800 = 2.4; C2 60000/100*4 / 600
    # = 4.0; C4 30000/100*4 / 500 = 2.4; C6 8000/100*5 / 400 = 1.0 (QAR 5 from 1 March).
    # C3 paid nothing recorded, C5 gave no wage. Mean (2.4 + 4 + 2.4 + 1) / 4 = 2.45.
    assert raw(admin, "recruitment_cost") == [{"workers": 4, "months": 2.45, "corridor": "NP-QA"}]
    # Himal: C1, C2, C6 paid 480 + 600 + 80 USD; Gorkha: C3, C4 (only C4 paid, 300 USD).
    # No registry is loaded in this world: Himal's typed licence number no longer makes it
    # "licensed" (issue 16: licensed means the registry says valid on the day of recruitment),
    # so every licence is "unknown" and none counts as licensed at recruitment.
    agencies = raw(admin, "agencies")
    assert agencies == [
        {
            "agency": "Himal Overseas Manpower", "country": "NP", "licence_today": "unknown",
            "complaints": 3, "licensed_then": 0, "payers": 3, "fees": 1160.0,
        },
        {
            "agency": "Gorkha Manpower", "country": "NP", "licence_today": "unknown",
            "complaints": 2, "licensed_then": 0, "payers": 1, "fees": 300.0,
        },
        {
            "agency": "Nairobi Jobs", "country": "KE", "licence_today": "unknown",
            "complaints": 1, "licensed_then": 0, "payers": 0, "fees": None,
        },
    ]  # fmt: skip
    # Was licensed 4 (a licence number typed), unlicensed 2, none 1: without a registry
    # match, the six complaints naming an agency are "unknown".
    assert raw(admin, "agency_licences") == [
        {"licence": "licensed", "complaints": 0},
        {"licence": "unlicensed", "complaints": 0},
        {"licence": "unknown", "complaints": 6},
        {"licence": "none", "complaints": 1},
    ]


def test_a_supervisor_gets_their_organisations_cases_including_shared_and_handed_on_ones(
    world: World,
) -> None:
    sup = world.gefont_supervisor
    # C1-C6: C5 counts (Gulf declined), C6 counts through Bikash (and Asha's ended offer).
    assert raw(sup, "summary") == [{"cases": 6, "open": 2, "finished": 3, "withdrawn": 1}]
    # 0.25 0.5 1 2 3 3: median (1 + 2) / 2 = 1.5; p90 rank ceil(5.4) = 6th = 3.
    assert raw(sup, "response_times")[0] == {
        "measure": "first_response", "cases": 6, "median": 1.5, "p90": 3.0,
    }  # fmt: skip
    # Caseload: only GEFONT's own caseworkers.
    assert [row["caseworker"] for row in raw(sup, "caseload")] == ["Asha", "Bikash"]
    # Gulf sees only the two cases it shares; Kenya only its own.
    assert raw(world.gulf_supervisor, "summary") == [
        {"cases": 2, "open": 1, "finished": 1, "withdrawn": 0}
    ]
    assert raw(world.kenya_supervisor, "summary") == [
        {"cases": 1, "open": 1, "finished": 0, "withdrawn": 0}
    ]


@pytest.mark.parametrize(
    ("filters", "cases"),
    [
        ({"from": "2026-02-01", "to": "2026-03-02"}, 3),  # C3, C4, C5 (the end day included)
        ({"origin": "KE"}, 1),
        ({"destination": "QA"}, 6),
        ({"abuse": "FL_DOCS"}, 3),  # C1, C3, C7
        ({"abuse": "fl_docs"}, 3),
        ({"caseworker": "bikash"}, 1),  # C6
        ({"organisation": "gulf"}, 2),  # C3, C4: Gulf's declined offer on C5 does not count
        ({"agency": "himal"}, 3),
        ({"from": "not a date", "organisation": "x"}, 7),  # nonsense is ignored
    ],
)
def test_filters_narrow_the_cases(world: World, filters: dict[str, str], cases: int) -> None:
    ids = {
        "bikash": world.bikash.id,
        "gulf": world.gulf.id,
        "himal": world.cases["C1"].agency_id,
    }
    args = {k: str(ids.get(v, v)) for k, v in filters.items()}
    assert raw(world.admin, "summary", **args)[0]["cases"] == cases


@pytest.mark.parametrize(
    ("filters", "cases"),
    [
        ({"organisation": "gulf"}, 2),  # C3, C4: the cases GEFONT shares with Gulf
        ({"organisation": "gefont"}, 6),  # their own: no narrower
        ({"abuse": "FL_DOCS"}, 2),  # C1, C3 (not the Kenyan C7)
        ({"abuse": "RA_FEES"}, 4),  # C1, C2, C4, C6
        ({"caseworker": "bikash"}, 1),  # C6
    ],
)
def test_a_supervisors_filters_narrow_their_own_cases(
    world: World, filters: dict[str, str], cases: int
) -> None:
    ids = {"bikash": world.bikash.id, "gulf": world.gulf.id, "gefont": world.gefont.id}
    args = {k: str(ids.get(v, v)) for k, v in filters.items()}
    assert raw(world.gefont_supervisor, "summary", **args)[0]["cases"] == cases


def test_an_organisations_times_come_from_its_own_cases(world: World) -> None:
    # Gulf's cases C3 and C4: first accepted after 12 hours (Gulf) and 2 days (GEFONT).
    for who, filters in (
        (world.admin, {"organisation": str(world.gulf.id)}),
        (world.gulf_supervisor, {}),
    ):
        assert raw(who, "response_times", **filters)[0] == {
            "measure": "first_response", "cases": 2, "median": 1.2, "p90": 2.0,  # 1.25 rounded
        }  # fmt: skip


def test_money_without_a_rate_is_counted_not_guessed(world: World) -> None:
    for rate in db.session.scalars(select(ExchangeRate).where(ExchangeRate.currency == "QAR")):
        db.session.delete(rate)
    db.session.commit()
    rows = {row["currency"]: row for row in raw(world.admin, "money")}
    assert rows["QAR"]["claimed"] == 2000.0 and rows["QAR"]["claimed_rep"] is None
    assert rows["QAR"]["no_rate"] == 2  # the amount claimed and the amount recovered
    assert rows["*"]["claimed_rep"] == 480.0 and rows["*"]["no_rate"] == 2
    # Without QAR, no worker's cost can be set against a QAR wage.
    assert raw(world.admin, "recruitment_cost") == []


def test_a_different_reporting_currency_converts_in_sql(world: World) -> None:
    scope = Scope.for_actor(world.admin, currency="NPR", now=NOW)
    rows = {row["currency"]: row for row in FIGURES["money"](scope).rows}
    # 2000 QAR on 2026-03-10 = 400 USD = 40000 NPR; NPR itself is not converted.
    assert rows["QAR"]["claimed_rep"] == 40000.0
    assert rows["NPR"]["claimed_rep"] == 48000.0
    assert rows["*"]["claimed_rep"] == 88000.0


# --- small cells -----------------------------------------------------------------------------


def _table(tables: list[Any], name: str) -> Any:
    return next(t for t in tables if t.name == name)


def test_admins_see_small_counts_hidden_and_figures_resting_on_them(world: World) -> None:
    tables = build_report(Scope.for_actor(world.admin, now=NOW))
    summary = _table(tables, "summary").rows[0]
    assert summary["cases"] == 7 and summary["open"] == SMALL_COUNT
    times = _table(tables, "response_times").rows
    assert times[0]["cases"] == 7 and times[0]["median"] == 1.0  # seven cases: shown
    assert times[1]["cases"] == SMALL_COUNT and times[1]["median"] == SMALL_BASIS
    remedy = _table(tables, "remedy_rate").rows[0]
    assert remedy["rate"] == SMALL_BASIS
    statuses = {row["status"]: row["cases"] for row in _table(tables, "open_by_status").rows}
    assert statuses == {
        "received": 0, "triaged": SMALL_COUNT, "in_progress": 0, "awaiting_worker": 0,
        "referred": SMALL_COUNT,
    }  # fmt: skip


def test_a_supervisor_sees_exact_figures_only_for_cases_no_other_organisation_shares(
    world: World,
) -> None:
    tables = build_report(Scope.for_actor(world.gefont_supervisor, now=NOW))
    statuses = {row["status"]: row["cases"] for row in _table(tables, "open_by_status").rows}
    assert statuses["referred"] == SMALL_COUNT  # C4: shared with Gulf
    # C6 is GEFONT's alone, but the one hidden status could be worked out from the open total,
    # so the next smallest is hidden too.
    assert statuses["triaged"] == SMALL_COUNT
    months = {row["period"]: row["cases"] for row in _table(tables, "new_cases").rows}
    # February (C3, C4) is shared, so hidden; one hidden month could be worked out from the
    # total of six, so the smallest other month (January) is hidden too.
    assert months == {"2026-01": SMALL_COUNT, "2026-02": SMALL_COUNT, "2026-03": 2}
    caseload = {row["caseworker"]: row for row in _table(tables, "caseload").rows}
    assert caseload["Bikash"]["open"] == 1  # C6 only
    assert caseload["Asha"]["finished"] == SMALL_COUNT  # includes C3, shared


def test_kenyan_supervisor_sees_their_single_case_exactly(world: World) -> None:
    tables = build_report(Scope.for_actor(world.kenya_supervisor, now=NOW))
    assert _table(tables, "summary").rows[0]["cases"] == 1


# --- pages -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clock() -> Any:
    """The report is read on 30 June 2026 (the world is built at earlier moments within it)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _get(client: FlaskClient, user: Any, path: str) -> Any:
    login(client, user)
    return client.get(path)


def test_report_page_shows_every_section_with_charts_and_tables(
    app: Flask, client: FlaskClient, world: World
) -> None:
    for day in range(1, 7):  # enough cases in April for figures over the small-cell line
        world.lodge("April", at(4, day), agency=HIMAL)
    response = _get(client, world.admin, "/reports/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in FIGURES:
        assert f'id="{name}"' in html
        assert f"/reports/{name}.csv" in html
    assert "style=" not in html and "<script" not in html
    assert "Small numbers are hidden" in html
    assert "Himal Overseas Manpower" in html
    assert response.headers["Cache-Control"] == "no-store"
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(svgs) >= 3  # new cases, open by status, agencies
    for svg in svgs:
        root = ET.fromstring(svg)  # noqa: S314 - our own markup
        ns = "{http://www.w3.org/2000/svg}"
        assert root.get("role") == "img"
        title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_supervisor_page_never_shows_another_organisations_unshared_cases(
    app: Flask, client: FlaskClient, world: World
) -> None:
    html = _get(client, world.gefont_supervisor, "/reports/").get_data(as_text=True)
    assert "Nairobi Jobs" not in html and "Wanjiru" not in html and "Karim" not in html
    kenya = app.test_client()
    html = _get(kenya, world.kenya_supervisor, "/reports/").get_data(as_text=True)
    for agency in ("Himal Overseas Manpower", "Gorkha Manpower"):
        assert agency not in html
    assert "Asha" not in html


def test_caseworkers_are_refused_and_visitors_sent_to_sign_in(
    app: Flask, client: FlaskClient, world: World
) -> None:
    for path in ("/reports/", "/reports/summary.csv", "/reports/rates"):
        response = app.test_client().get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _get(client, world.caseworker, "/reports/").status_code == 403
    assert client.get("/reports/money.csv").status_code == 403
    assert client.post("/reports/rates", data={"currency": "NPR"}).status_code == 403


def test_csv_exports_parse_hide_small_cells_and_are_audited(
    app: Flask, client: FlaskClient, world: World
) -> None:
    response = _get(client, world.gefont_supervisor, "/reports/open_by_status.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Status", "Status (code)", "Cases"]
    by_code = {row[1]: row[2] for row in rows[1:]}
    # An export hides every small count, whoever asks.
    assert by_code == {
        "received": "0", "triaged": "<5", "in_progress": "0", "awaiting_worker": "0",
        "referred": "<5",
    }  # fmt: skip
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert (event.action, event.object_type, event.object_id) == (
        "export",
        "report",
        "open_by_status",
    )
    for name in FIGURES:
        response = client.get(f"/reports/{name}.csv?origin=NP")
        assert response.status_code == 200, name
        parsed = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
        assert len({len(row) for row in parsed}) == 1, name  # every row as wide as the header
    assert client.get("/reports/nothing.csv").status_code == 404


def test_csv_money_export_hides_amounts_resting_on_few_cases(
    client: FlaskClient, world: World
) -> None:
    response = _get(client, world.admin, "/reports/money.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [row["Currency"] for row in rows] == ["NPR", "QAR", "All currencies, in USD"]
    assert {row["Cases"] for row in rows} == {"<5"}
    assert {row["Claimed (USD)"] for row in rows} == {"n<5"}


def test_csv_cells_cannot_become_spreadsheet_formulas(
    app: Flask, client: FlaskClient, world: World, lodge: Any
) -> None:
    for _ in range(5):
        world.lodge("X", at(4, 3), agency={"name": "=HYPERLINK(1)", "licence_number": ""})
    rows = list(
        csv.reader(
            io.StringIO(
                _get(client, world.admin, "/reports/agencies.csv").get_data().decode("utf-8-sig")
            )
        )
    )
    assert rows[1][:2] == ["'=HYPERLINK(1)", "Nepal"]


def test_admin_edits_exchange_rates_and_reports_follow(
    app: Flask, client: FlaskClient, world: World
) -> None:
    assert _get(client, world.admin, "/reports/rates").status_code == 200
    bad = client.post("/reports/rates", data={"currency": "QAR", "valid_from": "2026-03-01"})
    assert bad.status_code == 422
    saved = client.post(
        "/reports/rates", data={"currency": "QAR", "valid_from": "2026-03-01", "per_usd": "8"}
    )
    assert saved.status_code == 302
    rows = {row["currency"]: row for row in raw(world.admin, "money")}
    assert rows["QAR"]["claimed_rep"] == 250.0  # 2000 QAR at 8 per USD
    assert client.post("/reports/rates/QAR/2026-03-01/delete").status_code == 302
    assert client.post("/reports/rates/QAR/2026-03-01/delete").status_code == 404
    rows = {row["currency"]: row for row in raw(world.admin, "money")}
    assert rows["QAR"]["claimed_rep"] == 500.0  # back to 4 per USD
    supervisor = app.test_client()
    assert _get(supervisor, world.gefont_supervisor, "/reports/rates").status_code == 403


@pytest.mark.usefixtures("compiled")
def test_report_page_in_nepali(app: Flask, client: FlaskClient, world: World) -> None:
    client.set_cookie("cw_lang", "ne")
    html = _get(client, world.gefont_supervisor, "/reports/").get_data(as_text=True)
    assert '<html lang="ne"' in html
    assert "Outcome report" not in html
