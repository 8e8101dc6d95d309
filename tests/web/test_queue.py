"""The caseworker queue: tabs with counts, filters, sorting and pagination."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from casework.extensions import db
from casework.models import Assignment
from casework.services.assignments.operations import accept_offer
from tests.conftest import login


def _references(page: str) -> list[str]:
    return re.findall(r'href="/cases/(CW-[2-9A-Z]{4}-[2-9A-Z]{4})"', page)


def test_queue_tabs_filters_and_pages(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne", "tl"])
    asha = make_user(gefont, languages=["ne"])
    for n in range(33):
        lodge(
            abuse_categories=["RA_FEES"] if n % 2 else ["FL_WAGES"],
            destination_country="QA" if n % 3 else "MY",
        )
    lodge(language="tl")  # nobody speaks Tagalog: offered to the organisation, unassigned
    accepted = db.session.scalars(
        select(Assignment).where(Assignment.user_id == asha.id).limit(3)
    ).all()
    for assignment in accepted:
        accept_offer(asha, assignment.case, assignment.id)

    client = app.test_client()
    login(client, asha)
    offered = client.get("/cases/?tab=offered").get_data(as_text=True)
    assert re.search(r"Offered to me <span class=\"badge\">30</span>", offered)
    assert re.search(r"Mine <span class=\"badge\">3</span>", offered)
    assert re.search(r"unassigned <span class=\"badge\">1</span>", offered)
    assert len(_references(offered)) == 25  # one full page
    second = client.get("/cases/?tab=offered&page=2").get_data(as_text=True)
    assert len(_references(second)) == 5 and "Page 2 of 2" in second
    assert not set(_references(second)) & set(_references(offered))

    mine = client.get("/cases/?tab=mine").get_data(as_text=True)
    assert sorted(_references(mine)) == sorted(a.case.reference for a in accepted)

    fees_only = client.get("/cases/?tab=offered&abuse=RA_FEES").get_data(as_text=True)
    malaysia = client.get("/cases/?tab=offered&corridor=NP-MY").get_data(as_text=True)
    statuses = client.get("/cases/?tab=mine&status=triaged").get_data(as_text=True)
    assert 0 < len(_references(fees_only)) < 25
    assert all("Malaysia" in row for row in re.findall(r"<tr>.*?</tr>", malaysia, re.S)[1:])
    assert len(_references(statuses)) == 3
    oldest = _references(client.get("/cases/?tab=offered&sort=oldest").get_data(as_text=True))
    newest = _references(client.get("/cases/?tab=offered&sort=newest").get_data(as_text=True))
    assert oldest != newest
