"""Reference data for a real deployment: `reference load` (no demo rates, no demo people), the
countries admins offer, and exchange rates imported from a central bank's file by command and by
an admin page (preview, then confirm), never invented."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import AuditEvent, Country, ExchangeRate, Organisation, ReferralPathway, User
from tests.conftest import complaint_payload, login, make_app

RATES = b"date,currency,rate\n2026-03-02,NPR,136.45\n2026-03-02,QAR,3.64\n2026-03-03,NPR,ND\n"
ADMIN_URLS = [
    ("GET", "/admin/countries"),
    ("POST", "/admin/countries"),
    ("GET", "/admin/rates"),
    ("POST", "/admin/rates/preview"),
    ("POST", "/admin/rates/import"),
]


def _count(model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _audits(object_type: str) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.object_type == object_type)
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def bare_app(tmp_path: Path) -> Iterator[Flask]:
    """A new deployment: the schema and nothing else (no demo reference data)."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False, REQUIRE_2FA=False)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_reference_load_gives_production_what_it_needs_and_no_demo_data(bare_app: Flask) -> None:
    runner = bare_app.test_cli_runner()
    result = runner.invoke(args=["reference", "load"])
    assert result.exit_code == 0, result.output
    assert "249 countries (249 new" in result.output
    assert "choose them at /admin/countries" in result.output
    assert _count(Country) == 249 and db.session.get(Country, "NP").currency == "NPR"
    assert _count(ReferralPathway) > 0
    assert (_count(ExchangeRate), _count(Organisation), _count(User)) == (0, 0, 0)

    result = runner.invoke(args=["reference", "load", "--origins", "NP,ph", "--destinations", "QA"])
    assert result.exit_code == 0, result.output
    assert "249 countries (0 new" in result.output and "origins offered: NP, PH" in result.output
    assert _audits("country") == ["NP origin on", "PH origin on", "QA destination on"]
    assert _count(ExchangeRate) == 0

    result = runner.invoke(args=["reference", "load", "--origins", "EU"])
    assert result.exit_code == 1 and "EU" in result.output


def test_rates_import_command_keeps_the_source_and_changes_nothing_the_second_time(
    app: Flask, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    path = tmp_path / "nrb.csv"
    path.write_bytes(RATES)
    args = ["reference", "rates", "import", str(path), "--source", "Nepal Rastra Bank"]

    dry = runner.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0 and "2 added" in dry.output
    assert _count(ExchangeRate, ExchangeRate.source == "Nepal Rastra Bank") == 0

    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "2 added, 0 changed, 0 unchanged, 1 skipped" in first.output
    npr = db.session.get(ExchangeRate, ("NPR", date(2026, 3, 2)))
    assert npr is not None and npr.per_usd == Decimal("136.45")
    assert npr.source == "Nepal Rastra Bank"
    audited = len(_audits("exchange_rates"))

    again = runner.invoke(args=args)
    assert again.exit_code == 0 and "0 added, 0 changed, 2 unchanged" in again.output
    assert len(_audits("exchange_rates")) == audited

    path.write_bytes(RATES.replace(b"136.45", b"137.1"))
    changed = runner.invoke(args=args)
    assert "0 added, 1 changed" in changed.output
    assert _audits("exchange_rate")[-1] == "136.450000 -> 137.100000 from Nepal Rastra Bank"


def test_the_demo_s_invented_rates_can_be_removed_from_a_live_system(app: Flask) -> None:
    day = date(2025, 1, 1)
    db.session.get(ExchangeRate, ("NPR", day)).source = ""  # loaded before rates had sources
    db.session.get(ExchangeRate, ("QAR", day)).per_usd = Decimal("3.641")  # an admin's figure
    db.session.add(ExchangeRate(currency="NPR", valid_from=date(2026, 3, 2), per_usd=136))
    db.session.commit()
    runner = app.test_cli_runner()
    assert "NPR" in runner.invoke(args=["reference", "rates", "remove-demo", "--dry-run"]).output
    assert db.session.get(ExchangeRate, ("NPR", day)) is not None
    result = runner.invoke(args=["reference", "rates", "remove-demo"])
    assert result.exit_code == 0 and "NPR" in result.output and "QAR" not in result.output
    assert sorted(db.session.execute(select(ExchangeRate.currency, ExchangeRate.valid_from))) == [
        ("NPR", date(2026, 3, 2)),
        ("QAR", day),
    ]
    assert _audits("exchange_rate").count("deleted: demo rate") == 20
    again = runner.invoke(args=["reference", "rates", "remove-demo"])
    assert "demo rates removed: none" in again.output


def test_a_bad_file_imports_nothing_and_names_each_bad_line(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(
        b"date;currency;rate\n2026-03-02;NPR;136,45\n2026-13-01;NPR;1\n2026-03-02;ZZZ;4\n"
    )
    before = _count(ExchangeRate)
    result = app.test_cli_runner().invoke(
        args=["reference", "rates", "import", str(path), "--source", "x"]
    )
    assert result.exit_code == 1
    assert "line 3:" in result.output and "line 4:" in result.output
    assert "nothing was imported" in result.output and _count(ExchangeRate) == before
    missing = app.test_cli_runner().invoke(args=["reference", "rates", "import", str(path)])
    assert missing.exit_code == 2 and "--source" in missing.output


@pytest.fixture
def admin_client(
    client: FlaskClient, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> FlaskClient:
    login(client, make_user(make_org("platform", ["NP"]), "admin"))
    return client


def test_only_admins_reach_the_reference_pages(
    app: Flask, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    org = make_org("gefont", ["NP"])
    before = (_count(AuditEvent, AuditEvent.object_type.like("country%")), _count(ExchangeRate))
    for role in (None, "caseworker", "supervisor"):
        client = app.test_client()
        if role:
            login(client, make_user(org, role))
        for method, url in ADMIN_URLS:
            response = client.open(url, method=method, data={"origin": "VN", "source": "x"})
            assert response.status_code == (403 if role else 302), (role, method, url)
    assert db.session.get(Country, "VN").is_origin is False
    after = (_count(AuditEvent, AuditEvent.object_type.like("country%")), _count(ExchangeRate))
    assert after == before


def test_admin_offers_countries_named_in_their_language_and_the_form_follows(
    admin_client: FlaskClient,
) -> None:
    admin_client.set_cookie("cw_lang", "ne")
    page = admin_client.get("/admin/countries").get_data(as_text=True)
    assert "नेपाल" in page and "भिएतनाम" in page  # Nepal, Vietnam in Nepali (CLDR)
    admin_client.set_cookie("cw_lang", "en")
    assert 'value="VN"' not in admin_client.get("/complaint").get_data(as_text=True)
    assert 'value="VN"' not in admin_client.get("/reports/").get_data(as_text=True)
    refused = admin_client.post("/api/v1/complaints", json=complaint_payload(origin_country="VN"))
    assert refused.status_code == 422

    origins = ["NP", "PH", "ID", "BD", "PK", "ET", "KE", "UG", "LK", "IN", "VN"]
    destinations = ["QA", "SA", "AE", "MY", "HK", "TW", "OM", "KW", "BH"]  # JO no longer
    response = admin_client.post(
        "/admin/countries", data={"origin": origins, "destination": destinations}
    )
    assert response.status_code == 302
    assert "2 changes saved" in admin_client.get("/admin/countries").get_data(as_text=True)
    assert _audits("country") == ["JO destination off", "VN origin on"]

    form = admin_client.get("/complaint").get_data(as_text=True)
    assert re.search(r'<option value="VN"[^>]*>Vietnam</option>', form)
    assert 'value="JO"' not in form and "VND" in form  # Vietnam's currency is offered too
    filters = admin_client.get("/reports/").get_data(as_text=True)
    assert 'value="VN"' in filters and 'value="JO"' not in filters
    accepted = admin_client.post(
        "/api/v1/complaints", json=complaint_payload(origin_country="VN", destination_country="MY")
    )
    assert accepted.status_code == 201, accepted.get_data(as_text=True)[:300]


def _preview(client: FlaskClient, raw: bytes, source: str = "Nepal Rastra Bank") -> Any:
    return client.post(
        "/admin/rates/preview",
        data={"file": (io.BytesIO(raw), "rates.csv"), "source": source},
        content_type="multipart/form-data",
    )


def _confirm_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(source|token|packed)" value="([^"]*)"', page))


def test_admin_previews_then_imports_a_rate_file(admin_client: FlaskClient) -> None:
    before = _count(ExchangeRate)
    preview = _preview(admin_client, RATES)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "New rates: 2" in page and "Lines without a rate (skipped): 1" in page
    assert _count(ExchangeRate) == before  # a preview changes nothing

    done = admin_client.post("/admin/rates/import", data=_confirm_fields(page))
    assert done.status_code == 302
    overview = admin_client.get("/admin/rates").get_data(as_text=True)
    assert "2 added, 0 changed" in overview and "Nepal Rastra Bank" in overview
    assert _count(ExchangeRate) == before + 2
    assert _audits("exchange_rates")[-1].startswith("import: 2 added, 0 changed")

    again = _preview(admin_client, RATES).get_data(as_text=True)
    assert "This file changes nothing" in again and 'name="token"' not in again


def test_a_preview_names_each_bad_line_and_offers_no_import(admin_client: FlaskClient) -> None:
    raw = b"date,currency,rate\n2026-03-02,NPR,136.45\n2026-03-02,NPR,140\nyesterday,QAR,3.64\n"
    preview = _preview(admin_client, raw)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert "Line 3:" in page and "Line 2 gives another rate" in page
    assert "Line 4:" in page and "yesterday" in page
    assert 'name="token"' not in page
    assert _preview(admin_client, RATES, source=" ").status_code == 422


def test_a_confirmation_after_the_rates_changed_imports_nothing(admin_client: FlaskClient) -> None:
    page = _preview(admin_client, RATES).get_data(as_text=True)
    other = RATES.replace(b"136.45", b"150")
    fresh = _confirm_fields(_preview(admin_client, other).get_data(as_text=True))
    assert admin_client.post("/admin/rates/import", data=fresh).status_code == 302

    stale = admin_client.post("/admin/rates/import", data=_confirm_fields(page))
    assert stale.status_code == 409
    assert "changed since this preview" in stale.get_data(as_text=True)
    rate = db.session.scalars(
        select(ExchangeRate)
        .where(ExchangeRate.currency == "NPR")
        .order_by(ExchangeRate.valid_from.desc())
    ).first()
    assert rate is not None and rate.per_usd == Decimal("150")
