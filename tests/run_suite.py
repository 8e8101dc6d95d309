"""`make test`: the whole suite on SQLite and, side by side, on a throwaway PostgreSQL cluster.

Browser tests run when /usr/bin/chromium exists, once, in the SQLite run; the PostgreSQL run
happens when initdb and pg_ctl exist. Anything skipped is said plainly at the end, and the exit code is non-zero if any
run failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pg_cluster import find_pg_bin, throwaway_cluster  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")


@dataclass
class _Run:
    label: str
    process: subprocess.Popen[bytes]
    report: Path
    log: Path
    output: IO[str]


def _start(label: str, env: dict[str, str], extra: list[str], folder: Path) -> _Run:
    """Start one pytest run in the background, its output going to a file."""
    report = folder / f"{label}.xml"
    output = (folder / f"{label}.log").open("w")
    command = [
        *(sys.executable, "-m", "pytest", "-q", f"--junitxml={report}", "--durations=15"),
        *extra,
        *sys.argv[1:],
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    print(f"started: {label}", flush=True)
    return _Run(label, process, report, folder / f"{label}.log", output)


def _finish(run: _Run) -> tuple[str, int, dict[str, int]]:
    code = run.process.wait()
    run.output.close()
    print(f"\n===== {run.label} =====", flush=True)
    print(run.log.read_text(encoding="utf-8", errors="replace"), flush=True)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if run.report.exists():
        root = ET.parse(run.report).getroot()  # noqa: S314 - our own pytest report
        suite = root if root.tag == "testsuite" else root.find("testsuite")
        for key in counts if suite is not None else ():
            counts[key] = int(suite.get(key, 0))
    return run.label, code, counts


def main() -> int:
    skipped_runs = []
    marker: list[str] = []
    if not CHROMIUM.exists():
        marker = ["-m", "not browser"]
        skipped_runs.append("browser tests: /usr/bin/chromium is not installed")
    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    results = []
    # The two databases run side by side (one pytest process each, so two cores are used);
    # each run's output is printed whole when it ends.
    with tempfile.TemporaryDirectory() as name, ExitStack() as stack:
        folder = Path(name)
        runs = [_start("SQLite", base_env, marker, folder)]
        if find_pg_bin() is None:
            skipped_runs.append("PostgreSQL run: initdb/pg_ctl are not installed")
        else:
            url = stack.enter_context(throwaway_cluster())
            env = {**base_env, "DATABASE_URL": url}
            # The browser tests exercise pages, not SQL: they run once, on SQLite, so the
            # PostgreSQL run spends its core on the database-facing tests.
            runs.append(_start("PostgreSQL", env, ["-m", "not browser"], folder))
            skipped_runs.append("browser tests on PostgreSQL: they run on SQLite only")
        results = [_finish(run) for run in runs]
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
