"""`make test`: the whole suite on SQLite, then again on a throwaway PostgreSQL cluster.

Browser tests run when /usr/bin/chromium exists; the PostgreSQL run happens when initdb and
pg_ctl exist. Anything skipped is said plainly at the end, and the exit code is non-zero if any
run failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pg_cluster import find_pg_bin, throwaway_cluster  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")


def _pytest(
    label: str, env: dict[str, str], extra: list[str], report: Path
) -> tuple[int, dict[str, int]]:
    print(f"\n===== {label} =====", flush=True)
    command = [sys.executable, "-m", "pytest", "-q", f"--junitxml={report}", *extra, *sys.argv[1:]]
    code = subprocess.run(command, cwd=ROOT, env=env).returncode
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if report.exists():
        root = ET.parse(report).getroot()  # noqa: S314 - our own pytest report
        suite = root if root.tag == "testsuite" else root.find("testsuite")
        for key in counts if suite is not None else ():
            counts[key] = int(suite.get(key, 0))
    return code, counts


def main() -> int:
    skipped_runs = []
    marker: list[str] = []
    if not CHROMIUM.exists():
        marker = ["-m", "not browser"]
        skipped_runs.append("browser tests: /usr/bin/chromium is not installed")
    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(
            ("SQLite", *_pytest("SQLite", base_env, marker, Path(folder) / "sqlite.xml"))
        )
        if find_pg_bin() is None:
            skipped_runs.append("PostgreSQL run: initdb/pg_ctl are not installed")
        else:
            with throwaway_cluster() as url:
                env = {**base_env, "DATABASE_URL": url}
                results.append(
                    ("PostgreSQL", *_pytest("PostgreSQL", env, marker, Path(folder) / "pg.xml"))
                )
    print("\n===== summary =====")
    passed = failed = skipped = 0
    for label, code, counts in results:
        bad = counts["failures"] + counts["errors"]
        ok = counts["tests"] - bad - counts["skipped"]
        passed, failed, skipped = passed + ok, failed + bad, skipped + counts["skipped"]
        print(f"{label}: {ok} passed, {bad} failed, {counts['skipped']} skipped (exit {code})")
    for reason in skipped_runs:
        print(f"SKIPPED {reason}")
    print(f"suite: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if all(code == 0 for _, code, _ in results) and results else 1


if __name__ == "__main__":
    sys.exit(main())
