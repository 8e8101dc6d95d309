"""Reports read the agency registry: "licensed" means the registry says valid on the day of
recruitment, and agencies matched to one registry entry count as one.

Sunrise Manpower (1234/067/68) was valid from 2024, suspended in January and February 2026,
valid again from March. Gorkha Manpower's licence was cancelled in June 2025.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from casework.services.actors import SystemActor
from casework.services.agencies.lists import read_agency_list
from casework.services.agencies.registry_import import import_agency_list
from casework.services.reports import FIGURES, ReportFilters, Scope
from tests.conftest import case_by_reference

HEADER = "licence_number,name,status,status_date,valid_until\n"
LISTS = [
    (
        "DoFE list 2025-06",
        "1234/067/68,Sunrise Manpower Pvt Ltd,Active,2024-01-01,2028-01-01\n"
        "555/070/71,Gorkha Manpower Pvt Ltd,Cancelled,2025-06-01,\n",
    ),
    ("DoFE list 2026-01", "1234/067/68,Sunrise Manpower Pvt Ltd,Suspended,2026-01-01,2028-01-01\n"),
    ("DoFE list 2026-03", "1234/067/68,Sunrise Manpower Pvt Ltd,Active,2026-03-01,2028-01-01\n"),
]


def raw(actor: Any, name: str) -> list[dict[str, Any]]:
    scope = Scope.for_actor(actor, ReportFilters())
    return [
        {k: v for k, v in row.items() if not k.startswith("_")} for row in FIGURES[name](scope).rows
    ]


@pytest.fixture
def admin(app: Flask, lodge: Any, make_org: Any, make_user: Any) -> Any:
    for source, rows in LISTS:
        import_agency_list(
            SystemActor("test"), "NP", source, read_agency_list((HEADER + rows).encode())
        )
    make_org("gefont", ["NP"], ["ne"])
    cases = [
        # valid on the day of departure: licensed
        ({"name": "Sunrise Manpower Pvt Ltd", "licence_number": "1234/067/68"}, "2025-12-10"),
        # the same agency spelt otherwise, its licence typed in Devanagari: suspended then
        ({"name": "Sunrise Manpower", "licence_number": "१२३४/०६७/६८"}, "2026-01-20"),
        # cancelled before the worker left
        ({"name": "Gorkha Manpower", "licence_number": "555/070/71"}, "2026-02-01"),
        # not on the list: the typed licence number proves nothing
        ({"name": "Everest Travels", "licence_number": "999/999/99"}, "2026-02-01"),
        ({}, "2026-02-01"),
    ]
    references = [lodge(agency=agency, departure_date=day).reference for agency, day in cases]
    linked = [case_by_reference(r).agency for r in references[:2]]
    assert linked[0].id != linked[1].id  # two agencies as workers named them ...
    assert linked[0].registry_agency_id == linked[1].registry_agency_id  # ... one on the list
    return make_user(make_org("platform", [], ["en"]), "admin")


def test_agencies_linked_to_one_registry_entry_count_as_one_named_as_the_registry_names_it(
    admin: Any,
) -> None:
    by_name = {row["agency"]: row for row in raw(admin, "agencies")}
    assert set(by_name) == {
        "Sunrise Manpower Pvt Ltd",
        "Gorkha Manpower Pvt Ltd",
        "Everest Travels",
    }
    sunrise = by_name["Sunrise Manpower Pvt Ltd"]
    assert (sunrise["complaints"], sunrise["licensed_then"], sunrise["licence_today"]) == (
        2,
        1,
        "valid",
    )
    gorkha = by_name["Gorkha Manpower Pvt Ltd"]
    assert (gorkha["complaints"], gorkha["licensed_then"], gorkha["licence_today"]) == (
        1,
        0,
        "cancelled",
    )
    assert by_name["Everest Travels"]["licence_today"] == "unknown"


def test_a_typed_licence_of_an_agency_suspended_on_the_recruitment_day_is_not_licensed(
    admin: Any,
) -> None:
    assert raw(admin, "agency_licences") == [
        {"licence": "licensed", "complaints": 1},  # Sunrise, December 2025
        {"licence": "unlicensed", "complaints": 2},  # Sunrise suspended; Gorkha cancelled
        {"licence": "unknown", "complaints": 1},  # Everest Travels: not on the list
        {"licence": "none", "complaints": 1},
    ]


def test_a_supervisor_gets_the_same_judgement_of_their_own_cases(
    admin: Any, make_user: Any
) -> None:
    from sqlalchemy import select

    from casework.extensions import db
    from casework.models import Organisation

    gefont = db.session.scalars(select(Organisation).where(Organisation.slug == "gefont")).one()
    supervisor = make_user(gefont, "supervisor")
    assert raw(supervisor, "agency_licences") == raw(admin, "agency_licences")
    by_name = {row["agency"]: row for row in raw(supervisor, "agencies")}
    assert by_name["Sunrise Manpower Pvt Ltd"]["licensed_then"] == 1


def test_the_judgement_follows_the_registry_the_link_and_the_day_of_recruitment(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    """The facts judge each licence when they are written: lodged before any list, matched by
    a later import, moved by a new departure date, undone by unlinking, and always what a
    fresh computation from the source tables says."""
    from datetime import date

    from sqlalchemy import select

    from casework.extensions import db
    from casework.models import ReportCase
    from casework.services.agencies.decisions import unlink_agency
    from casework.services.reports.facts import COLUMNS, facts_query

    make_org("gefont", ["NP"], ["ne"])
    admin = make_user(make_org("platform", [], ["en"]), "admin")
    sunrise = lodge(
        agency={"name": "Sunrise Manpower", "licence_number": "1234/067/68"},
        departure_date="2025-12-10",
    ).reference
    lodge(
        agency={"name": "Gorkha Manpower", "licence_number": "555/070/71"},
        departure_date="2026-02-01",
    )

    def kinds() -> dict[str, int]:
        written = db.session.scalars(select(ReportCase.licence_then).order_by(ReportCase.case_id))
        at = COLUMNS.index("licence_then")
        fresh = [row[at] for row in db.session.execute(facts_query())]
        assert list(written) == fresh  # the listeners kept up
        assert _entity_groups() == _entity_groups(afresh=True)  # and the counts per agency
        found = raw(admin, "agency_licences")
        return {row["licence"]: row["complaints"] for row in found if row["complaints"]}

    assert kinds() == {"unknown": 2}  # no list yet
    for source, rows in LISTS:
        import_agency_list(
            SystemActor("test"), "NP", source, read_agency_list((HEADER + rows).encode())
        )
    assert kinds() == {"licensed": 1, "unlicensed": 1}
    case = case_by_reference(sunrise)
    case.departure_date = date(2026, 1, 20)  # she left while the licence was suspended
    db.session.commit()
    assert kinds() == {"unlicensed": 2}
    case.departure_date = None  # and without a day: judged today (valid again since March)
    for fee in case.fees:
        fee.paid_on = None
    db.session.commit()
    assert case_by_reference(sunrise).agency.registry_agency_id is not None  # type: ignore[union-attr]
    assert kinds() == {"licensed": 1, "unlicensed": 1}
    unlink_agency(admin, case)
    assert kinds() == {"unknown": 1, "unlicensed": 1}


def _entity_groups(afresh: bool = False) -> set[tuple[object, ...]]:
    """The counts per agency and caseworker the rollup holds, or (`afresh`) a recomputation
    from the stored facts, as `flask reports refresh-facts` rebuilds them."""
    from sqlalchemy import delete, select

    from casework.extensions import db
    from casework.models.report_case import ReportEntityRollup
    from casework.services.reports import rollups

    table = ReportEntityRollup.__table__
    with db.engine.connect() as connection:
        transaction = connection.begin()
        if afresh:
            connection.execute(delete(table))
            rollups.rebuild(connection)
        found = connection.execute(select(table).where(table.c.cases != 0)).all()
        transaction.rollback()
    return {tuple(row) for row in found}
