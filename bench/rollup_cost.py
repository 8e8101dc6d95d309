"""What keeping the report rollups current adds to lodging a complaint (budget: ratio <= 1.1).

The database is the outcome-report bench's (bench/reports_page.py, `--cases`, SQLite or
PostgreSQL), so the rollups hold the groups of that many cases. Then complaints are lodged in
process through the intake service (`lodge_complaint`, the API's path: validation, sealing,
routing, the facts and rollup writes, the commit), in alternating blocks: with the rollups
kept as always, and with the facts written as before any rollup existed (bench/rollup_toggle.py:
no rollup upsert, no `report_money` or `report_referrals` rows). The figures are the median
wall-clock and CPU time of a lodging in each mode, their ratio, and the SQL statements a
lodging runs. Printed, never asserted.

The stalled scan's share is measured by bench/stalled_scan.py (first runs with and without
the rollups, the same switch): it moves deadlines (`facts.copy_deadlines`, no rollup holds
them), and the referrals it proposes recompute their cases' facts and groups.

    .venv/bin/python bench/rollup_cost.py [--cases 100000] [--lodgings 60] [--block 10]
                                          [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
for folder in (str(REPO_DIR), str(BENCH_DIR)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

import reports_page  # noqa: E402
from rollup_toggle import rollups_off  # noqa: E402

PAYLOAD: dict[str, Any] = {
    "language": "ne",
    "origin_country": "NP",
    "destination_country": "QA",
    "agency": {"name": "Himal Overseas Manpower", "licence_number": "1234/067/68"},
    "employer": {"name": "Doha Build Contracting"},
    "abuse_categories": ["RA_FEES", "FL_DOCS"],
    "fees": [
        {
            "category": "FEE_AGENT",
            "amount": "150000",
            "currency": "NPR",
            "paid_on": "2026-03-01",
            "payee": "agency",
        }
    ],
    "recruitment_channel": "agency",
    "promised_monthly_wage": {"amount": "1200", "currency": "QAR"},
    "actual_monthly_wage": {"amount": "800", "currency": "QAR"},
    "departure_date": "2026-04-01",
    "narrative": "The agent took my passport and charged me 150000 rupees.",
    "contact": {"name": "Bench Worker", "phone": "+977 9812345678", "channel": "whatsapp"},
    "consent": {"share_with_partners": True, "share_across_borders": True},
}


@contextmanager
def _rollup_writes(on: bool) -> Iterator[None]:
    with rollups_off(not on):
        yield


@contextmanager
def _statements(engine: Any) -> Iterator[list[str]]:
    from sqlalchemy import event

    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def lodge_blocks(app: Any, lodgings: int, block: int) -> dict[bool, list[tuple[float, float]]]:
    from casework.extensions import db
    from casework.services.intake.operations import lodge_complaint

    samples: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    with app.app_context():
        lodge_complaint(dict(PAYLOAD), [], source="api")  # warm-up: the first one reads more
        for mode in (True, False):  # the statements of one lodging
            with _rollup_writes(mode), _statements(db.engine) as seen:
                lodge_complaint(dict(PAYLOAD), [], source="api")
            rolled = sum("_rollups" in s for s in seen)
            print(f"  rollup {'on ' if mode else 'off'}: {len(seen)} statements a lodging"
                  f" ({rolled} on the rollup tables)")  # fmt: skip
        for start in range(0, lodgings, block):
            mode = (start // block) % 2 == 0
            with _rollup_writes(mode):
                for _ in range(block):
                    wall, cpu = time.perf_counter(), time.process_time()
                    lodge_complaint(dict(PAYLOAD), [], source="api")
                    samples[mode].append((time.perf_counter() - wall, time.process_time() - cpu))
        db.session.remove()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--lodgings", type=int, default=60)
    parser.add_argument("--block", type=int, default=10)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    logging.getLogger("casework").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="casework-bench-rollups-") as folder:
        if args.backend == "sqlite":
            run(f"sqlite:///{folder}/casework.db", Path(folder), args)
        else:
            from tests.pg_cluster import throwaway_cluster

            with throwaway_cluster("casework_rollup_bench") as url:
                run(url, Path(folder), args)
    return 0


def run(url: str, folder: Path, args: argparse.Namespace) -> None:
    app = reports_page._app(url, folder / "instance")
    fixture = reports_page.build(app, args.cases)
    print(f"{args.backend}, {args.cases:,} cases built in {fixture.build_seconds:.0f} s")
    samples = lodge_blocks(app, args.lodgings, args.block)
    medians = {}
    for mode in (True, False):
        wall = statistics.median(s[0] for s in samples[mode])
        cpu = statistics.median(s[1] for s in samples[mode])
        medians[mode] = (wall, cpu)
        label = "rollup kept " if mode else "rollup off  "
        print(f"  {label} p50 {wall * 1000:6.1f} ms wall, {cpu * 1000:6.1f} ms CPU a lodging")
    wall_ratio = medians[True][0] / medians[False][0]
    cpu_ratio = medians[True][1] / medians[False][1]
    print(f"  cost of the rollup: wall ratio {wall_ratio:.3f}, CPU ratio {cpu_ratio:.3f}"
          " (budget <= 1.1)")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
