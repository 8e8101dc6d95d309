"""SQL building blocks that mean the same on SQLite and PostgreSQL.

Durations, calendar days and months of UTC timestamps, percentiles by rank, and currency
conversion through the exchange-rate table: each compiles to each dialect's own functions, so
every figure is aggregated in the database whichever one runs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, Float, Integer, String, and_, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from casework.models import ExchangeRate
from casework.services.reports.wait_ranges import DAY

# A column or any SQL expression.
Expr = ColumnElement[Any] | InstrumentedAttribute[Any]


class seconds_between(FunctionElement[float]):  # noqa: N801 - reads as a SQL function
    """`later - earlier` in seconds (both UTC timestamps)."""

    type = Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between)
def _seconds_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION)"


class utc_month(FunctionElement[str]):  # noqa: N801
    """The UTC month of a timestamp as text, "2026-03"."""

    type = String()
    name = "utc_month"
    inherit_cache = True


@compiles(utc_month)
def _month_sqlite(element: utc_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(next(iter(element.clauses)), **kw)})"


@compiles(utc_month, "postgresql")
def _month_postgresql(element: utc_month, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(next(iter(element.clauses)), **kw)
    return f"to_char(timezone('UTC', {column}), 'YYYY-MM')"


class utc_day(FunctionElement[date]):  # noqa: N801
    """The UTC calendar day of a timestamp, comparable with DATE columns."""

    type = Date()
    name = "utc_day"
    inherit_cache = True


@compiles(utc_day)
def _day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(next(iter(element.clauses)), **kw)})"


@compiles(utc_day, "postgresql")
def _day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(timezone('UTC', {compiler.process(next(iter(element.clauses)), **kw)}) AS DATE)"


HOUR = 3600  # seconds: the width of a clock's bins (clock_bins.py)


class hour_bin(FunctionElement[int]):  # noqa: N801
    """The whole hours in a duration of seconds (0 for 0-3599 s, 1 for 3600-7199 s...), and -1
    for any negative duration: the bin of a clock's value in the entity rollup."""

    type = Integer()
    name = "hour_bin"
    inherit_cache = True
    width = HOUR


class day_bin(hour_bin):  # noqa: N801
    """The whole days in a duration of seconds, and -1 for any negative duration."""

    name = "day_bin"
    inherit_cache = True
    width = DAY


@compiles(hour_bin)
@compiles(day_bin)
def _bin_sqlite(element: hour_bin, compiler: SQLCompiler, **kw: Any) -> str:
    seconds = compiler.process(next(iter(element.clauses)), **kw)
    width = element.width
    return f"(CASE WHEN {seconds} < 0 THEN -1 ELSE CAST({seconds} / {width} AS INTEGER) END)"


@compiles(hour_bin, "postgresql")
@compiles(day_bin, "postgresql")
def _bin_postgresql(element: hour_bin, compiler: SQLCompiler, **kw: Any) -> str:
    seconds = compiler.process(next(iter(element.clauses)), **kw)
    # a cast of a float to an integer rounds on PostgreSQL: floor() first
    whole = f"floor({seconds} / {element.width})"
    return f"(CASE WHEN {seconds} < 0 THEN -1 ELSE CAST({whole} AS INTEGER) END)"


class spaced_list(FunctionElement[str]):  # noqa: N801
    """An aggregate: the group's values in one text, each between spaces (" A B "), so that
    `LIKE '% A %'` finds a value; NULL for no values."""

    type = String()
    name = "spaced_list"
    inherit_cache = True


@compiles(spaced_list)
def _list_sqlite(element: spaced_list, compiler: SQLCompiler, **kw: Any) -> str:
    return (
        f"(' ' || group_concat({compiler.process(next(iter(element.clauses)), **kw)}, ' ') || ' ')"
    )


@compiles(spaced_list, "postgresql")
def _list_postgresql(element: spaced_list, compiler: SQLCompiler, **kw: Any) -> str:
    return f"(' ' || string_agg({compiler.process(next(iter(element.clauses)), **kw)}, ' ') || ' ')"


def unordered(text: Expr) -> ColumnElement[str]:
    """A text column as an expression with the same values (`text || ''`): no index on the
    column applies to it, so the planner cannot prefer walking that index for its order."""
    return text + literal("", String)


def rate_per_usd(currency: Expr, on: Expr) -> ColumnElement[Any]:
    """Units of `currency` per US dollar on a day: the latest rate valid by then, else the
    earliest known (as casework.services.casefile.recruitment_cost.rate_per_usd); NULL if none."""
    latest = (
        select(ExchangeRate.per_usd)
        .where(ExchangeRate.currency == currency, ExchangeRate.valid_from <= on)
        .order_by(ExchangeRate.valid_from.desc())
        .limit(1)
        .scalar_subquery()
    )
    earliest = (
        select(ExchangeRate.per_usd)
        .where(ExchangeRate.currency == currency)
        .order_by(ExchangeRate.valid_from)
        .limit(1)
        .scalar_subquery()
    )
    return case(
        (currency == "USD", literal(1.0)), else_=func.coalesce(latest, earliest).cast(Float)
    )


def convert(amount: Expr, currency: Expr, target: str | Expr, on: Expr) -> ColumnElement[float]:
    """`amount` in `currency` expressed in `target` (a code, or a column such as the wage
    currency) at the rates of day `on`; NULL when a rate is missing."""
    if isinstance(target, str):
        factor = literal(1.0) if target == "USD" else rate_per_usd(literal(target), on)
    else:
        factor = rate_per_usd(target, on)
    return case(
        (currency == target, amount.cast(Float)),
        else_=amount.cast(Float) / rate_per_usd(currency, on) * factor,
    )


def with_rates(rows: Any, target: str, name: str) -> Any:
    """`rows` (a subquery with `currency` and `day`) with the rates of each row looked up once,
    `per_usd` (its currency's) and `target_per_usd`, as a materialised common table: however
    many of a row's amounts `converted` converts, each rate is read once."""
    r = rows.c
    factor = literal(1.0) if target == "USD" else rate_per_usd(literal(target), r.day)
    return (
        select(*r, rate_per_usd(r.currency, r.day).label("per_usd"), factor.label("target_per_usd"))
        .cte(name)
        .prefix_with("MATERIALIZED")
    )


def converted(amount: Expr, rated: Any, target: str) -> ColumnElement[float]:
    """`convert` of an amount of a `with_rates` row, with the rates the row holds."""
    return case(
        (rated.currency == target, amount.cast(Float)),
        else_=amount.cast(Float) / rated.per_usd * rated.target_per_usd,
    )


def percentiles(values: Any, shared: bool = False) -> Any:
    """Count, median and 90th percentile of `values.c.value` (a subquery of non-null values;
    with `shared`, also the sum of its 0/1 `shared` column), in one pass over the values.

    Ranked with row_number() over the sorted values: the median is the mean of the middle one
    or two; the 90th percentile is the nearest-rank value, the one at rank ceil(0.9 n).
    """
    value = values.c.value
    extra = [values.c.shared.label("shared")] if shared else []
    # The count as a scalar subquery (computed once), not a window count over every row.
    n = select(func.count()).select_from(values).scalar_subquery()
    ranked = select(
        value.label("v"),
        # Sorted as an expression: with the cases narrowed, walking an index on the value and
        # checking every row against the narrowing costs far more than sorting the few kept.
        func.row_number().over(order_by=value + 0).label("rn"),
        *extra,
    ).subquery()
    rn, v = ranked.c.rn, ranked.c.v
    middle = and_(rn >= (n + 1) // 2, rn <= (n + 2) // 2)
    return select(
        func.count().label("n"),
        func.avg(case((middle, v))).label("median"),
        func.max(case((rn == (9 * n + 9) // 10, v))).label("p90"),
        *([func.sum(ranked.c.shared).label("shared")] if shared else []),
    ).select_from(ranked)


def percentiles_by_index(column: Expr, n: int, *where: ColumnElement[bool]) -> Any:
    """Median and 90th percentile of the non-null values of `column` in the rows `where`
    keeps (`n` of them), read by rank from an index on the column (`where` being equality on
    the index's leading columns): no sort at all."""

    ordered = select(column.label("value")).where(column.is_not(None), *where).order_by(column)
    # The middle value, or the two middle ones (n even), read in one walk of the index.
    low = (n + 1) // 2
    middle = ordered.limit((n + 2) // 2 - low + 1).offset(low - 1).subquery()
    p90 = ordered.limit(1).offset((9 * n + 9) // 10 - 1).scalar_subquery()
    return select(func.avg(middle.c.value).label("median"), p90.label("p90"))


class contains_word(FunctionElement[bool]):  # noqa: N801
    """True when a spaced list (" A B ", see `spaced_list`) holds the word (a column or an
    expression): found by position, so `_` and `%` in the word are plain characters."""

    type = Boolean()
    name = "contains_word"
    inherit_cache = True


@compiles(contains_word)
def _contains_sqlite(element: contains_word, compiler: SQLCompiler, **kw: Any) -> str:
    spaced, word = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(instr({spaced}, ' ' || {word} || ' ') > 0)"


@compiles(contains_word, "postgresql")
def _contains_postgresql(element: contains_word, compiler: SQLCompiler, **kw: Any) -> str:
    spaced, word = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(strpos({spaced}, ' ' || {word} || ' ') > 0)"
