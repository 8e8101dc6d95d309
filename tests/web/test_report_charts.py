"""The report page as a reader sees it: headline figures first, a chart beside each table that
reads better as one (new cases as a line, outcomes and money as bars, time to a first answer
as a distribution), every chart named and described, a hidden small number drawn as hidden
(never as zero, never as a bar), and CSV files whose columns are named in plain words.

The world: one Nepali desk; 6 complaints in January, 2 in February, 7 in March 2026. Five
cases recover money, two get their documents back (fewer than five: hidden for an admin, who
sees every organisation's cases; exact for the desk's own supervisor).
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case
from casework.services.assignments.operations import accept_offer
from casework.services.casefile.lifecycle import change_status
from casework.services.casefile.outcomes import record_outcome
from casework.services.reports import FIGURES
from tests.conftest import login

SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)


def _at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def people(app: Flask, lodge: Any, make_org: Any, make_user: Any) -> Iterator[dict[str, Any]]:
    desk = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(desk, "caseworker", ["ne"], name="Asha")
    supervisor = make_user(desk, "supervisor", name="Gita")
    admin = make_user(make_org("platform", [], ["en"]), "admin", name="Admin")
    cases: list[Case] = []
    days = [(1, d) for d in range(5, 11)] + [(2, 3), (2, 17)] + [(3, d) for d in range(2, 9)]
    for month, day in days:
        with time_machine.travel(_at(month, day), tick=False):
            reference = lodge(contact=None).reference
        cases.append(db.session.scalars(select(Case).where(Case.reference == reference)).one())
    # first answers: the same day for most, after 2, 5 and 10 days for three
    delays = {0: 10 * 24, 1: 5 * 24, 2: 2 * 24}
    for index, case in enumerate(cases):
        offer = next(a.id for a in case.assignments if a.status == "offered")
        when = case.created_at.replace(tzinfo=UTC) + _hours(delays.get(index, 3))
        with time_machine.travel(when, tick=False):
            accept_offer(asha, case, offer)
            change_status(asha, case, "in_progress", case.version)
    for index, case in enumerate(cases[:7]):
        with time_machine.travel(_at(4, 1 + index), tick=False):
            data: dict[str, Any] = {"code": "OUT_DOCS_RETURNED"}
            if index < 5:
                data = {
                    "code": "OUT_MONEY_RECOVERED", "kind": "fee_refund", "currency": "NPR",
                    "amount_claimed": "136000", "amount": str(13600 * (index + 1)),
                }  # fmt: skip
            record_outcome(asha, case, data, case.version)
    with time_machine.travel(NOW, tick=True):
        yield {"asha": asha, "supervisor": supervisor, "admin": admin}


def _hours(count: int) -> Any:
    from datetime import timedelta

    return timedelta(hours=count)


def _page(client: FlaskClient, user: Any) -> str:
    login(client, user)
    response = client.get("/reports/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(html: str, name: str) -> str:
    found = re.search(rf'<section class="report-section" id="{name}".*?</section>', html, re.S)
    assert found, name
    return found.group(0)


def _chart(section: str) -> ET.Element:
    figure = re.search(r"<figure\b.*?</figure>", section, re.S)
    assert figure, "no figure"
    svg = re.search(r"<svg\b.*?</svg>", figure.group(0), re.S)
    assert svg
    root = ET.fromstring(svg.group(0))  # noqa: S314 - our own markup
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def _rects(root: ET.Element, kind: str) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if kind in (r.get("class") or "").split()]


def test_headline_figures_come_first_and_each_chart_sits_beside_its_table(
    client: FlaskClient, people: dict[str, Any]
) -> None:
    html = _page(client, people["supervisor"])
    glance = html.index('id="headlines-h"')
    assert glance < html.index('class="report-section"')
    headline = re.search(r'id="headline-summary-cases"><dt>Cases</dt><dd>([^<]*)</dd>', html)
    assert headline and headline.group(1) == "15"
    titles = {
        "new_cases": "New cases over time",
        "outcomes": "Outcomes by code",
        "money": "Money claimed and recovered",
        "response_spread": "How long workers waited for a first answer",
    }
    for name, title in titles.items():
        section = _section(html, name)
        root = _chart(section)
        assert root.find(f"{SVG}title").text == title  # type: ignore[union-attr]
        assert "<table>" in section  # the numbers beside the chart
    line = _chart(_section(html, "new_cases"))
    assert line.find(f"{SVG}polyline") is not None
    assert len(list(line.iter(f"{SVG}circle"))) == 3  # January, February, March
    money = _chart(_section(html, "money"))
    texts = [t.text for t in money.iter(f"{SVG}text")]
    assert "Claimed (USD)" in texts and "Recovered (USD)" in texts  # the legend
    assert {r.get("class") for r in _rects(money, "bar")} >= {"bar series-0", "bar series-1"}
    spread = _section(html, "response_spread")
    waits = [t.text for t in _chart(spread).iter(f"{SVG}text")]
    assert "Within a day" in waits and "8–14 days" in waits
    assert re.search(r"<th scope=\"row\"[^>]*>Within a day</th><td[^>]*>12</td>", spread)
    # the desk's own supervisor sees exact figures: nothing is drawn as hidden
    assert 'class="suppressed"' not in html


def test_a_hidden_small_number_is_drawn_as_hidden_never_as_zero_or_a_bar(
    client: FlaskClient, people: dict[str, Any]
) -> None:
    html = _page(client, people["admin"])
    line = _chart(_section(html, "new_cases"))
    # February's two complaints, and January's six with them (else the total would give
    # February away): two hatched markers, one point (March), and no line through them
    hidden = _rects(line, "suppressed")
    tips = [h.findtext(f"{SVG}title") or "" for h in hidden]
    assert [tip.split(" (")[0] for tip in tips] == ["2026-01: <5", "2026-02: <5"]
    assert all("hidden: fewer than 5 cases" in tip for tip in tips)
    assert all(h.get("fill", "").startswith("url(#") for h in hidden)  # hatched
    assert len(list(line.iter(f"{SVG}circle"))) == 1  # no point at zero for them
    assert line.find(f"{SVG}polyline") is None
    assert "hidden numbers" in (line.findtext(f"{SVG}desc") or "")

    outcomes = _chart(_section(html, "outcomes"))
    marker = _rects(outcomes, "suppressed")
    assert len(marker) == 1 and "Documents returned" in (marker[0].findtext(f"{SVG}title") or "")
    bars = _rects(outcomes, "bar")
    assert len(bars) == 1  # money recovered; documents returned has no bar at all
    assert float(marker[0].get("width", 0)) < float(bars[0].get("width", 0))
    assert "<5" in [t.text for t in outcomes.iter(f"{SVG}text")]
    assert "It is not zero." in _section(html, "outcomes")  # the key under the chart


def test_every_csv_names_its_columns_in_plain_words(
    client: FlaskClient, people: dict[str, Any]
) -> None:
    login(client, people["supervisor"])
    for name in FIGURES:
        response = client.get(f"/reports/{name}.csv")
        assert response.status_code == 200, name
        header = next(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
        assert all("_" not in column and column.strip() for column in header), (name, header)
    outcomes = client.get("/reports/outcomes.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(outcomes)))
    assert rows[0] == ["Outcome", "Outcome (code)", "Cases"]
    assert ["Money recovered", "OUT_MONEY_RECOVERED", "5"] in rows
    spread = client.get("/reports/response_spread.csv").get_data().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(spread)))[:2] == [
        ["Waited", "Cases"],
        ["Within a day", "12"],
    ]


def test_the_distribution_counts_each_answered_case_in_its_range(
    app: Flask, people: dict[str, Any]
) -> None:
    from casework.services.reports import ReportFilters, Scope
    from casework.services.reports.spread import first_response_spread

    supervisor = people["supervisor"]
    agency_id = db.session.scalars(select(Case.agency_id)).first()
    every = first_response_spread(Scope.for_actor(supervisor, currency="USD"))
    # a filter on the agency (every case here) changes nothing
    narrowed = Scope.for_actor(supervisor, ReportFilters(agency_id=agency_id), currency="USD")
    assert narrowed.filtered
    counts = [(row["range"], row["cases"]) for row in every.rows]
    assert counts == [(row["range"], row["cases"]) for row in first_response_spread(narrowed).rows]
    assert counts[:5] == [("d0", 12), ("d1", 0), ("d2_3", 1), ("d4_7", 1), ("d8_14", 1)]
