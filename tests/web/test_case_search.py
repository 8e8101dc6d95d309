"""Finding a case from the queue: every search field, in plain words, through the real pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from casework.extensions import db
from casework.models import Flag
from casework.services.assignments.operations import accept_offer
from casework.services.casefile import queues
from tests.conftest import case_by_reference, login


def _found(client: FlaskClient, query: str) -> set[str]:
    page = client.get("/cases/?tab=org_all&" + query)
    assert page.status_code == 200
    return set(
        re.findall(r'href="/cases/(CW-[2-9A-Z]{4}-[2-9A-Z]{4})"', page.get_data(as_text=True))
    )


@pytest.fixture
def desk(app: Flask, lodge: Any, make_org: Any, make_user: Any) -> dict[str, Any]:
    """A Nepal union with a caseworker and a supervisor, and five different complaints."""
    gefont = make_org("gefont", ["NP"], ["ne", "en"])
    caseworker = make_user(gefont, languages=["ne", "en"])
    supervisor = make_user(gefont, "supervisor")
    with time_machine.travel(datetime(2026, 1, 10, 9, tzinfo=UTC), tick=False):
        january = lodge(
            agency={"name": "Himal Overseas Manpower", "licence_number": "1234/067/68"},
            employer={"name": "Doha Build Contracting"},
            abuse_categories=["RA_FEES"],
        ).reference
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False):
        march = lodge(
            agency={"name": "Everest Recruiting Service", "licence_number": "998/070/71"},
            employer={"name": "Al Habtoor Cleaning"},
            destination_country="MY",
            abuse_categories=["FL_DOCS"],
        ).reference
    april = lodge(employer={"name": "doha star trading"}, language="en").reference
    other = lodge(
        agency={"name": "Kathmandu Placement"},
        employer={"name": "Gulf Star Services"},
        abuse_categories=["FL_WAGES"],
    ).reference
    client = login_as(app, supervisor)
    return {
        "client": client,
        "caseworker": caseworker,
        "supervisor": supervisor,
        "january": january,
        "march": march,
        "april": april,
        "other": other,
        "all": {january, march, april, other},
    }


def login_as(app: Flask, user: Any) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _by_reference(desk: dict[str, Any]) -> None:
    client, march = desk["client"], desk["march"]
    assert _found(client, f"reference={march}") == {march}
    spoken = march.lower().replace("-", " ")  # "cw 7k3m 92xd", as read over the phone
    assert _found(client, f"reference={spoken}") == {march}
    assert _found(client, f"reference={march[3:]}") == {march}  # without "CW-"
    start = _found(client, f"reference={march[:6]}")
    assert march in start and start <= desk["all"]
    assert _found(client, "reference=CW-ZZZZ-ZZZZ") == set()


def _by_agency(desk: dict[str, Any]) -> None:
    client = desk["client"]
    assert _found(client, "agency=everest") == {desk["march"]}
    assert _found(client, "agency=OVERSEAS+manpower") == {desk["january"], desk["april"]}
    assert _found(client, "agency=998/070/71") == {desk["march"]}
    assert _found(client, "agency=nobody+at+all") == set()


def _by_employer(desk: dict[str, Any]) -> None:
    client = desk["client"]
    assert _found(client, "employer=DOHA") == {desk["january"], desk["april"]}
    assert _found(client, "employer=doha+b") == {desk["january"]}
    assert _found(client, "employer=al+habtoor") == {desk["march"]}
    assert _found(client, "employer=habtoor") == set()  # the start of the name, as the hint says


def _by_corridor_code_and_language(desk: dict[str, Any]) -> None:
    client = desk["client"]
    assert _found(client, "destination=MY") == {desk["march"]}
    assert _found(client, "origin=NP&destination=QA") == desk["all"] - {desk["march"]}
    assert _found(client, "abuse=FL_WAGES") == {desk["other"]}
    assert _found(client, "language=en") == {desk["april"]}


def _by_status(desk: dict[str, Any]) -> None:
    case = case_by_reference(desk["april"])
    offer = next(a for a in case.assignments if a.status == "offered")
    accept_offer(desk["caseworker"], case, offer.id)  # received -> triaged
    assert _found(desk["client"], "status=triaged") == {desk["april"]}
    assert _found(desk["client"], "status=received") == desk["all"] - {desk["april"]}


def _by_flag(desk: dict[str, Any]) -> None:
    for reference, rule in ((desk["january"], "NO_ACTIVITY"), (desk["other"], "CLAIM_DEADLINE")):
        db.session.add(Flag(case_id=case_by_reference(reference).id, rule=rule, reason="test"))
    db.session.add(
        Flag(
            case_id=case_by_reference(desk["march"]).id,
            rule="NO_ACTIVITY",
            resolved_at=datetime.now(UTC),  # resolved: no longer flagged
        )
    )
    db.session.commit()
    client = desk["client"]
    assert _found(client, "flag=any") == {desk["january"], desk["other"]}
    assert _found(client, "flagged=1") == {desk["january"], desk["other"]}  # older links
    assert _found(client, "flag=CLAIM_DEADLINE") == {desk["other"]}
    assert _found(client, "flag=NO_ACTIVITY") == {desk["january"]}


def _by_date_received(desk: dict[str, Any]) -> None:
    client = desk["client"]
    assert _found(client, "received_from=2026-01-01&received_to=2026-01-31") == {desk["january"]}
    assert _found(client, "received_to=2026-03-02") == {desk["january"], desk["march"]}
    assert _found(client, "received_from=2026-03-03") == {desk["april"], desk["other"]}
    page = client.get("/cases/?tab=org_all&received_from=2026-13-45").get_data(as_text=True)
    assert "A date was not understood" in page
    assert len(re.findall(r'href="/cases/CW-', page)) == 4  # the bad date was left out


def _combined_in_plain_words(desk: dict[str, Any]) -> None:
    client = desk["client"]
    assert _found(client, "employer=doha&abuse=FL_DOCS") == {desk["april"]}
    page = client.get("/cases/?tab=org_all&employer=doha").get_data(as_text=True)
    assert "2 cases found" in page and "Clear the search" in page
    assert 'value="doha"' in page  # the search stays in the form
    # pickers in words: statuses, flags, what happened, countries
    assert "Offer not answered" in page and "Claim deadline approaching" in page
    assert ">Malaysia<" in page and ">Nepal<" in page
    assert not re.search(r">(RA_FEES|NO_ACTIVITY|in_progress|NP)<", page)
    # odd input is a search that finds nothing, never an error page
    assert _found(client, "agency=%25&employer=%F4%8F%BF%BF&reference=%00") == set()
    assert _found(client, "employer=_oha") == set()  # no wildcards


def test_a_search_counts_no_further_than_its_cap(
    desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1,000 and 25 in production; four cases here
    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    page = desk["client"].get("/cases/?tab=org_all&origin=NP").get_data(as_text=True)
    assert "More than 3 cases found: add to the search to narrow it." in page
    assert len(re.findall(r'href="/cases/CW-', page)) == 2 and "Page 1 of 2" in page
    few = desk["client"].get("/cases/?tab=org_all&employer=doha").get_data(as_text=True)
    assert "2 cases found" in few  # a full first page is counted: two, not "more than"
    one = desk["client"].get("/cases/?tab=org_all&destination=MY").get_data(as_text=True)
    assert "1 case found" in one  # fits on the first page: no count needed
    # The tabs are counted the same way: their counts are on every queue page.
    plain = desk["client"].get("/cases/?tab=org_all").get_data(as_text=True)
    assert "More than 3 cases found" in plain and "Page 1 of 2" in plain
    assert re.search(r'class="current">[^<]+<span class="badge">3\+</span>', plain)
    monkeypatch.setattr(queues, "COUNT_CAP", 4)
    plain = desk["client"].get("/cases/?tab=org_all").get_data(as_text=True)
    assert "4 cases" in plain and '<span class="badge">4</span>' in plain


def test_search_stays_within_what_the_actor_may_see(
    desk: dict[str, Any], app: Flask, make_org: Any, make_user: Any, lodge: Any
) -> None:
    pinoy = make_org("pinoy", ["PH"], ["tl", "en"])
    make_user(pinoy, languages=["tl"])
    manila = lodge(
        origin_country="PH", language="tl", employer={"name": "Doha Build Contracting"}
    ).reference
    assert manila not in _found(desk["client"], "employer=doha")
    assert _found(desk["client"], f"reference={manila}") == set()
    caseworker = login_as(app, desk["caseworker"])
    offered = caseworker.get("/cases/?tab=offered&employer=doha").get_data(as_text=True)
    assert desk["january"] in offered and manila not in offered


def test_search_by_reference_agency_employer_in_plain_words(desk: dict[str, Any]) -> None:
    _by_reference(desk)
    _by_agency(desk)
    _by_employer(desk)
    _combined_in_plain_words(desk)


def test_search_by_corridor_code_language_status_flag_and_date(desk: dict[str, Any]) -> None:
    _by_corridor_code_and_language(desk)
    _by_date_received(desk)
    _by_flag(desk)
    _by_status(desk)  # last: it changes a case


def test_a_search_too_long_to_count_still_shows_its_pages(
    desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As at 1,000,000 cases, when counting every match would take longer than the page.
    monkeypatch.setattr(queues, "count_within", lambda *_args, **_kwargs: None)
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    client = desk["client"]
    first = client.get("/cases/?tab=org_all&origin=NP").get_data(as_text=True)
    assert "More than 2 cases found: add to the search to narrow it." in first
    assert len(re.findall(r'href="/cases/CW-', first)) == 2
    assert "Page 1 of" not in first  # no count, so no number of pages is invented
    assert re.search(r'<a href="[^"]*page=2[^"]*">Next</a>', first.replace("&amp;", "&"))
    second = client.get("/cases/?tab=org_all&origin=NP&page=2").get_data(as_text=True)
    listed = set(re.findall(r'href="/cases/(CW-[2-9A-Z]{4}-[2-9A-Z]{4})"', first))
    listed_after = set(re.findall(r'href="/cases/(CW-[2-9A-Z]{4}-[2-9A-Z]{4})"', second))
    assert len(listed_after) == 2 and not listed & listed_after  # the next two, no repeats
    assert "4 cases found" in second  # the last page: everything was seen, so it is counted
    past = client.get("/cases/?tab=org_all&origin=NP&page=9").get_data(as_text=True)
    assert len(re.findall(r'href="/cases/CW-', past)) == 2  # an old link: the first page


def test_a_count_over_its_time_budget_is_abandoned_and_the_page_goes_on(
    app: Flask, desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select, text

    from casework.models import Case
    from casework.services.casefile import time_budget

    everything = select(Case)
    with app.test_request_context():
        assert time_budget.count_within(everything, 1000) == 4
        assert time_budget.count_within(everything, 2) == 3  # cap + 1: "more than 2"
        if db.engine.dialect.name == "postgresql":
            assert db.session.scalar(text("SHOW statement_timeout")) == "0"  # nor after a count
            slow = everything.where(text("pg_sleep(0.02) IS NOT NULL"))
            assert time_budget.count_within(slow, 1000, seconds=0.005) is None
            assert db.session.scalar(text("SHOW statement_timeout")) == "0"  # not left behind
        else:
            monkeypatch.setattr(time_budget, "_SQLITE_STEPS", 1)
            assert time_budget.count_within(everything, 1000, seconds=0.0) is None
        # The page's transaction goes on: the next statements answer as before.
        assert len(db.session.scalars(select(Case.reference)).all()) == 4
        assert time_budget.count_within(everything, 1000, seconds=5) == 4
        assert time_budget.count_within(everything, 1000, seconds=None) == 4  # no budget


def test_sqlite_reads_a_search_along_its_orders_index_and_falls_back_in_time(
    desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import event

    from casework.services.casefile import time_budget

    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's planner weighs the walk itself")
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        walked = _found(desk["client"], "origin=NP&sort=oldest")
        assert any("FROM cases INDEXED BY ix_cases_created_at_id" in s for s in seen)
        seen.clear()
        assert _found(desk["client"], f"reference={desk['april']}") == {desk["april"]}
        assert not any("INDEXED BY" in s for s in seen)  # one case: its own index finds it
        # A walk over its budget is abandoned: the planner's own plan finds the same cases.
        monkeypatch.setattr(time_budget, "WALK_SECONDS", 0.0)
        monkeypatch.setattr(time_budget, "_SQLITE_STEPS", 1)
        assert _found(desk["client"], "origin=NP&sort=oldest") == walked
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(walked) == 4


def test_sorting_by_deadline_puts_the_nearest_first_and_cases_without_one_last(
    desk: dict[str, Any],
) -> None:
    from sqlalchemy import update

    from casework.models import Case

    # As for a closed case: nothing left to count down (set in SQL, past the deadline rules).
    db.session.execute(
        update(Case).where(Case.reference == desk["other"]).values(next_deadline_at=None)
    )
    db.session.commit()
    page = desk["client"].get("/cases/?tab=org_all&origin=NP&sort=deadline")
    order = re.findall(r'href="/cases/(CW-[2-9A-Z]{4}-[2-9A-Z]{4})"', page.get_data(as_text=True))
    deadlines = [case_by_reference(r).next_deadline_at for r in order]
    dated = [d for d in deadlines if d is not None]
    assert len(order) == 4 and len(dated) >= 2 and None in deadlines  # a meaningful mix
    # SQLite sorts NULL first unless told otherwise: 3 in 4 cases had no deadline at 1M.
    assert deadlines == [*sorted(dated), *[None] * (4 - len(dated))], deadlines
