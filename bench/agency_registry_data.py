"""Synthetic registries for the agency benches: invented names from word lists, never real
agencies. Shared by agency_import.py and agency_match.py."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

FIRST = (
    "Himal Yeti Sagar Everest Annapurna Lumbini Gandaki Koshi Bagmati Karnali Mahakali Janaki "
    "Sunrise Golden Silver Blue Green Royal Global Pacific Orient Crescent Star Horizon Summit "
    "Lotus Tiger Eagle Falcon Danphe Rhino Pearl Coral Jasmine Mountain River Valley Bridge"
).split()
SECOND = (
    "Overseas International Global Gulf Asia Arabian Continental Bright Fortune Dream Hope "
    "United Trust Prime Grand Noble Swift Unity Union Vision Pioneer Legend Crown Apex"
).split()
KIND = (
    "Manpower",
    "Human Resources",
    "Recruiters",
    "Placement",
    "Employment Services",
    "Overseas Employment",
    "Job Link",
    "Workforce",
)
FORM = ("Pvt. Ltd.", "Private Limited", "", "Inc.", "Company")
STATUS = ("Active",) * 8 + ("Suspended", "Licence cancelled", "Expired", "Forever Banned")


def registry_rows(count: int, seed: int = 16) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows, seen = [], set()
    while len(rows) < count:
        name = " ".join(
            p
            for p in (rng.choice(FIRST), rng.choice(SECOND), rng.choice(KIND), rng.choice(FORM))
            if p
        )
        if name in seen:
            name = f"{name} {len(rows)}"
        seen.add(name)
        n = len(rows)
        rows.append(
            {
                "licence_number": f"{1000 + n}/{rng.randint(60, 82):03d}/{rng.randint(60, 83)}",
                "name": name,
                "status": rng.choice(STATUS),
                "status_date": f"20{rng.randint(20, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "valid_until": f"20{rng.randint(26, 29)}-{rng.randint(1, 12):02d}-15",
                "address": f"Ward {rng.randint(1, 32)}, Kathmandu",
                "phone": f"+977-1-{rng.randint(4000000, 5999999)}",
                "representative": "",
                "aliases": "",
            }
        )
    return rows


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def bench_app(folder: Path) -> Any:
    from casework import create_app
    from casework.extensions import db

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
