"""Importing exchange rates from a file: first a plan of what would change, then the change.

A rate is never invented: each one comes from a file an admin names the source of, and keeps
that source. Importing the same file again changes nothing. A file with any bad line imports
nothing: the plan names each bad line, so the admin fixes the file and tries again. Reports
convert with these rates (casework.services.reports.rates); their facts follow on the flush.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_

from casework.extensions import db
from casework.models import ExchangeRate
from casework.services import audit
from casework.services.actors import Actor
from casework.services.errors import DomainError, InvalidInput
from casework.services.reference.rates_csv import (
    MAX_FILE_BYTES,
    RateFile,
    RateLine,
    read_rate_file,
)
from casework.services.validation import storable

MAX_SOURCE = 200


@dataclass(frozen=True)
class RateChange:
    line: int
    currency: str
    day: date
    per_usd: Decimal
    previous: Decimal | None  # None: a new rate

    @property
    def key(self) -> str:
        return f"{self.currency}:{self.day.isoformat()}"


@dataclass
class ImportPlan:
    """What importing a file would do (or did): rates added and changed, the lines that
    already match, days without a rate, and an error per bad line (line 0: the whole file)."""

    source: str
    file_digest: str
    added: list[RateChange] = field(default_factory=list)
    changed: list[RateChange] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed)

    @property
    def token(self) -> str:
        """Names this exact plan: a confirmation must carry the token of the preview it saw."""
        digest = hashlib.sha256(f"{self.file_digest}\x1f{self.source}".encode())
        for change in (*self.added, *self.changed):
            digest.update(f"\x1e{change.key}={change.per_usd}<{change.previous}".encode())
        return digest.hexdigest()[:32]

    @property
    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {self.unchanged} unchanged, "
            f"{len(self.skipped)} skipped"
        )


class RatesChangedSincePreview(DomainError):
    """The table (or the file) changed between the preview and the confirmation."""

    def __init__(self, plan: ImportPlan):
        super().__init__("exchange rates changed since the preview")
        self.plan = plan


def _source(source: str) -> str:
    text = (source or "").strip()
    if not text:
        raise InvalidInput({"source": _l("Please say where the rates come from.")})
    if len(text) > MAX_SOURCE or not storable(text):
        raise InvalidInput(
            {"source": _l("This is too long (at most %(limit)s characters).", limit=MAX_SOURCE)}
        )
    return text


def _existing(lines: list[RateLine]) -> dict[tuple[str, date], ExchangeRate]:
    if not lines:
        return {}
    currencies = sorted({line.currency for line in lines})
    first, last = min(line.day for line in lines), max(line.day for line in lines)
    rates = db.session.scalars(
        select(ExchangeRate).where(
            ExchangeRate.currency.in_(currencies),
            ExchangeRate.valid_from >= first,
            ExchangeRate.valid_from <= last,
        )
    )
    return {(rate.currency, rate.valid_from): rate for rate in rates}


def _compare(parsed: RateFile, plan: ImportPlan) -> None:
    existing = _existing(parsed.lines)
    seen: dict[tuple[str, date], RateLine] = {}
    for line in parsed.lines:
        key = (line.currency, line.day)
        earlier = seen.get(key)
        if earlier is not None:
            if earlier.per_usd != line.per_usd:
                plan.errors.append(
                    (
                        line.line,
                        str(
                            _l(
                                "Line %(earlier)s gives another rate for %(currency)s on %(day)s.",
                                earlier=earlier.line,
                                currency=line.currency,
                                day=line.day.isoformat(),
                            )
                        ),
                    )
                )
            continue
        seen[key] = line
        rate = existing.get(key)
        if rate is None:
            plan.added.append(RateChange(line.line, line.currency, line.day, line.per_usd, None))
        elif Decimal(rate.per_usd) != line.per_usd:
            plan.changed.append(
                RateChange(line.line, line.currency, line.day, line.per_usd, rate.per_usd)
            )
        else:
            plan.unchanged += 1


def plan_rate_import(raw: bytes, source: str) -> ImportPlan:
    """Read the file and compare it with the table; changes nothing. Raises InvalidInput for a
    missing source; bad lines are in the plan's `errors`."""
    plan = ImportPlan(source=_source(source), file_digest=hashlib.sha256(raw).hexdigest())
    parsed = read_rate_file(raw)
    plan.skipped, plan.errors = parsed.skipped, list(parsed.errors)
    _compare(parsed, plan)  # also for a file with bad lines: every mistake shows at once
    plan.errors.sort()
    return plan


def import_rates(
    actor: Actor, raw: bytes, source: str, expected_token: str | None = None
) -> ImportPlan:
    """Apply the plan for this file: add the new rates and change the ones that differ, each
    carrying `source`; commit once. Nothing changes if any line is bad (InvalidInput naming the
    lines) or, given `expected_token`, if the plan is no longer the one previewed
    (RatesChangedSincePreview). One audit event for the import and one per rate changed."""
    plan = plan_rate_import(raw, source)
    if plan.errors:
        raise InvalidInput(
            {f"line {line}" if line else "file": text for line, text in plan.errors[:50]}
        )
    if expected_token is not None and expected_token != plan.token:
        raise RatesChangedSincePreview(plan)
    if not plan.has_changes:
        return plan
    existing = _existing([RateLine(c.line, c.day, c.currency, c.per_usd) for c in plan.changed])
    for change in plan.added:
        db.session.add(
            ExchangeRate(
                currency=change.currency,
                valid_from=change.day,
                per_usd=change.per_usd,
                source=plan.source,
            )
        )
    for change in plan.changed:
        rate = existing[(change.currency, change.day)]
        rate.per_usd, rate.source = change.per_usd, plan.source
        audit.record_audit(
            actor,
            audit.ADMIN_CHANGE,
            "exchange_rate",
            change.key,
            f"{change.previous} -> {change.per_usd} from {plan.source}",
        )
    audit.record_audit(
        actor,
        audit.ADMIN_CHANGE,
        "exchange_rates",
        plan.file_digest[:16],
        f"import: {plan.summary}; source: {plan.source}",
    )
    db.session.commit()
    return plan


def pack_file(raw: bytes) -> str:
    """The file as text a confirmation form can carry back (compressed; rates are public
    figures, not personal data)."""
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def unpack_file(packed: str) -> bytes:
    """The file `pack_file` packed; InvalidInput if it is damaged or too large."""
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.b64decode(packed, validate=True), MAX_FILE_BYTES + 1)
    except (ValueError, zlib.error):
        raise InvalidInput({"file": _l("Please choose the file again.")}) from None
    if len(raw) > MAX_FILE_BYTES or inflater.unconsumed_tail or not inflater.eof:
        raise InvalidInput({"file": _l("Please choose the file again.")})
    return raw


@dataclass(frozen=True)
class CurrencyRates:
    currency: str
    days: int
    first: date
    latest: date
    latest_per_usd: Decimal
    latest_source: str


def rate_overview() -> list[CurrencyRates]:
    """Per currency: how many days have a rate, from when to when, and the latest rate with its
    source."""
    counts = {
        row.currency: row
        for row in db.session.execute(
            select(
                ExchangeRate.currency,
                func.count().label("days"),
                func.min(ExchangeRate.valid_from).label("first"),
                func.max(ExchangeRate.valid_from).label("latest"),
            ).group_by(ExchangeRate.currency)
        )
    }
    latest = (
        {
            (rate.currency, rate.valid_from): rate
            for rate in db.session.scalars(
                select(ExchangeRate).where(
                    tuple_(ExchangeRate.currency, ExchangeRate.valid_from).in_(
                        [(row.currency, row.latest) for row in counts.values()]
                    )
                )
            )
        }
        if counts
        else {}
    )
    return [
        CurrencyRates(
            currency=currency,
            days=row.days,
            first=row.first,
            latest=row.latest,
            latest_per_usd=latest[(currency, row.latest)].per_usd,
            latest_source=latest[(currency, row.latest)].source,
        )
        for currency, row in sorted(counts.items())
    ]
