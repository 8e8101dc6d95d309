"""Run every benchmark, then print one summary table with the machine facts (`make bench`).

Budgets (DESIGN §8) are reported, not enforced: a missed budget is a finding for the lead, and
the exit status stays 0. The exit status is 1 only if a benchmark could not run or saw a
functional failure (an upload refused, plaintext on disk, a request that did not succeed).
The figures are also written to bench/results/latest.json (not in git).

    .venv/bin/python bench/run_all.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import encryption
import intake_throughput
import stalled_scan
import upload_memory
from gunicorn_server import BENCH_DIR, exit_cleanly_on_sigterm, stop_after
from machine_facts import machine_facts


def _verdict(result: dict[str, Any]) -> str:
    if "error" in result:
        return "ERROR"
    if not result.get("functional_ok", True):
        return "FAILED"
    return "within budget" if result["ok"] else "MISSES BUDGET"


def _rows(results: dict[str, dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    rows = []
    enc = results["encryption"]
    if "error" not in enc:
        rates = enc["rates_mb_s"]
        rows.append(
            (
                "evidence encryption",
                f"{enc['ratio']:.2f} x raw AES-GCM ({rates['StreamEncryptor']:.0f} / "
                f"{rates['raw AES-GCM']:.0f} MB/s)",
                f">= {enc['budget']}",
                _verdict(enc),
            )
        )
        rows.append(
            (
                "  (informational)",
                f"{enc['ratio_vs_aes_sha256']:.2f} x AES-GCM + SHA-256 floor",
                "",
                "",
            )
        )
    up = results["upload memory"]
    if "error" not in up:
        rows.append(
            (
                "100 MiB upload, worker peak RSS",
                f"+{up['growth_mib']:.1f} MiB (HTTP {up['status']}, "
                f"plaintext {'FOUND' if up['plaintext_found'] else 'not found'})",
                f"< {up['budget_mib']} MiB",
                _verdict(up),
            )
        )
    intake = results["intake throughput"]
    if "error" not in intake:
        rates = intake["rates"]
        rows.append(
            (
                "intake API vs bare insert",
                f"{intake['ratio']:.3f} ({rates['casework']:.1f} / {rates['bare']:.1f} req/s; "
                f"{intake['cpu_ratio']:.3f} by server CPU)",
                f">= {intake['budget']}",
                _verdict(intake),
            )
        )
        rows.append(
            (
                "  (informational) cheap argon2",
                f"{intake['ratio_cheap_argon2']:.3f} ({rates['casework_cheap']:.1f} / "
                f"{rates['bare']:.1f} req/s)",
                "",
                "",
            )
        )
        rows.append(
            (
                "  (informational) vs bare + argon2",
                f"{intake['ratio_vs_bare_argon2']:.3f} ({rates['casework']:.1f} / "
                f"{rates['bare_argon2']:.1f} req/s)",
                "",
                "",
            )
        )
    stalled = results.get("stalled scan", {})
    for backend, figures in stalled.get("backends", {}).items():
        if "skipped" in figures:
            rows.append((f"stalled scan, {backend}", figures["skipped"], "", "skipped"))
            continue
        first, steady = figures["first"]["median_s"], figures["steady"]["median_s"]
        rows.append(
            (
                f"stalled scan, {backend}",
                f"{first:.2f} s, {stalled['due']:,} due of {stalled['cases']:,} "
                f"({first / stalled['budget_s']:.2f} x budget); nothing due {steady * 1000:.0f} ms",
                f"< {stalled['budget_s']:.0f} s",
                _verdict(figures),
            )
        )
    for name, result in results.items():
        if "error" in result:
            rows.append((name, result["error"][:60], "", "ERROR"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs, for trying changes")
    args = parser.parse_args()
    exit_cleanly_on_sigterm()
    stop_after(30 * 60)
    facts = machine_facts()
    print("machine")
    for key, value in facts.items():
        print(f"  {key:<12} {value}")
    benchmarks: dict[str, Callable[[], dict[str, Any]]] = {
        "encryption": lambda: encryption.run(
            mib=64 if args.quick else 256, repeats=3 if args.quick else 5
        ),
        "upload memory": lambda: upload_memory.run(mib=100),
        "intake throughput": lambda: intake_throughput.run(
            seconds=5 if args.quick else 10, rounds=1 if args.quick else 3
        ),
        "stalled scan": lambda: stalled_scan.run(
            cases=100_000 if args.quick else 1_000_000, repeats=1 if args.quick else 3
        ),
    }
    results: dict[str, dict[str, Any]] = {}
    started = time.time()
    for name, bench in benchmarks.items():
        print()
        try:
            results[name] = bench()
        except Exception as exc:  # report it and go on with the other benchmarks
            traceback.print_exc()
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    rows = _rows(results)
    print()
    print(f"summary ({time.time() - started:.0f} s; ratios against baselines measured in this run)")
    for key in ("nproc", "cpu", "python"):
        print(f"  {key:<8} {facts[key]}")
    table = [("benchmark", "figure", "budget", "verdict"), *rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print(("  " + "  ".join(cells)).rstrip())
    _save(facts, results)
    failed = [name for name, result in results.items() if _verdict(result) in ("ERROR", "FAILED")]
    return 1 if failed else 0


def _save(facts: dict[str, str], results: dict[str, dict[str, Any]]) -> None:
    folder = BENCH_DIR / "results"
    folder.mkdir(exist_ok=True)
    document = {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": facts, "results": results}
    (folder / "latest.json").write_text(json.dumps(document, indent=2, default=str) + "\n")


if __name__ == "__main__":
    sys.exit(main())
