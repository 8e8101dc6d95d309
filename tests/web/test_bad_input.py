"""Inputs that used to crash the app: each answers a clear 4xx, the same on SQLite and PostgreSQL.

Attacks from issue 12, item 9: JSON nested 10,000 deep, NUL characters and lone surrogates in
text fields, superscript and circled digits in the follow-up secret; and the worker's own
digits (Arabic-Indic, Persian) in the API's secret header, which must work as on the web form.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, CaseEvent
from casework.services.validation import UNSTORABLE
from tests.conftest import complaint_payload

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _cases() -> int:
    return int(db.session.scalar(select(func.count(Case.id))) or 0)


def _on_the_wire(text: str) -> str:
    """A header value as WSGI hands it over: the UTF-8 bytes the client sent, read as Latin-1."""
    return text.encode("utf-8").decode("latin-1")


def _unstorable(language: str) -> str:
    with force_locale(language):
        return str(UNSTORABLE)


# --- JSON nested 10,000 deep ------------------------------------------------------------------


@pytest.mark.parametrize("depth", [10_000, 100])
def test_deeply_nested_json_complaint_is_400_not_500(client: FlaskClient, depth: int) -> None:
    body = "[" * depth + "]" * depth
    as_json = client.post("/api/v1/complaints", data=body, content_type="application/json")
    as_part = client.post(
        "/api/v1/complaints", data={"complaint": body}, content_type="multipart/form-data"
    )
    for response in (as_json, as_part):
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "bad_request"
    assert _cases() == 0


def test_deeply_nested_value_inside_a_real_complaint_is_400(client: FlaskClient) -> None:
    deep = "{" + '"a":{' * 9_999 + "}" * 10_000
    body = json.dumps(complaint_payload())[:-1] + ', "occupation": ' + deep + "}"
    response = client.post("/api/v1/complaints", data=body, content_type="application/json")
    assert response.status_code == 400
    assert _cases() == 0


def test_deeply_nested_json_message_is_400(client: FlaskClient, lodge: Any) -> None:
    lodged = lodge()
    response = client.post(
        f"/api/v1/complaints/{lodged.reference}/messages",
        data="[" * 10_000 + "]" * 10_000,
        content_type="application/json",
        headers={"X-Complaint-Secret": lodged.secret},
    )
    assert response.status_code == 400


# --- NUL characters and lone surrogates in text fields ----------------------------------------


@pytest.mark.parametrize(
    ("path", "changes"),
    [
        ("employer.name", {"employer": {"name": "Doha\x00Build"}}),
        ("occupation", {"occupation": "mason\x00"}),
        ("agency.name", {"agency": {"name": "Himal\x00 Overseas"}}),
        ("narrative", {"narrative": "They kept\x00 my passport."}),
        ("contact.name", {"contact": {"name": "Ram\x00", "phone": "+977 9812345678"}}),
        (
            "fees.0.currency",
            {"fees": [{"category": "FEE_AGENT", "amount": "1", "currency": "\x00"}]},
        ),
    ],
)
def test_nul_in_a_text_field_is_a_field_error_in_the_workers_language(
    client: FlaskClient, path: str, changes: dict[str, Any]
) -> None:
    response = client.post("/api/v1/complaints", json=complaint_payload(language="ne", **changes))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["fields"][path] == _unstorable("ne")
    assert _cases() == 0


def test_lone_surrogate_in_json_is_a_field_error_not_500(client: FlaskClient) -> None:
    # JSON may escape half of a UTF-16 pair alone; Python decodes it to a lone surrogate.
    body = json.dumps(complaint_payload(language="en", employer={"name": "\ud800Build"}))
    assert "\\ud800" in body
    response = client.post("/api/v1/complaints", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["employer.name"] == _unstorable("en")
    assert _cases() == 0


def test_nul_in_a_follow_up_message_is_refused_over_the_api(
    client: FlaskClient, lodge: Any
) -> None:
    lodged = lodge(language="en")
    before = db.session.scalar(select(func.count(CaseEvent.id)))
    for text in ("Any news?\x00", "\ud800 news?"):
        response = client.post(
            f"/api/v1/complaints/{lodged.reference}/messages",
            data=json.dumps({"message": text}),  # \u0000 and \ud800 escapes
            content_type="application/json",
            headers={"X-Complaint-Secret": lodged.secret},
        )
        assert response.status_code == 422
        assert response.get_json()["error"]["fields"] == {"message": _unstorable("en")}
    assert db.session.scalar(select(func.count(CaseEvent.id))) == before


def test_nul_on_the_web_form_is_refused_in_place(client: FlaskClient) -> None:
    form = {
        "language": "en",
        "origin_country": "NP",
        "destination_country": "QA",
        "abuse_categories": ["RA_FEES"],
        "employer_name": "Doha\x00Build",
        "narrative": "They kept my passport.",
    }
    response = client.post("/complaint", data=form)
    assert response.status_code == 422
    assert _unstorable("en") in response.get_data(as_text=True)
    assert _cases() == 0


# --- the follow-up secret ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["²" * 16, "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯", "1234 ⁵⁶⁷⁸ 9012 3456"])
def test_superscript_or_circled_digits_in_the_api_secret_are_a_plain_404(
    client: FlaskClient, lodge: Any, typed: str
) -> None:
    lodged = lodge()
    for header in (typed, _on_the_wire(typed)):
        response = client.get(
            f"/api/v1/complaints/{lodged.reference}", headers={"X-Complaint-Secret": header}
        )
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("typed", ["²" * 16, "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯"])
def test_superscript_or_circled_digits_on_the_follow_up_form_are_a_plain_404(
    client: FlaskClient, lodge: Any, typed: str
) -> None:
    lodged = lodge(language="en")
    response = client.post("/follow-up", data={"reference": lodged.reference, "secret": typed})
    assert response.status_code == 404


@pytest.mark.parametrize("digits", [ARABIC_INDIC, PERSIAN], ids=["arabic-indic", "persian"])
def test_secret_in_the_workers_own_digits_opens_the_case_over_the_api(
    client: FlaskClient, lodge: Any, digits: dict[int, int]
) -> None:
    lodged = lodge(language="en")
    typed = " ".join(lodged.secret[i : i + 4] for i in range(0, 16, 4)).translate(digits)
    response = client.get(
        f"/api/v1/complaints/{lodged.reference}",
        headers={"X-Complaint-Secret": _on_the_wire(typed)},
    )
    assert response.status_code == 200
    assert response.get_json()["reference"] == lodged.reference
    # ... as it does on the web form (a form field arrives as UTF-8 text).
    form = client.post("/follow-up", data={"reference": lodged.reference, "secret": typed})
    assert form.status_code in (200, 302, 303)


# --- 405 names the methods that work ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/complaints", {"POST", "OPTIONS"}),
        ("DELETE", "/api/v1/complaints/CW-2222-2222", {"GET", "HEAD", "OPTIONS"}),
        ("GET", "/api/v1/complaints/CW-2222-2222/messages", {"POST", "OPTIONS"}),
        ("DELETE", "/follow-up", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("GET", "/follow-up/message", {"POST", "OPTIONS"}),
    ],
)
def test_405_answers_say_which_methods_are_allowed(
    client: FlaskClient, method: str, path: str, allowed: set[str]
) -> None:
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "method_not_allowed"
