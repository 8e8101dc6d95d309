"""Workers type numbers with their phone's own digits: Bengali, Arabic-Indic, the Eastern
Arabic digits of Urdu and Persian keyboards, Devanagari. Amounts and dates written so are read
as the same numbers, through the API as through the form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask.testing import FlaskClient

from casework.vocabulary.digits import ascii_digits
from tests.conftest import case_by_reference, complaint_payload

# (script, the amount 150000.50 as typed, the date 2026-03-01 as typed)
TYPED = [
    ("bengali", "১৫০০০০.৫০", "২০২৬-০৩-০১"),
    ("arabic-indic", "١٥٠٬٠٠٠٫٥٠", "٢٠٢٦-٠٣-٠١"),
    ("eastern arabic (urdu)", "۱۵۰۰۰۰٫۵۰", "۲۰۲۶-۰۳-۰۱"),
    ("devanagari", "१५०,०००.५०", "२०२६-०३-०१"),
]


@pytest.mark.parametrize(("script", "amount", "day"), TYPED, ids=[t[0] for t in TYPED])
def test_amounts_and_dates_in_the_workers_digits_are_read(
    client: FlaskClient, script: str, amount: str, day: str
) -> None:
    payload = complaint_payload()
    payload["fees"][0].update(amount=amount, paid_on=day)
    answer = client.post("/api/v1/complaints", json=payload)
    assert answer.status_code == 201, answer.get_json()
    case = case_by_reference(answer.get_json()["reference"])
    (fee,) = case.fees
    assert fee.amount_paid == Decimal("150000.50")
    assert fee.paid_on.isoformat() == "2026-03-01"


def test_what_is_not_a_number_in_any_script_is_still_refused(client: FlaskClient) -> None:
    payload = complaint_payload()
    payload["fees"][0]["amount"] = "١٥٠ rupees"
    answer = client.post("/api/v1/complaints", json=payload)
    assert answer.status_code == 422
    assert "fees.0.amount" in answer.get_json()["error"]["fields"]


def test_only_digits_and_the_arabic_separators_change() -> None:
    assert ascii_digits("Pay ১২৩ now") == "Pay 123 now"
    assert ascii_digits("٣٫٥") == "3.5" and ascii_digits("١٬٠٠٠") == "1,000"
    assert ascii_digits("²³ ①") == "²³ ①"  # not decimal digits: left for the field to refuse
    assert ascii_digits("plain 42") == "plain 42"
