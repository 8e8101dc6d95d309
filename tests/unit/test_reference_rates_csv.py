"""Reading the exchange-rate files central banks publish: tolerant of how they are written, never
guessing a number, and naming the line of every mistake."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from casework.services.errors import InvalidInput
from casework.services.reference.rates_csv import MAX_FILE_BYTES, parse_number, read_rate_file
from casework.services.reference.rates_import import pack_file, unpack_file


def _rates(raw: bytes) -> dict[tuple[str, str], str]:
    parsed = read_rate_file(raw)
    assert parsed.errors == []
    return {(r.currency, r.day.isoformat()): f"{r.per_usd.normalize():f}" for r in parsed.lines}


def test_a_plain_file_is_read_line_by_line() -> None:
    raw = b"date,currency,rate\n2026-03-02,NPR,136.45\n2026-03-02,QAR,3.64\n"
    assert _rates(raw) == {("NPR", "2026-03-02"): "136.45", ("QAR", "2026-03-02"): "3.64"}


def test_a_european_file_with_bom_semicolons_and_decimal_commas() -> None:
    raw = "\ufeffDatum;Währung;Kurs\n".encode()  # unknown headers: refused below
    assert read_rate_file(raw).errors[0][0] == 1
    raw = "\ufeffDATE;Currency Code;Rate per USD\n02.03.2026;OMR;0,385\n02.03.2026;IDR;16.300,5\n"
    assert _rates(raw.encode()) == {
        ("OMR", "2026-03-02"): "0.385",
        ("IDR", "2026-03-02"): "16300.5",
    }


def test_sdmx_headers_in_any_order_and_monthly_periods() -> None:
    raw = b'CURRENCY,TIME_PERIOD,OBS_VALUE\nphp,2026-03,58.1\nPHP,2026-M04,"58.25"\n'
    assert _rates(raw) == {("PHP", "2026-03-01"): "58.1", ("PHP", "2026-04-01"): "58.25"}


def test_a_file_without_a_header_reads_date_currency_rate() -> None:
    assert _rates(b"20260302\tKES\t129.5\n") == {("KES", "2026-03-02"): "129.5"}


def test_days_without_a_rate_are_skipped_not_errors() -> None:
    parsed = read_rate_file(
        b"date,currency,rate\n2026-03-02,NPR,.\n2026-03-03,NPR,ND\n2026-03-04,NPR,\n"
    )
    assert (parsed.errors, parsed.lines, parsed.skipped) == ([], [], [2, 3, 4])


def test_a_number_that_could_be_read_two_ways_is_refused_with_its_line() -> None:
    parsed = read_rate_file(b"date;currency;rate\n2026-03-02;IDR;16,300\n")
    assert [line for line, _ in parsed.errors] == [2]
    assert "16,300" in parsed.errors[0][1] and parsed.lines == []


def test_the_file_s_other_numbers_settle_the_decimal_mark() -> None:
    raw = b"date;currency;rate\n2026-03-02;IDR;16,300\n2026-03-02;OMR;0,3845\n"
    assert _rates(raw)[("IDR", "2026-03-02")] == "16.3"
    raw = b"date;currency;rate\n2026-03-02;IDR;16,300\n2026-03-02;OMR;0.3845\n"
    assert _rates(raw)[("IDR", "2026-03-02")] == "16300"


def test_a_file_mixing_decimal_marks_is_refused() -> None:
    parsed = read_rate_file(b"date;currency;rate\n2026-03-02;QAR;3.64\n2026-03-03;QAR;3,65\n")
    assert [line for line, _ in parsed.errors] == [3] and "line 2" in parsed.errors[0][1]


def test_a_decimal_comma_that_splits_a_comma_separated_line_is_caught() -> None:
    parsed = read_rate_file(b"date,currency,rate\n2026-03-02,QAR,3,64\n")
    assert [line for line, _ in parsed.errors] == [2] and parsed.lines == []


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (b"2026-02-30,NPR,136", "2026-02-30"),
        (b"03/02/2026,NPR,136", "03/02/2026"),
        (b"2026-03-02,RUPEES,136", "RUPEES"),
        (b"2026-03-02,NPR,-5", "above 0"),
        (b"2026-03-02,NPR,abc", "abc"),
        (b"2026-03-02,NPR", "too few"),
        (b"2026-03-02,USD,1.1", "per US dollar"),
    ],
)
def test_each_bad_line_gets_an_error_naming_it(line: bytes, says: str) -> None:
    parsed = read_rate_file(b"date,currency,rate\n2026-03-01,NPR,135\n\n" + line + b"\n")
    assert len(parsed.errors) == 1
    number, message = parsed.errors[0]
    assert number == 4 and says in message
    assert [r.day for r in parsed.lines] == [date(2026, 3, 1)]


def test_rates_keep_six_decimals() -> None:
    parsed = read_rate_file(b"date,currency,rate\n2026-03-02,KWD,0.30712345\n")
    assert parsed.lines[0].per_usd == Decimal("0.307123")


@pytest.mark.parametrize(
    ("text", "mark", "expected"),
    [
        ("1,234.5", None, "1234.5"),
        ("1.234,5", None, "1234.5"),
        ("1,234,567", None, "1234567"),
        ("3,6725", None, "3.6725"),
        ("136", None, "136"),
        ("3.750", ".", "3.750"),
        ("3.750", ",", "3750"),
        ("3.750", None, None),
        ("1,23,456", None, None),
    ],
)
def test_numbers_are_read_one_way_only(text: str, mark: str | None, expected: str | None) -> None:
    value = parse_number(text, mark)
    assert (None if value is None else str(value)) == expected


def test_the_file_carried_by_the_confirmation_form_comes_back_whole_or_not_at_all() -> None:
    raw = b"date,currency,rate\n2026-03-02,NPR,136.45\n"
    assert unpack_file(pack_file(raw)) == raw
    for damaged in ("not base64!", pack_file(raw)[:-8], pack_file(b"9" * (MAX_FILE_BYTES + 1))):
        with pytest.raises(InvalidInput):
            unpack_file(damaged)
