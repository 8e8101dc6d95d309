"""Reading an exchange-rate file: one line per day and currency, how many units one US dollar
bought (the long format central banks publish).

Tolerant where it can be without guessing: a byte-order mark; UTF-8 or Latin-1; `,`, `;` or
tab between fields; header names in any case and in the usual spellings (date / TIME_PERIOD,
currency / code, rate / per_usd / OBS_VALUE …); columns in any order; a file without a header
if its first line is data in the order date, currency, rate; dates as 2026-03-01, 2026/03/01,
20260301, 01.03.2026 or a month (2026-03, the first of the month); decimal commas. A number is
read one way only: "1,234.5" and "1.234,5" say which mark is decimal, and so does a file whose
other numbers show it ("0,385", "3,6725"); "16,300" in a file that never shows its decimal mark
could be 16.3 or 16300 and is refused. Empty rates and the usual "no data" marks (".", "ND",
"NA", "-") are days without a rate: skipped, not errors. Rates keep six decimals (rounded).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from casework.services.validation import CURRENCIES

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_LINES = 200_000
MAX_RATE = Decimal("1e12")
SIX_DECIMALS = Decimal("0.000001")
NO_DATA = frozenset({"", ".", "nd", "na", "n/a", "-", "--", "nan"})
HEADERS = {
    "date": {"date", "day", "valid from", "valid_from", "time period", "period", "as of", "dates"},
    "currency": {"currency", "currency code", "code", "ccy", "iso", "iso code", "unit"},
    "rate": {
        "rate",
        "per usd",
        "per_usd",
        "rate per usd",
        "units per usd",
        "obs value",
        "value",
        "exchange rate",
        "usd rate",
        "units per us dollar",
    },
}
_GROUPED = {
    ",": re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$"),
    ".": re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$"),
}
# A day written year first (2026-03-01, 2026/3/1, 20260301), day first with dots (01.03.2026),
# or a month (2026-03, 2026-M03: its first day); the numbers say where year, month, day are.
_DATES = (
    (re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})"), (1, 2, 3)),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), (1, 2, 3)),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), (3, 2, 1)),
    (re.compile(r"(\d{4})-M?(\d{2})"), (1, 2, 0)),
)


@dataclass(frozen=True)
class RateLine:
    line: int
    day: date
    currency: str
    per_usd: Decimal


@dataclass
class RateFile:
    """What a file says: its rates, the lines it skipped, and an error per bad line."""

    lines: list[RateLine] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def fail(self, line: int, message: object) -> None:
        self.errors.append((line, str(message)))


def plain_number(value: Decimal) -> str:
    """`value` without trailing zeros or an exponent: 136.000000 -> "136", 100 -> "100"."""
    return f"{Decimal(value).normalize():f}"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _delimiter(first_line: str) -> str:
    for candidate in (";", "\t"):
        if candidate in first_line:
            return candidate
    return ","


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z/]+", " ", text.casefold()).split())


def _columns(row: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = _header_key(cell)
        for name, spellings in HEADERS.items():
            if (key in spellings or key.replace(" ", "_") in spellings) and name not in found:
                found[name] = index
    return found if len(found) == len(HEADERS) else None


def parse_day(text: str) -> date | None:
    text = text.strip()
    for pattern, (y, m, d) in _DATES:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match[y]), int(match[m]), int(match[d]) if d else 1)
            except ValueError:
                return None
    return None


def decimal_mark(text: str) -> str | None:
    """The decimal mark a number shows beyond doubt ("," or "."), or None if it shows none."""
    text = text.strip()
    if "," in text and "." in text:
        return "," if text.rfind(",") > text.rfind(".") else "."
    for mark in (",", "."):
        if text.count(mark) > 1:
            return None if not _GROUPED[mark].match(text) else ("." if mark == "," else ",")
        if text.count(mark) == 1:
            whole, fraction = text.split(mark)
            if len(fraction) != 3 or whole in ("", "0"):
                return mark
    return None


def parse_number(text: str, mark: str | None, dot_is_decimal: bool = False) -> Decimal | None:
    """`text` read with decimal `mark` (the file's); None if it is no number or is ambiguous.
    Without a mark, a lone dot is decimal only if `dot_is_decimal` (a comma-separated file)."""
    text = text.strip().replace(" ", "").replace("\u00a0", "").replace("'", "")
    mark = decimal_mark(text) or mark
    if mark is None:
        if "," in text or ("." in text and not dot_is_decimal):
            return None  # "16,300" or "16.300": grouping or decimals, nothing says which
        mark = "."
    group = "," if mark == "." else "."
    if group in text and not _GROUPED[group].match(text):
        return None
    try:
        return Decimal(text.replace(group, "").replace(mark, "."))
    except InvalidOperation:
        return None


def _file_mark(values: list[tuple[int, str]], parsed: RateFile) -> str | None:
    marks: dict[str, int] = {}
    for line, text in values:
        mark = decimal_mark(text)
        if mark and mark not in marks:
            marks[mark] = line
    if len(marks) > 1:
        later = max(marks.values())
        parsed.fail(
            later,
            _l(
                "This line writes its decimals differently from line %(line)s: please use one "
                "way of writing numbers in the whole file.",
                line=min(marks.values()),
            ),
        )
        return None
    return next(iter(marks), None)


def read_rate_file(raw: bytes) -> RateFile:
    """Every line of the file read, or the reason it cannot be; changes nothing."""
    parsed = RateFile()
    if len(raw) > MAX_FILE_BYTES:
        parsed.fail(0, _l("The file is too large (at most 5 MB)."))
        return parsed
    text = _decode(raw)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = _delimiter(first)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        parsed.fail(0, _l("This is not a CSV file we can read."))
        return parsed
    if len(rows) > MAX_LINES:
        parsed.fail(0, _l("The file has too many lines (at most %(n)s).", n=MAX_LINES))
        return parsed
    numbered = [(n, row) for n, row in enumerate(rows, 1) if any(cell.strip() for cell in row)]
    if not numbered:
        parsed.fail(0, _l("The file is empty."))
        return parsed
    header_line, header = numbered[0]
    columns = _columns(header)
    if columns is not None:
        numbered = numbered[1:]
    elif len(header) >= 3 and parse_day(header[0]) is not None:
        columns = {"date": 0, "currency": 1, "rate": 2}
    else:
        parsed.fail(
            header_line,
            _l("The first line must name the columns: date, currency and rate (per US dollar)."),
        )
        return parsed
    width = max(columns.values()) + 1
    widest = len(header)
    values = [(n, row[columns["rate"]]) for n, row in numbered if len(row) >= width]
    mark = _file_mark(values, parsed)
    if parsed.errors:
        return parsed
    for n, row in numbered:
        if len(row) > widest and any(cell.strip() for cell in row[widest:]):
            parsed.fail(
                n,
                _l(
                    "This line has more fields than the first line: is a decimal comma also "
                    "separating the fields? Put the number in quotes or separate fields with ;."
                ),
            )
            continue
        _read_line(parsed, n, row, columns, width, (mark, delimiter == ","))
    return parsed


def _read_line(
    parsed: RateFile,
    n: int,
    row: list[str],
    columns: dict[str, int],
    width: int,
    mark: tuple[str | None, bool],
) -> None:
    if len(row) < width:
        parsed.fail(n, _l("This line has too few fields."))
        return
    day_text, currency = row[columns["date"]].strip(), row[columns["currency"]].strip().upper()
    rate_text = row[columns["rate"]].strip()
    day = parse_day(day_text)
    if day is None:
        parsed.fail(n, _l("The date “%(text)s” is not a date like 2026-03-01.", text=day_text[:20]))
        return
    if currency not in CURRENCIES:
        parsed.fail(n, _l("“%(text)s” is not a currency code like NPR.", text=currency[:10]))
        return
    if rate_text.casefold() in NO_DATA:
        parsed.skipped.append(n)
        return
    rate = parse_number(rate_text, *mark)
    if rate is None:
        parsed.fail(
            n,
            _l(
                "The rate “%(text)s” is not a number we can read without guessing; write it like "
                "133.25.",
                text=rate_text[:20],
            ),
        )
        return
    if currency == "USD":
        if rate != 1:
            parsed.fail(n, _l("Rates are per US dollar: one dollar is always 1 dollar."))
        else:
            parsed.skipped.append(n)
        return
    if not rate.is_finite() or rate <= 0 or rate >= MAX_RATE:
        parsed.fail(n, _l("The rate must be above 0 and below one trillion."))
        return
    per_usd = rate.quantize(SIX_DECIMALS, rounding=ROUND_HALF_EVEN)
    if per_usd <= 0:
        parsed.fail(n, _l("The rate must be above 0 and below one trillion."))
        return
    parsed.lines.append(RateLine(line=n, day=day, currency=currency, per_usd=per_usd))
