"""Property tests: no input a worker, a chatbot or an attacker can send makes the app answer 500.

Hypothesis generates the inputs: arbitrary JSON (any nesting of any values), complaint-shaped
payloads with any field swapped for junk, and text full of NULs, lone surrogates, superscript,
circled and foreign digits. The parsers must either accept the input (and then everything they
return can be stored) or refuse it with field errors; the HTTP surfaces must answer below 500.

Deterministic for CI: derandomized (the same examples every run), no example database, a
bounded number of examples, no deadline (a shared 2-core machine has slow moments).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.services.errors import InvalidInput
from casework.services.followup.secret import normalise_secret, verify_secret
from casework.services.intake.complaint import (
    MAX_MESSAGE,
    MAX_NARRATIVE,
    ComplaintInput,
    parse_complaint,
    parse_message,
)
from casework.services.intake.references import normalise_reference
from casework.services.validation import FieldReader, storable
from tests.conftest import complaint_payload

PROPERTY = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=60,
    # The app fixture is only read by the parser properties; HTTP properties may lodge cases,
    # which is what a running server does too.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HTTP_PROPERTY = settings(PROPERTY, max_examples=40)

# Characters that broke or could break parsing: NUL, lone surrogates, digits that `isdigit()`
# accepts but `int()` refuses, other scripts' decimal digits, direction marks, whitespace.
TRICKY = ["\x00", "\ud800", "\udfff", "²", "①", "⁵", "٣", "۴", "४", "５", "\u200f", " ", "\n", "-"]
# Ordinary text with tricky characters mixed in (a plain one_of would seldom pick them).
texts = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(TRICKY)), max_size=6).map("".join)
# Strings made only of things that look like digits: `isdigit()` says yes to all of them.
digitish = st.text(st.sampled_from("0123456789²³①⑯⁵٣۴४５"), min_size=1, max_size=20)
# A browser's form fields arrive as UTF-8 (Werkzeug replaces undecodable bytes): no surrogates.
form_texts = st.lists(
    st.one_of(st.text(max_size=8), st.sampled_from(TRICKY[:1] + TRICKY[3:])), max_size=6
).map("".join)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(texts, children, max_size=4)
    ),
    max_leaves=16,
)


def _plausible_or_junk(plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(plausible, json_values)


amounts = st.one_of(
    st.decimals(min_value=0, max_value=10**13, places=3).map(str),
    st.sampled_from(["150,000", "1e5", "-1", "1e999999999", "0.001", "NaN", "१५०००", ""]),
)
days = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)).map(date.isoformat),
    st.sampled_from(["2026-02-30", "20260301", "2026-W01-1", "٢٠٢٦-٠٣-٠١"]),
)
countries = st.sampled_from(["NP", "QA", "np", "XX", "", "NPL", "ÑP"])
currencies = st.sampled_from(["NPR", "QAR", "npr", "XXX", "", "€", "NP"])
fee = st.fixed_dictionaries(
    {},
    optional={
        "category": _plausible_or_junk(st.sampled_from(["FEE_AGENT", "FEE_VISA", "NOPE"])),
        "amount": _plausible_or_junk(amounts),
        "receipt_amount": _plausible_or_junk(amounts),
        "currency": _plausible_or_junk(currencies),
        "paid_on": _plausible_or_junk(days),
        "payee": _plausible_or_junk(st.sampled_from(["agency", "broker", "x"])),
        "loan": _plausible_or_junk(
            st.fixed_dictionaries({}, optional={"lender": texts, "annual_interest_pct": amounts})
        ),
    },
)
money = st.fixed_dictionaries(
    {}, optional={"amount": _plausible_or_junk(amounts), "currency": currencies}
)
COMPLAINT_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "language": _plausible_or_junk(st.sampled_from(["ne", "en", "ar", "xx", ""])),
    "origin_country": _plausible_or_junk(countries),
    "destination_country": _plausible_or_junk(countries),
    "agency": _plausible_or_junk(
        st.fixed_dictionaries({}, optional={"name": texts, "licence_number": texts})
    ),
    "employer": _plausible_or_junk(st.fixed_dictionaries({}, optional={"name": texts})),
    "occupation": _plausible_or_junk(texts),
    "abuse_categories": _plausible_or_junk(
        st.lists(st.sampled_from(["RA_FEES", "FL_DOCS", "NOPE", ""]), max_size=3)
    ),
    "fees": _plausible_or_junk(st.lists(st.one_of(st.none(), fee), max_size=3)),
    "recruitment_channel": _plausible_or_junk(texts),
    "promised_monthly_wage": _plausible_or_junk(money),
    "actual_monthly_wage": _plausible_or_junk(money),
    "departure_date": _plausible_or_junk(days),
    "incident_date": _plausible_or_junk(days),
    "narrative": _plausible_or_junk(texts),
    "contact": _plausible_or_junk(
        st.fixed_dictionaries(
            {},
            optional={
                "name": texts,
                "phone": texts,
                "email": texts,
                "channel": texts,
                "date_of_birth": days,
                "sex": texts,
            },
        )
    ),
    "consent": _plausible_or_junk(
        st.fixed_dictionaries({}, optional={"share_with_partners": scalars})
    ),
}
complaints = st.fixed_dictionaries({}, optional=COMPLAINT_FIELDS)
# A real complaint with one to three fields replaced: most of these get past every other check,
# so the replaced field's own rules are what decide.
near_valid = (
    st.lists(st.sampled_from(sorted(COMPLAINT_FIELDS)), min_size=1, max_size=3, unique=True)
    .flatmap(lambda keys: st.fixed_dictionaries({k: COMPLAINT_FIELDS[k] for k in keys}))
    .map(lambda changes: complaint_payload(**changes))
)
payloads = st.one_of(near_valid, complaints, json_values)


@pytest.fixture
def known_countries(app: Flask) -> frozenset[str]:
    from casework.services.intake.operations import known_country_codes

    return known_country_codes()


def _assert_field_errors(invalid: InvalidInput) -> None:
    assert invalid.fields
    for path, message in invalid.fields.items():
        assert isinstance(path, str) and isinstance(str(message), str) and str(message)


def _strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings_in(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings_in(v)]
    if hasattr(value, "__dataclass_fields__"):
        return [s for name in value.__dataclass_fields__ for s in _strings_in(getattr(value, name))]
    return []


# --- the parsers ------------------------------------------------------------------------------


@PROPERTY
@given(payload=payloads)
def test_parse_complaint_accepts_only_what_can_be_stored(
    known_countries: frozenset[str], payload: Any
) -> None:
    try:
        complaint = parse_complaint(payload, known_countries)
    except InvalidInput as invalid:
        _assert_field_errors(invalid)
        return
    assert isinstance(complaint, ComplaintInput)
    assert complaint.origin_country in known_countries
    assert complaint.destination_country in known_countries
    assert complaint.abuse_categories or complaint.narrative
    assert len(complaint.narrative) <= MAX_NARRATIVE
    assert all(storable(text) for text in _strings_in(complaint))
    for fee in complaint.fees:
        assert fee.amount_paid.is_finite() and 0 <= fee.amount_paid < Decimal("1e12")


@PROPERTY
@given(text=st.one_of(json_values, texts, st.text(max_size=4).map(lambda t: t + "x" * MAX_MESSAGE)))
def test_parse_message_returns_storable_text_or_a_message_error(app: Flask, text: Any) -> None:
    try:
        message = parse_message(text)
    except InvalidInput as invalid:
        assert set(invalid.fields) == {"message"}
        return
    assert message and message == message.strip()
    assert len(message) <= MAX_MESSAGE and storable(message)


@PROPERTY
@given(data=st.dictionaries(st.sampled_from(["v", "x"]), json_values, max_size=2))
def test_field_reader_never_raises_and_returns_what_it_promises(
    app: Flask, data: dict[str, Any]
) -> None:
    r = FieldReader()
    text = r.text(data, "v", "text", 20)
    assert isinstance(text, str) and storable(text)
    assert r.choice(data, "v", "choice", {"a", "b"}) in (None, "a", "b")
    amount = r.amount(data, "v", "amount")
    assert amount is None or (
        amount.is_finite() and 0 <= amount < Decimal("1e12") and amount == round(amount, 2)
    )
    day = r.day(data, "v", "day")
    assert day is None or day.year >= 1950
    assert isinstance(r.currency(data, "v", "currency"), str)
    assert isinstance(r.country(data, "v", frozenset({"NP"})), str)
    assert isinstance(r.flag(data, "v"), bool)
    assert isinstance(r.section(data, "v"), Mapping)
    r.money(data, "v")
    assert all(isinstance(message, str) for message in r.errors.values())


@PROPERTY
@given(typed=st.one_of(texts, digitish))
def test_secret_and_reference_parsing_never_raise(app: Flask, typed: str) -> None:
    digits = normalise_secret(typed)
    assert digits.isascii() and (digits == "" or digits.isdecimal())
    assert verify_secret(None, typed) is False
    reference = normalise_reference(typed)
    assert reference is None or (len(reference) == 12 and reference.startswith("CW-"))


# --- the HTTP surfaces ------------------------------------------------------------------------


@HTTP_PROPERTY
@given(payload=payloads)
def test_api_lodging_never_answers_500(client: FlaskClient, payload: Any) -> None:
    body = json.dumps(payload, allow_nan=True)
    response = client.post("/api/v1/complaints", data=body, content_type="application/json")
    assert response.status_code in (201, 400, 422), response.get_data(as_text=True)[:300]
    if response.status_code != 201:
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}


@HTTP_PROPERTY
@given(body=st.binary(max_size=200))
def test_api_lodging_of_raw_bytes_never_answers_500(client: FlaskClient, body: bytes) -> None:
    response = client.post("/api/v1/complaints", data=body, content_type="application/json")
    assert response.status_code in (201, 400, 422)


# Header bytes as a client can send them (no CR, LF or NUL: HTTP itself forbids those).
header_values = st.binary(max_size=60).map(
    lambda raw: raw.replace(b"\r", b"").replace(b"\n", b"").replace(b"\x00", b"").decode("latin-1")
)
wire_texts = texts.map(
    lambda t: (
        t.encode("utf-8", "surrogatepass")
        .replace(b"\r", b"")
        .replace(b"\n", b"")
        .replace(b"\x00", b"")
        .decode("latin-1")
    )
)


@HTTP_PROPERTY
@given(
    reference=st.one_of(form_texts, st.just("CW-2222-2222")),
    secret=st.one_of(
        header_values, wire_texts, digitish.map(lambda t: t.encode().decode("latin-1"))
    ),
    message=st.one_of(json_values, texts),
)
def test_api_follow_up_never_answers_500(
    client: FlaskClient, reference: str, secret: str, message: Any
) -> None:
    path = f"/api/v1/complaints/{quote(reference, safe='')}"
    headers = {"X-Complaint-Secret": secret}
    assert client.get(path, headers=headers).status_code < 500
    posted = client.post(
        f"{path}/messages",
        data=json.dumps({"message": message}, allow_nan=True),
        content_type="application/json",
        headers=headers,
    )
    assert posted.status_code < 500


COMPLAINT_FORM_FIELDS = [
    "language",
    "origin_country",
    "destination_country",
    "agency_name",
    "employer_name",
    "occupation",
    "abuse_categories",
    "fees-0-category",
    "fees-0-amount",
    "fees-0-currency",
    "fees-0-paid_on",
    "fees-0-loan",
    "fees-0-loan_interest_pct",
    "fees-39-amount",
    "promised_wage_amount",
    "promised_wage_currency",
    "departure_date",
    "narrative",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_channel",
    "consent_share_with_partners",
    "submission",
]


@HTTP_PROPERTY
@given(
    form=st.dictionaries(
        st.one_of(st.sampled_from(COMPLAINT_FORM_FIELDS), form_texts),
        st.one_of(form_texts, amounts, days, countries, currencies),
        max_size=12,
    )
)
def test_complaint_form_never_answers_500(client: FlaskClient, form: dict[str, str]) -> None:
    form = {k.replace("\x00", ""): v for k, v in form.items()}
    response = client.post("/complaint", data=form)
    assert response.status_code < 500


@HTTP_PROPERTY
@given(reference=form_texts, secret=st.one_of(form_texts, digitish))
def test_follow_up_form_never_answers_500(client: FlaskClient, reference: str, secret: str) -> None:
    response = client.post("/follow-up", data={"reference": reference, "secret": secret})
    assert response.status_code < 500


@HTTP_PROPERTY
@given(referral_id=st.one_of(form_texts, digitish, st.just("7" * 5000)), message=form_texts)
def test_follow_up_page_forms_never_answer_500(
    client: FlaskClient, lodge: Any, referral_id: str, message: str
) -> None:
    lodged = lodge()
    # Signed in as the worker, so the forms below reach their parsing (a refused answer is
    # 409, a refused message 422; never 500).
    signed_in = client.post(
        "/follow-up", data={"reference": lodged.reference, "secret": lodged.secret}
    )
    assert signed_in.status_code in (200, 302, 303)
    answered = client.post("/follow-up/referral", data={"referral_id": referral_id, "agree": "y"})
    assert answered.status_code in (200, 302, 303, 409)
    sent = client.post("/follow-up/message", data={"message": message})
    assert sent.status_code in (200, 302, 303, 422)
