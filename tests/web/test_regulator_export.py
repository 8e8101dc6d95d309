"""The regulator export: per origin country and period, agencies merged by registry entry,
their abuses, fees and money, licence status today; small cells hidden; audited; staff only.

The registry and the first five complaints are those of test_reports_registry; here Sunrise
Manpower gets five more complaints (six in all, under two spellings), enough to show figures.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from casework.extensions import db
from casework.models import AuditEvent, ExchangeRate, Outcome
from tests.conftest import case_by_reference, login
from tests.web.test_reports_registry import HEADER, LISTS

SUNRISE = {"name": "Sunrise Manpower", "licence_number": "1234/067/68"}


@pytest.fixture
def world(app: Flask, lodge: Any, make_org: Any, make_user: Any) -> dict[str, Any]:
    from casework.services.actors import SystemActor
    from casework.services.agencies.lists import read_agency_list
    from casework.services.agencies.registry_import import import_agency_list

    for source, rows in LISTS:
        import_agency_list(
            SystemActor("test"), "NP", source, read_agency_list((HEADER + rows).encode())
        )
    # One NPR rate, whatever the reference data seeded: 100 per USD.
    db.session.execute(delete(ExchangeRate).where(ExchangeRate.currency == "NPR"))
    db.session.add(ExchangeRate(currency="NPR", valid_from=date(2020, 1, 1), per_usd=Decimal(100)))
    db.session.commit()
    gefont = make_org("gefont", ["NP"], ["ne"])
    sunrise = [
        lodge(
            agency={"name": "Sunrise Manpower Pvt Ltd", "licence_number": "1234/067/68"}
        ).reference,
        lodge(agency={"name": "Sunrise Manpower", "licence_number": "१२३४/०६७/६८"}).reference,
    ]
    sunrise += [lodge(agency=SUNRISE, abuse_categories=["RA_FEES"]).reference for _ in range(4)]
    lodge(agency={"name": "Gorkha Manpower", "licence_number": "555/070/71"})
    lodge(agency=SUNRISE, origin_country="NP", destination_country="QA", language="ne")
    # Five of Sunrise's workers claimed NPR 200,000 each and recovered NPR 50,000.
    for reference in sunrise[:5]:
        case = case_by_reference(reference)
        db.session.add(
            Outcome(
                case_id=case.id,
                code="OUT_MONEY_RECOVERED",
                amount_claimed=Decimal(200000),
                amount=Decimal(50000),
                currency="NPR",
            )
        )
    db.session.commit()
    return {
        "admin": make_user(make_org("platform", [], ["en"]), "admin"),
        "supervisor": make_user(gefont, "supervisor"),
        "caseworker": make_user(gefont, "caseworker", ["ne"]),
    }


def _csv(client: FlaskClient, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_regulator_csv_merges_agencies_and_hides_small_cells(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    login(client, world["admin"])
    rows = _csv(client, "/reports/regulator/agencies.csv?origin=NP")
    by_name = {row["Agency"]: row for row in rows}
    assert set(by_name) == {"Sunrise Manpower Pvt Ltd", "Gorkha Manpower Pvt Ltd"}
    sunrise = by_name["Sunrise Manpower Pvt Ltd"]
    # Seven complaints name Sunrise, spelt two ways; every payload paid NPR 150,000 (USD 1,500).
    assert sunrise["Complaints"] == "7"
    assert sunrise["Licence number (registry)"] == "1234/067/68"
    assert sunrise["Licence today"] == "Licensed"
    assert sunrise["Licence valid until"] == "2028-01-01"
    assert sunrise["Licensed at recruitment"] == "7"  # every one left on 1 April 2026
    assert sunrise["Workers who paid"] == "7"
    assert sunrise["Fees paid (USD)"] == "10500.00"
    assert sunrise["Legal fee limit"] == "no legal limit recorded"
    assert sunrise["Workers who claimed money"] == "5"
    assert sunrise["Claimed (USD)"] == "10000.00"
    assert sunrise["Recovered (USD)"] == "2500.00"
    # Gorkha: one complaint, so its count is hidden and its money too.
    gorkha = by_name["Gorkha Manpower Pvt Ltd"]
    assert gorkha["Complaints"] == "<5"
    assert gorkha["Fees paid (USD)"] == "n<5"
    assert gorkha["Licence today"] == "Licence cancelled"
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert (event.action, event.object_type, event.object_id, event.detail) == (
        "export",
        "report",
        "regulator:agencies",
        "origin=NP",
    )


def test_regulator_abuse_csv_counts_each_code_per_agency(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    login(client, world["supervisor"])
    rows = _csv(client, "/reports/regulator/abuses.csv?origin=NP")
    counts = {(row["Agency"], row["Abuse (code)"]): row["Complaints"] for row in rows}
    # RA_FEES: the two default payloads, four more, and the last one: 7. FL_DOCS: 3 of them.
    assert counts[("Sunrise Manpower Pvt Ltd", "RA_FEES")] == "7"
    assert counts[("Sunrise Manpower Pvt Ltd", "FL_DOCS")] == "<5"
    assert counts[("Gorkha Manpower Pvt Ltd", "RA_FEES")] == "<5"


def test_regulator_page_prints_both_tables_for_a_period(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    login(client, world["admin"])
    page = client.get("/reports/regulator")
    assert page.status_code == 200
    assert "Sunrise" not in page.get_data(as_text=True)  # the form only, nothing counted
    assert 'href="/reports/regulator"' in client.get("/reports/").get_data(as_text=True)
    html = client.get("/reports/regulator?origin=NP").get_data(as_text=True)
    assert "Agencies with complaints" in html and "Abuses reported against each agency" in html
    assert "Sunrise Manpower Pvt Ltd" in html and "no legal limit recorded" in html
    assert "/reports/regulator/abuses.csv?origin=NP" in html
    # A period before every complaint: nothing.
    html = client.get("/reports/regulator?origin=NP&from=2020-01-01&to=2020-12-31").get_data(
        as_text=True
    )
    assert "Sunrise Manpower Pvt Ltd" not in html and "No cases here." in html


def test_regulator_export_needs_a_country_and_a_forward_period(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    login(client, world["admin"])
    response = client.get("/reports/regulator?origin=")
    assert response.status_code == 422
    assert "Choose the country workers were recruited from." in response.get_data(as_text=True)
    response = client.get("/reports/regulator?origin=NP&from=2026-05-01&to=2026-04-01")
    assert response.status_code == 422
    assert client.get("/reports/regulator/agencies.csv").status_code == 400
    assert client.get("/reports/regulator/cases.csv?origin=NP").status_code == 404


def test_caseworkers_and_visitors_cannot_export_for_regulators(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    for path in ("/reports/regulator?origin=NP", "/reports/regulator/agencies.csv?origin=NP"):
        response = app.test_client().get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, world["caseworker"])
    assert client.get("/reports/regulator?origin=NP").status_code == 403
    assert client.get("/reports/regulator/agencies.csv?origin=NP").status_code == 403
