"""Reading a government's list of licensed agencies: CSV or XLSX, a header row naming at least
licence_number, name and status (other columns ignored; `column_map` for lists that call them
something else). Every row is read or reported with its line; nothing is guessed or stored."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.services.agencies.normalise import licence_key, parse_list_date, status_of
from casework.services.errors import InvalidInput

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
REQUIRED = ("licence_number", "name", "status")
OPTIONAL = ("status_date", "valid_until", "address", "phone", "representative", "aliases")
FIELDS = REQUIRED + OPTIONAL
_LIMITS = {"licence_number": 80, "name": 300, "address": 500, "phone": 80, "representative": 200}


@dataclass(frozen=True)
class ListRow:
    line: int
    licence_number: str
    licence_key: str
    name: str
    status: str
    status_date: date | None
    valid_until: date | None
    address: str = ""
    phone: str = ""
    representative: str = ""
    aliases: tuple[str, ...] = ()


@dataclass
class AgencyList:
    rows: list[ListRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


def parse_column_map(text: str) -> dict[str, str]:
    """`licence_number=Licence No.,name=Agency` → {field: the list's header}."""
    mapping: dict[str, str] = {}
    for part in (p for p in text.split(",") if p.strip()):
        ours, _, theirs = part.partition("=")
        ours = ours.strip()
        if ours not in FIELDS or not theirs.strip():
            raise InvalidInput(
                {
                    "map": _l(
                        "Write the map as field=Column,field=Column (fields: %(f)s).",
                        f=", ".join(FIELDS),
                    )
                }
            )
        mapping[ours] = theirs.strip()
    return mapping


def read_agency_list(raw: bytes, column_map: dict[str, str] | None = None) -> AgencyList:
    """Every row of a CSV or XLSX list, or why it cannot be read. Raises InvalidInput when the
    file as a whole cannot be used (unreadable, no usable header, too large)."""
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidInput({"file": _l("The file is too large (at most 20 MB).")})
    table = _xlsx_rows(raw) if raw[:4] == b"PK\x03\x04" else _csv_rows(raw)
    numbered = [(n, row) for n, row in enumerate(table, 1) if any(_text(c) for c in row)]
    if not numbered:
        raise InvalidInput({"file": _l("The file is empty.")})
    if len(numbered) > MAX_ROWS + 1:
        raise InvalidInput({"file": _l("The list has too many rows (at most %(n)s).", n=MAX_ROWS)})
    columns = _columns(numbered[0][1], column_map or {})
    parsed = AgencyList()
    seen: dict[str, int] = {}
    for line, row in numbered[1:]:
        _read_row(parsed, line, row, columns, seen)
    return parsed


def _fold(header: Any) -> str:
    return " ".join(_text(header).casefold().replace("_", " ").split())


def _columns(header: list[Any], column_map: dict[str, str]) -> dict[str, int]:
    position = {_fold(cell): i for i, cell in reversed(list(enumerate(header)))}
    columns = {}
    for name in FIELDS:
        wanted = _fold(column_map.get(name, name))
        if wanted in position:
            columns[name] = position[wanted]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise InvalidInput(
            {
                "file": _l(
                    "The first row must name the columns licence_number, name and status "
                    "(missing: %(missing)s). Use the column map if the list names them otherwise.",
                    missing=", ".join(missing),
                )
            }
        )
    return columns


def _read_row(
    parsed: AgencyList, line: int, row: list[Any], columns: dict[str, int], seen: dict[str, int]
) -> None:
    def cell(name: str) -> Any:
        i = columns.get(name)
        return row[i] if i is not None and i < len(row) else None

    values = {
        name: _text(cell(name)) for name in FIELDS if name not in ("status_date", "valid_until")
    }
    key = licence_key(values["licence_number"])
    problems = []
    if not key:
        problems.append(_l("no licence number"))
    if not values["name"]:
        problems.append(_l("no name"))
    status = status_of(values["status"])
    if status is None:
        problems.append(_l("unknown status “%(word)s”", word=values["status"][:40]))
    dates: dict[str, date | None] = {}
    for name in ("status_date", "valid_until"):
        try:
            dates[name] = parse_list_date(cell(name))
        except ValueError:
            problems.append(_l("cannot read the date “%(value)s”", value=_text(cell(name))[:40]))
    for name, limit in _LIMITS.items():
        if len(values[name]) > limit:
            problems.append(_l("%(field)s is longer than %(n)s characters", field=name, n=limit))
    if key and key in seen:
        problems.append(_l("the licence number is also on line %(line)s", line=seen[key]))
    if problems:
        parsed.errors.append((line, "; ".join(str(p) for p in problems)))
        return
    seen[key] = line
    aliases = tuple(a.strip() for a in values["aliases"].replace("|", ";").split(";") if a.strip())
    parsed.rows.append(
        ListRow(
            line=line,
            licence_number=values["licence_number"],
            licence_key=key,
            name=values["name"],
            status=status or "",
            status_date=dates.get("status_date"),
            valid_until=dates.get("valid_until"),
            address=values["address"],
            phone=values["phone"],
            representative=values["representative"],
            aliases=tuple(a[:300] for a in aliases),
        )
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a licence number typed into a spreadsheet as a number
    return " ".join(str(value).split())


def _csv_rows(raw: bytes) -> list[list[str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput({"file": _l("Save the list as UTF-8 CSV or as XLSX.")}) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        raise InvalidInput({"file": _l("This is not a CSV file we can read.")}) from None


def _xlsx_rows(raw: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook  # only when a spreadsheet arrives

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise InvalidInput({"file": _l("This is not an XLSX file we can read.")}) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        return [list(row) for _, row in zip(range(MAX_ROWS + 2), rows, strict=False)]
    finally:
        book.close()
