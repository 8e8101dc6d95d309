"""What matching one agency name to a registry costs (budget: < 50 ms against 10,000 entries).

A synthetic registry of `--entries` agencies (invented names) is imported into a fresh SQLite
instance; then `--names` names as workers might write them (legal form dropped, a word
misspelt, another word order, an unknown name) are matched one at a time through
`match_agency` (licence lookup, taught aliases, rapidfuzz WRatio over every name and alias
of the country). The baseline is the plain way: WRatio over every name, no database. The first match of a process also reads the country's names from the
database (cold); later ones only check that the registry is unchanged (warm). Printed: median
and worst milliseconds, cold and warm, and the ratio to the budget. Printed, never asserted.

    .venv/bin/python bench/agency_match.py [--entries 10000] [--names 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agency_registry_data import bench_app, csv_bytes, registry_rows  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

BUDGET_MS = 50.0


def _as_a_worker_writes(name: str, rng: random.Random) -> str:
    words = [w for w in name.split() if w not in ("Pvt.", "Ltd.", "Private", "Limited", "Inc.")]
    kind = rng.randrange(4)
    if kind == 0 and len(words) > 1:
        words[0], words[1] = words[1], words[0]
    elif kind == 1:
        i = rng.randrange(len(words))
        word = words[i]
        if len(word) > 3:
            j = rng.randrange(1, len(word) - 1)
            words[i] = word[:j] + word[j + 1 :]
    elif kind == 2:
        words = ["Unknown", "Brothers", "Travel", str(rng.randint(1, 99))]
    return " ".join(words).lower()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--names", type=int, default=200)
    args = parser.parse_args()
    rows = registry_rows(args.entries)
    rng = random.Random(7)
    names = [_as_a_worker_writes(rng.choice(rows)["name"], rng) for _ in range(args.names)]

    from casework.extensions import db
    from casework.models import Agency
    from casework.services.actors import SystemActor
    from casework.services.agencies import matching
    from casework.services.agencies.lists import read_agency_list
    from casework.services.agencies.registry_import import import_agency_list

    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(Path(tmp))
        with app.app_context():
            import_agency_list(
                SystemActor("bench"), "NP", "bench", read_agency_list(csv_bytes(rows))
            )
            timings, proposed = [], 0
            matching._CACHE.clear()
            for name in names:
                agency = Agency(name=name, name_key=name, licence_number="", country="NP")
                started = time.perf_counter()
                matching.match_agency(agency)
                timings.append((time.perf_counter() - started) * 1000)
                proposed += bool(agency.candidates)
                db.session.expunge_all()
            # Baseline: the plain way, rapidfuzz's WRatio over every name, on the same names.
            keys = list(matching._choices("NP").keys)
            baseline = []
            for name in names:
                started = time.perf_counter()
                process.extract(name, keys, scorer=fuzz.WRatio, score_cutoff=80, limit=12)
                baseline.append((time.perf_counter() - started) * 1000)
    cold, warm = timings[0], timings[1:]
    print(f"registry {args.entries:,} entries, {args.names} names ({proposed} with candidates)")
    print(f"cold (first name, names read)  {cold:7.1f} ms  budget ratio {cold / BUDGET_MS:.2f}")
    print(
        f"warm median {statistics.median(warm):6.1f} ms  worst {max(warm):6.1f} ms  "
        f"budget ratio (worst) {max(warm) / BUDGET_MS:.2f}"
    )
    print(
        f"baseline (WRatio over all names, no database) median {statistics.median(baseline):6.1f} ms"
        f"  ratio warm/baseline {statistics.median(warm) / statistics.median(baseline):.2f}"
    )


if __name__ == "__main__":
    main()
