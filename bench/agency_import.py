"""What importing a government's list of licensed agencies costs (budget: 5,000 rows < 10 s).

A synthetic list of `--rows` agencies (invented names) is read and imported through the
service (services/agencies: reading, normalising, ORM inserts with one status-history line
each, the re-match of the country's complaint agencies, the audit event, one commit) into a
fresh SQLite instance, as CSV and as XLSX; then a newer list with a tenth of the statuses
changed is imported over it. Printed: seconds and rows per second for each step, and the
ratio to the budget. Printed, never asserted.

    .venv/bin/python bench/agency_import.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agency_registry_data import bench_app, csv_bytes, registry_rows  # noqa: E402

BUDGET_SECONDS = 10.0


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    count = parser.parse_args().rows
    rows = registry_rows(count)
    newer = [
        {
            **row,
            "status": "Suspended" if n % 10 == 0 else row["status"],
            "status_date": "2026-11-01",
        }
        for n, row in enumerate(rows)
    ]

    from casework.services.actors import SystemActor
    from casework.services.agencies.lists import read_agency_list
    from casework.services.agencies.registry_import import import_agency_list

    actor = SystemActor("bench")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, raw in (("CSV", csv_bytes(rows)), ("XLSX", _xlsx(rows))):
            app = bench_app(Path(tmp) / label)
            with app.app_context():
                started = time.perf_counter()
                result = import_agency_list(actor, "NP", "bench", read_agency_list(raw))
                seconds = time.perf_counter() - started
                assert result.added == count, result
                results.append((f"first import ({label})", seconds))
                if label == "CSV":
                    started = time.perf_counter()
                    again = import_agency_list(
                        actor, "NP", "bench newer", read_agency_list(csv_bytes(newer))
                    )
                    results.append(("newer list (CSV)", time.perf_counter() - started))
                    assert again.added == 0 and again.updated > 0, again
    print(f"rows {count:,}")
    for label, seconds in results:
        print(
            f"{label:<22} {seconds:6.2f} s  {count / seconds:8,.0f} rows/s  "
            f"budget ratio {seconds / BUDGET_SECONDS * count / 5000:.2f} (1.00 = 10 s per 5,000)"
        )


if __name__ == "__main__":
    main()
