"""How report tables read: codes in words, numbers in the reader's conventions, CSV.

Hidden small cells stay hidden in every form: "<5" for a count, "n<5" for a figure that rests
on fewer than five cases.
"""

from __future__ import annotations

import csv
import importlib
import io
from typing import Any

from flask_babel import format_decimal, format_number
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from casework.i18n import country_name
from casework.services.reports.options import FilterOptions
from casework.services.reports.remedy_figures import ALL
from casework.services.reports.scope import ReportFilters
from casework.services.reports.spread import range_label
from casework.services.reports.tables import (
    COUNT,
    CURRENCY,
    DAYS,
    LABEL,
    MONEY,
    MONTHS,
    PERCENT,
    Column,
    Hidden,
    Table,
)
from casework.vocabulary.agencies import REGISTRY_STATUS_LABELS
from casework.vocabulary.labels import label

MEASURES = {
    "first_response": _l("Time to first response"),
    "resolution": _l("Time to resolution"),
    "flagged": _l("Open cases with an open flag"),
    "level_1": _l("… highest step: warning to the caseworker"),
    "level_2": _l("… highest step: escalated to the supervisor"),
    "level_3": _l("… highest step: referral proposed"),
    "overdue": _l("Open cases past their next deadline"),
    "claim_deadline": _l("Open cases past their claim deadline"),
}
LICENCES = {
    "licensed": _l("Licensed on the day of recruitment (registry)"),
    "unlicensed": _l("Not licensed on the day of recruitment (registry)"),
    "unknown": _l("Not known: not matched to the registry, or its history does not go back"),
    "none": _l("No agency named"),
}
# An agency's licence today: the registry's status, or not known (not matched to it).
REGISTRY_STATUSES = {**REGISTRY_STATUS_LABELS, "unknown": _l("Not known")}
# The legal limit a fee is compared with (no per-country limits are recorded yet).
LEGAL_LIMITS = {"none": _l("no legal limit recorded")}
YES_NO = {"yes": _l("yes"), "no": _l("no")}
HIDDEN_TITLE = {
    "<5": _l("fewer than 5 cases"),
    "n<5": _l("not shown: it rests on fewer than 5 cases"),
}
DECIMALS = {MONEY: "#,##0.00", DAYS: "#,##0.0", MONTHS: "#,##0.00", PERCENT: "#,##0.0"}
PLAIN_DECIMALS = {MONEY: 2, DAYS: 1, MONTHS: 2, PERCENT: 1}
# csv: a cell starting with one of these would run as a formula in a spreadsheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _from_referrals_vocabulary(name: str) -> dict[str, Any]:
    """Forum and abuse labels live with the referral vocabulary; codes show if it is missing."""
    try:
        module = importlib.import_module("casework.vocabulary.forums")
    except ImportError:
        return {}
    return dict(getattr(module, name, {}))


def forum_labels() -> dict[str, Any]:
    return _from_referrals_vocabulary("FORUM_KINDS")


def abuse_labels() -> dict[str, Any]:
    return _from_referrals_vocabulary("ABUSE_LABELS")


def words(code: Any, vocabulary: str, currency: str = "USD") -> str:
    """A label code in the reader's language."""
    if code is None:
        return ""
    text = str(code)
    if vocabulary in ("status", "outcome"):
        return label(text, vocabulary)
    if vocabulary == "forum":
        return str(forum_labels().get(text, text))
    if vocabulary == "abuse":
        return str(abuse_labels().get(text, text))
    if vocabulary == "measure":
        return str(MEASURES.get(text, text))
    if vocabulary == "wait":
        return range_label(text)
    if vocabulary == "licence":
        return str(LICENCES.get(text, text))
    if vocabulary == "legal_limit":
        return str(LEGAL_LIMITS.get(text, text))
    if vocabulary == "registry_status":
        return str(REGISTRY_STATUSES.get(text, text))
    if vocabulary == "yes_no":
        return str(YES_NO.get(text, text))
    if vocabulary == "country":
        return country_name(text)
    if vocabulary == "corridor" and "-" in text:
        origin, destination = text.split("-", 1)
        return f"{country_name(origin)} → {country_name(destination)}"
    if vocabulary == CURRENCY and text == ALL:
        return str(_l("All currencies, in %(currency)s", currency=currency))
    return text


def describe_filters(
    filters: ReportFilters, options: FilterOptions, abuses: dict[str, Any]
) -> list[tuple[str, str]]:
    """The filters in force, as (what, which) pairs a reader (or a printed page) understands."""
    names = {
        "organisation": dict(options.organisations),
        "agency": dict(options.agencies),
        "caseworker": dict(options.caseworkers),
    }
    chosen: list[tuple[str, str]] = []
    if filters.created_from:
        chosen.append((str(_l("Received from")), filters.created_from.isoformat()))
    if filters.created_to:
        chosen.append((str(_l("Received until")), filters.created_to.isoformat()))
    if filters.organisation_id is not None:
        name = names["organisation"].get(filters.organisation_id, str(filters.organisation_id))
        chosen.append((str(_l("Organisation")), name))
    if filters.origin:
        chosen.append((str(_l("From country")), country_name(filters.origin)))
    if filters.destination:
        chosen.append((str(_l("Country of work")), country_name(filters.destination)))
    if filters.agency_id is not None:
        chosen.append((str(_l("Agency")), names["agency"].get(filters.agency_id, "?")))
    if filters.abuse:
        chosen.append((str(_l("Abuse")), str(abuses.get(filters.abuse, filters.abuse))))
    if filters.caseworker_id is not None:
        name = names["caseworker"].get(filters.caseworker_id, str(filters.caseworker_id))
        chosen.append((str(_l("Caseworker")), name))
    return chosen


def label_vocabulary(column: Column) -> str:
    return CURRENCY if column.kind == CURRENCY else column.vocabulary


def text_cell(value: Any, column: Column, currency: str) -> str:
    """A cell as the reader reads it: words for codes, numbers in their conventions."""
    if isinstance(value, Hidden):
        return value.text
    if value is None:
        return "—"
    if column.kind == COUNT:
        return str(format_number(value))
    if column.kind in DECIMALS:
        text = str(format_decimal(value, format=DECIMALS[column.kind]))
        return f"{text} %" if column.kind == PERCENT else text
    if column.kind in (LABEL, CURRENCY):
        return words(value, label_vocabulary(column), currency)
    return str(value)


def html_cell(value: Any, column: Column, currency: str) -> str | Markup:
    if isinstance(value, Hidden):
        title = HIDDEN_TITLE.get(value.text, "")
        return Markup('<abbr class="hidden-cell" title="{}">{}</abbr>').format(title, value.text)
    return text_cell(value, column, currency)


def csv_cell(value: Any, column: Column, currency: str) -> str:
    if isinstance(value, Hidden):
        return value.text
    if value is None:
        return ""
    if column.kind in PLAIN_DECIMALS:
        return f"{value:.{PLAIN_DECIMALS[column.kind]}f}"
    if column.kind in (LABEL, CURRENCY):
        text = words(value, label_vocabulary(column), currency)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


# label columns whose codes mean nothing outside this page: the CSV gives only their words
UNCODED = ("", "country", "wait")


def csv_header(column: Column) -> str:
    """The header of the column that gives a label column's codes: plain words too."""
    return str(_l("%(column)s (code)", column=column.label))


def csv_text(table: Table, currency: str) -> str:
    """The table as CSV: a header of column names in plain words, then the rows; label
    columns that hold codes also give the code, for machines, in a column "… (code)"."""
    coded = {c.key for c in table.columns if c.kind == LABEL and c.vocabulary not in UNCODED}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header: list[str] = []
    for column in table.columns:
        header.append(str(column.label))
        if column.key in coded:
            header.append(csv_header(column))
    writer.writerow(header)
    for row in table.rows:
        cells: list[str] = []
        for column in table.columns:
            cells.append(csv_cell(row.get(column.key), column, currency))
            if column.key in coded:
                cells.append(str(row.get(column.key) or ""))
        writer.writerow(cells)
    return buffer.getvalue()
