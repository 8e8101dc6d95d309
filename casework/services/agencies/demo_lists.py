"""The synthetic lists `flask demo load` imports: invented agencies for the demo corridors
(Nepal twice, to show a status history; the Philippines with its own column names and status
words). Never loaded by `reference load`: a real deployment imports the governments' lists."""

from __future__ import annotations

from pathlib import Path

from casework.services.actors import SystemActor
from casework.services.agencies.lists import parse_column_map, read_agency_list
from casework.services.agencies.matching import has_registry
from casework.services.agencies.registry_import import import_agency_list

DATA = Path(__file__).parent / "data"
PH_COLUMNS = (
    "licence_number=License No.,name=Agency Name,status=License Status,status_date=Status Date,"
    "valid_until=Validity,address=Official Address,phone=Telephone,"
    "representative=Official Representative"
)
DEMO_LISTS = (
    ("NP", "Demo DoFE list 2026-01 (invented agencies)", "demo_np_2026-01.csv", ""),
    ("NP", "Demo DoFE list 2026-11 (invented agencies)", "demo_np_2026-11.csv", ""),
    ("PH", "Demo DMW list 2026-10 (invented agencies)", "demo_ph_2026-10.csv", PH_COLUMNS),
)


def load_demo_agency_lists() -> int:
    """Import the demo lists for each country whose registry is still empty; returns how many
    lists were imported (0 on a second run: nothing is imported twice)."""
    actor = SystemActor("demo")
    empty = {country for country, *_ in DEMO_LISTS if not has_registry(country)}
    imported = 0
    for country, source, filename, columns in DEMO_LISTS:
        if country not in empty:
            continue
        parsed = read_agency_list((DATA / filename).read_bytes(), parse_column_map(columns))
        import_agency_list(actor, country, source, parsed)
        imported += 1
    return imported
