"""The public complaint form: filing, errors in the worker's language, files refused clearly."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, Evidence
from tests import samples

MINIMAL = {
    "language": "en",
    "origin_country": "NP",
    "destination_country": "QA",
    "abuse_categories": ["RA_FEES", "FL_DOCS"],
    "narrative": "The agent kept my passport.",
}


def _count(model: Any) -> int:
    return int(db.session.scalar(select(func.count(model.id))) or 0)


def test_worker_files_a_complaint_and_gets_reference_and_secret(client: FlaskClient) -> None:
    form = {
        **MINIMAL,
        "fees-0-category": "FEE_AGENT",
        "fees-0-amount": "150,000",
        "fees-0-currency": "NPR",
        "fees-0-receipt_amount": "10000",
        "fees-0-loan": "y",
        "fees-0-lender_kind": "moneylender",
        "fees-0-loan_interest_pct": "36",
        "promised_wage_amount": "1200",
        "promised_wage_currency": "QAR",
        "contact_name": "Sita Test",
        "consent_share_with_partners": "y",
        "evidence": [
            (io.BytesIO(samples.png()), "receipt.png"),
            (io.BytesIO(samples.pdf()), "contract.pdf"),
        ],
    }
    response = client.post(
        "/complaint", data=form, content_type="multipart/form-data", follow_redirects=True
    )
    assert response.status_code == 200
    assert response.request.path == "/complaint/receipt"
    page = response.get_data(as_text=True)
    reference = re.search(r"CW-[2-9A-Z]{4}-[2-9A-Z]{4}", page)
    secret = re.search(r"\d{4} \d{4} \d{4} \d{4}", page)
    assert reference and secret
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers or secret.group(0).replace(" ", "") not in str(
        response.headers.getlist("Set-Cookie")
    )
    case = db.session.scalars(select(Case).where(Case.reference == reference.group(0))).one()
    assert case.fees[0].loan and case.fees[0].lender_kind == "moneylender"
    assert str(case.fees[0].amount_paid) == "150000.00"
    assert case.consent_share_partners and not case.consent_cross_border
    assert sorted(e.media_type for e in case.evidence) == ["application/pdf", "image/png"]


def test_missing_fields_show_errors_and_keep_everything_typed(client: FlaskClient) -> None:
    form = {
        "language": "en",
        "narrative": "My story stays here",
        "agency_name": "Fast Visa Agency",
        "fees-0-amount": "5000",
        "contact_phone": "12",
    }
    response = client.post("/complaint", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Please choose a country." in page
    assert "Please say what this payment was for." in page
    assert "Please check the phone number" in page
    assert "My story stays here" in page
    assert 'value="Fast Visa Agency"' in page
    assert 'value="5000"' in page
    assert _count(Case) == 0


def test_errors_come_in_the_workers_language(client: FlaskClient) -> None:
    client.set_cookie("cw_lang", "id")
    response = client.post("/complaint", data={"language": "id", "narrative": "x"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'lang="id"' in page
    assert "Please choose a country." not in page  # translated, not English


def test_add_another_payment_without_javascript_keeps_the_form(client: FlaskClient) -> None:
    response = client.post("/complaint", data={**MINIMAL, "add_fee": "1"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="fees-2-amount"' in page
    assert "The agent kept my passport." in page
    assert _count(Case) == 0


def test_file_of_a_disallowed_type_is_refused_with_415(client: FlaskClient, app: Flask) -> None:
    data = {**MINIMAL, "evidence": (io.BytesIO(samples.exe()), "photo.jpg")}
    response = client.post("/complaint", data=data, content_type="multipart/form-data")
    assert response.status_code == 415
    page = response.get_data(as_text=True)
    assert "not a type we accept" in page
    assert "The agent kept my passport." in page
    assert _count(Case) == 0 and _count(Evidence) == 0
    store = app.extensions["casework.evidence_store"]
    assert list(store.tmp.iterdir()) == [] and list(store.blob_ids()) == []


def test_file_over_the_cap_is_refused_with_413(tmp_path: Any) -> None:
    from tests.conftest import make_app, reset_schema

    app = make_app(tmp_path, WTF_CSRF_ENABLED=False, MAX_FILE_BYTES=64 * 1024)
    reset_schema(app)
    big = samples.png() + b"\x00" * (100 * 1024)
    with app.app_context():
        response = app.test_client().post(
            "/complaint",
            data={**MINIMAL, "evidence": (io.BytesIO(big), "big.png")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 413
        assert "too large" in response.get_data(as_text=True)
        assert _count(Case) == 0
        store = app.extensions["casework.evidence_store"]
        assert list(store.tmp.iterdir()) == []
        db.session.remove()
        db.engine.dispose()


def test_request_over_the_total_cap_is_refused_with_413(tmp_path: Any) -> None:
    from tests.conftest import make_app, reset_schema

    app = make_app(tmp_path, WTF_CSRF_ENABLED=False, MAX_CONTENT_LENGTH=32 * 1024)
    reset_schema(app)
    with app.app_context():
        response = app.test_client().post(
            "/complaint",
            data={**MINIMAL, "evidence": (io.BytesIO(b"x" * 64 * 1024), "a.txt")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 413
        assert "too large" in response.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_form_requires_a_csrf_token(tmp_path: Any) -> None:
    from tests.conftest import make_app, reset_schema

    app = make_app(tmp_path)
    reset_schema(app)
    with app.app_context():
        response = app.test_client().post("/complaint", data=MINIMAL)
        assert response.status_code == 400
        db.session.remove()
        db.engine.dispose()


def test_language_choice_is_remembered(client: FlaskClient) -> None:
    response = client.get("/language/ur?next=/complaint")
    assert response.status_code == 302 and response.headers["Location"] == "/complaint"
    page = client.get("/complaint").get_data(as_text=True)
    assert 'lang="ur" dir="rtl"' in page


def test_language_switch_never_redirects_off_site(client: FlaskClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get("/language/ne", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_every_worker_page_has_a_quick_exit_and_no_inline_script(client: FlaskClient) -> None:
    for url in ("/", "/complaint", "/follow-up"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert 'id="quick-exit"' in page, url
        assert "<script>" not in page and "onclick" not in page
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert len(response.data) < 60 * 1024


def test_amounts_are_read_the_way_the_worker_writes_them(client: FlaskClient) -> None:
    client.set_cookie("cw_lang", "id")
    form = {
        **MINIMAL,
        "language": "id",
        "fees-0-category": "FEE_AGENT",
        "fees-0-amount": "1.500.000",
        "fees-0-currency": "IDR",
        "fees-1-category": "COST_MEDICAL",
        "fees-1-amount": "150,50",
        "fees-1-currency": "MYR",
    }
    assert client.post("/complaint", data=form).status_code == 303
    fees = db.session.scalars(select(Case)).one().fees
    assert [str(f.amount_paid) for f in fees] == ["1500000.00", "150.50"]


def test_nepali_grouping_and_digits_are_understood(client: FlaskClient) -> None:
    client.set_cookie("cw_lang", "ne")
    form = {
        **MINIMAL,
        "language": "ne",
        "fees-0-category": "FEE_AGENT",
        "fees-0-amount": "3,00,000",
        "fees-0-currency": "NPR",
        "promised_wage_amount": "१२००",
        "promised_wage_currency": "QAR",
    }
    assert client.post("/complaint", data=form).status_code == 303
    case = db.session.scalars(select(Case)).one()
    assert str(case.fees[0].amount_paid) == "300000.00"
    assert str(case.promised_wage_amount) == "1200.00"


def test_sending_the_same_form_twice_gives_the_same_receipt(client: FlaskClient) -> None:
    client.get("/complaint")  # sets the browser's receipt cookie with the form
    form = {**MINIMAL, "submission": "form-token-3b8d1f0a9e7c-5d2a"}
    first = client.post("/complaint", data=form, follow_redirects=True).get_data(as_text=True)
    again = client.post("/complaint", data=form, follow_redirects=True).get_data(as_text=True)
    pattern = r"CW-[2-9A-Z]{4}-[2-9A-Z]{4}|\d{4} \d{4} \d{4} \d{4}"
    assert re.findall(pattern, first) == re.findall(pattern, again)
    assert len(re.findall(pattern, first)) == 2
    assert _count(Case) == 1


def test_error_summary_links_each_error_to_its_field(client: FlaskClient) -> None:
    response = client.post(
        "/complaint", data={"language": "en", "narrative": "x", "fees-0-amount": "5000"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = page.split('id="errors"', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'<a href="#([\w-]+)">', summary)
    assert links == ["origin_country", "destination_country", "fees-0-category", "fees-0-currency"]
    assert "autofocus" in page.split('id="errors"', 1)[0].rsplit("<div", 1)[1] + summary[:80]
    origin = re.search(r"<select[^>]*id=\"origin_country\"[^>]*>", page)
    assert origin is not None
    assert 'aria-invalid="true"' in origin.group(0)
    assert 'aria-describedby="origin_country-error"' in origin.group(0)
    assert 'id="origin_country-error"' in page
    narrative = re.search(r"<textarea[^>]*>", page)
    assert narrative is not None and "aria-invalid" not in narrative.group(0)


def _next_year() -> str:
    from datetime import date

    today = date.today()
    return today.replace(year=today.year + 1, day=1).isoformat()


def test_a_future_date_is_a_warning_the_worker_can_confirm(client: FlaskClient) -> None:
    form = {**MINIMAL, "incident_date": _next_year()}
    response = client.post("/complaint", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This date is in the future. Please check it." in page
    assert 'href="#incident_date"' in page and 'id="confirm_unusual"' in page
    assert "Please check the answers marked below" not in page  # a warning, not an error
    assert _count(Case) == 0
    assert client.post("/complaint", data={**form, "confirm_unusual": "y"}).status_code == 303
    assert _count(Case) == 1


def test_interest_over_100_percent_asks_before_sending(client: FlaskClient) -> None:
    form = {
        **MINIMAL,
        "fees-1-category": "FEE_AGENT",
        "fees-1-amount": "1000",
        "fees-1-currency": "NPR",
        "fees-1-loan": "y",
        "fees-1-loan_interest_pct": "120",
    }
    page = client.post("/complaint", data=form).get_data(as_text=True)
    assert "Interest over 100% a year is very high." in page
    interest = re.search(r'<input[^>]*id="fees-1-loan_interest_pct"[^>]*>', page)
    assert interest is not None and "fees-1-loan_interest_pct-unusual" in interest.group(0)
    assert client.post("/complaint", data={**form, "confirm_unusual": "y"}).status_code == 303
    assert str(db.session.scalars(select(Case)).one().fees[0].loan_interest_pct) == "120.00"


def test_the_api_lodges_unusual_answers_without_asking(lodge: Any) -> None:
    lodged = lodge(incident_date=_next_year())
    assert lodged.reference
