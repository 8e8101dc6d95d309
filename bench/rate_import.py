"""What importing an exchange-rate file costs, against the least any import must do.

A file of `--days` days × 20 currencies (date, currency, rate per USD) is imported through the
service (`reference.rates_import.import_rates`: reading with every tolerance, comparing with the
table, ORM inserts, the report facts' refresh per currency, the audit event, one commit) into a
fresh SQLite instance; then the same file again (nothing changes). The baseline reads the same
bytes with `csv.reader` and inserts the rows with one Core `executemany` into a second fresh
instance. Printed: lines, seconds for each, lines per second, and the ratio baseline / service
(1.0 = no overhead). Printed, never asserted.

    .venv/bin/python bench/rate_import.py [--days 1000]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from sqlalchemy import insert  # noqa: E402

from casework import create_app  # noqa: E402
from casework.extensions import db  # noqa: E402
from casework.models import ExchangeRate  # noqa: E402

CURRENCIES = (
    "NPR PHP IDR BDT PKR ETB KES UGX LKR INR QAR SAR AED MYR HKD TWD OMR KWD BHD JOD".split()
)


def _file(days: int) -> bytes:
    rng = random.Random(15)
    lines = ["date,currency,rate"]
    first = date(2020, 1, 1)
    for n in range(days):
        day = (first + timedelta(days=n)).isoformat()
        lines += [f"{day},{c},{rng.uniform(0.3, 16000):.4f}" for c in CURRENCIES]
    return ("\n".join(lines) + "\n").encode()


def _app(folder: Path):  # type: ignore[no-untyped-def]
    app = create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench",
            "AUDIT_KEY": "bench-audit-key-bench-audit-key-bench-audit-key",
            "TESTING": True,
        }
    )
    with app.app_context():
        db.create_all()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=1000)
    days = parser.parse_args().days
    raw = _file(days)
    lines = days * len(CURRENCIES)

    from casework.services.actors import SystemActor
    from casework.services.reference.rates_import import import_rates

    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp) / "service")
        with app.app_context():
            started = time.perf_counter()
            plan = import_rates(SystemActor("bench"), raw, "bench")
            service = time.perf_counter() - started
            started = time.perf_counter()
            again = import_rates(SystemActor("bench"), raw, "bench")
            repeat = time.perf_counter() - started
            assert len(plan.added) == lines and again.unchanged == lines

        base = _app(Path(tmp) / "baseline")
        with base.app_context():
            started = time.perf_counter()
            rows = [
                {
                    "currency": c,
                    "valid_from": date.fromisoformat(d),
                    "per_usd": Decimal(r),
                    "source": "bench",
                }
                for d, c, r in list(csv.reader(io.StringIO(raw.decode())))[1:]
            ]
            db.session.execute(insert(ExchangeRate), rows)
            db.session.commit()
            baseline = time.perf_counter() - started

    print(f"lines {lines:,} ({len(raw) / 1e6:.1f} MB)")
    print(f"service import   {service:6.2f} s  {lines / service:9,.0f} lines/s")
    print(f"same file again  {repeat:6.2f} s  {lines / repeat:9,.0f} lines/s (nothing changes)")
    print(f"baseline insert  {baseline:6.2f} s  {lines / baseline:9,.0f} lines/s")
    print(f"ratio baseline/service {baseline / service:.2f}")


if __name__ == "__main__":
    main()
