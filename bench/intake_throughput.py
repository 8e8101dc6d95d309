"""Intake API throughput against a bare Flask + SQLite insert endpoint, same server, same load.

Four gunicorn servers (2 sync workers each, 127.0.0.1, each with its own temporary folder):
- the bare endpoint (bench/bare_app.py): the baseline of the budget;
- casework with its production defaults, including the argon2id cost of the follow-up secret
  (SECRET_HASH_* in casework/config.py): the figure the budget is about;
- casework with a cheap argon2id (time cost 1, 4 MiB) set in instance/config.py, and
- the bare endpoint plus one argon2id hash at the production cost,
so the lead can see how much of the gap is the deliberate cost of the hash.
Both casework instances set RATELIMIT_ENABLED = False in instance/config.py: the API allows 10
complaints a minute per address, and every request here comes from 127.0.0.1.

The load generator is this process: N threads, each with one http.client connection (kept alive
when the server allows it; gunicorn's sync workers close after each response, for every target
alike), POSTing the same realistic JSON complaint. Each measurement stops after a fixed number of
requests or seconds, whichever comes first. Rounds are interleaved across the targets; each
target's best round counts. Budget: casework (production defaults) >= 40 % of bare, in requests
per second. The same ratios are also given from the server's CPU time per request (read from
/proc), which other load on the machine disturbs less than wall-clock rates.

    .venv/bin/python bench/intake_throughput.py [--threads 4] [--requests 3000] [--seconds 10]
                                                [--rounds 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import statistics
import sys
import threading
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from gunicorn_server import (
    BENCH_DIR,
    CASEWORK_APP,
    CASEWORK_ARGS,
    HOST,
    Server,
    cpu_seconds,
    exit_cleanly_on_sigterm,
    gunicorn,
    prepare_casework_instance,
    scratch_folder,
    server_env,
    stop_after,
)
from machine_facts import print_machine_facts

from casework.config import build_config
from tests.conftest import complaint_payload

BUDGET = 0.4
CHEAP_TIME_COST, CHEAP_MEMORY_KIB = 1, 4096
NO_RATE_LIMIT = "RATELIMIT_ENABLED = False\n"
CHEAP_HASH = (
    f"SECRET_HASH_TIME_COST = {CHEAP_TIME_COST}\nSECRET_HASH_MEMORY_KIB = {CHEAP_MEMORY_KIB}\n"
)
API_PATH = "/api/v1/complaints"
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass
class Load:
    seconds: float
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    @property
    def created(self) -> int:
        return self.statuses[201]

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu / self.created * 1000 if self.created else float("nan")

    def latency_ms(self, quantile: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100)[quantile - 1] * 1000


def hammer(
    server: Server, path: str, body: bytes, threads: int, requests: int, seconds: float
) -> Load:
    """POST `body` from `threads` threads until `requests` were sent or `seconds` passed."""
    tickets = itertools.count()  # next() on it is atomic under the GIL
    merge = threading.Lock()
    deadline = time.perf_counter() + seconds
    load = Load(seconds=0.0)

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, server.port, timeout=120)
        statuses: Counter[int] = Counter()
        latencies, errors = [], []
        try:
            while next(tickets) < requests and time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    connection.request("POST", path, body=body, headers=HEADERS)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    connection.close()  # reconnects on the next request
                    continue
                latencies.append(time.perf_counter() - started)
                statuses[response.status] += 1
        finally:
            connection.close()
            with merge:
                load.statuses.update(statuses)
                load.latencies.extend(latencies)
                load.errors.extend(errors)

    workers = server.worker_pids()
    server_cpu = cpu_seconds(workers)
    client_cpu = time.process_time()
    started = time.perf_counter()
    pool = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    load.seconds = time.perf_counter() - started
    load.client_cpu = (time.process_time() - client_cpu) / load.seconds
    load.server_cpu = cpu_seconds(workers) - server_cpu
    return load


@dataclass
class Target:
    key: str
    name: str
    server: Server
    path: str = "/complaints"
    best: Load | None = None
    failures: list[str] = field(default_factory=list)

    def record(self, load: Load) -> None:
        odd = {status: n for status, n in load.statuses.items() if status != 201}
        if odd or load.errors:
            self.failures.append(f"statuses {odd}, errors {load.errors[:3]}")
        if self.best is None or load.rate > self.best.rate:
            self.best = load


def argon2_ms(time_cost: int, memory_kib: int, parallelism: int, repeats: int = 5) -> float:
    """Milliseconds for one argon2id hash with these settings, best of `repeats`, in this process."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        hasher.hash("0" * 64)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _start_casework(stack: ExitStack, work: Path, workers: int, config_py: str) -> Server:
    instance = work / "instance"
    env = server_env(CASEWORK_INSTANCE_PATH=str(instance))
    prepare_casework_instance(instance, env, config_py=config_py)
    return stack.enter_context(
        gunicorn(
            CASEWORK_APP,
            env,
            work,
            workers=workers,
            ready_path="/api/v1/openapi.json",
            extra_args=CASEWORK_ARGS,
        )
    )


def _start_bare(stack: ExitStack, work: Path, workers: int, argon2: str = "") -> Server:
    env = server_env(BARE_DB_PATH=str(work / "bare.db"), BARE_ARGON2=argon2)
    return stack.enter_context(
        gunicorn(
            "bare_app:create_app()",
            env,
            work,
            workers=workers,
            ready_path="/health",
            extra_args=["--pythonpath", str(BENCH_DIR)],
        )
    )


def _targets(stack: ExitStack, workers: int, hash_settings: tuple[int, int, int]) -> list[Target]:
    time_cost, memory_kib, parallelism = hash_settings
    production = f"t={time_cost} m={memory_kib // 1024} MiB"
    cheap = f"t={CHEAP_TIME_COST} m={CHEAP_MEMORY_KIB // 1024} MiB"
    folder = [stack.enter_context(scratch_folder(f"intake-{n}")) for n in range(4)]
    return [
        Target("bare", "bare Flask + SQLite insert", _start_bare(stack, folder[0], workers)),
        Target(
            "bare_argon2",
            f"bare insert + argon2id {production}",
            _start_bare(stack, folder[1], workers, f"{time_cost},{memory_kib},{parallelism}"),
        ),
        Target(
            "casework",
            f"casework, argon2id {production} (default)",
            _start_casework(stack, folder[2], workers, NO_RATE_LIMIT),
            API_PATH,
        ),
        Target(
            "casework_cheap",
            f"casework, argon2id {cheap}",
            _start_casework(stack, folder[3], workers, NO_RATE_LIMIT + CHEAP_HASH),
            API_PATH,
        ),
    ]


def run(
    threads: int = 4, requests: int = 3000, seconds: float = 10.0, rounds: int = 3, workers: int = 2
) -> dict[str, object]:
    defaults = build_config("/nonexistent-instance", {"SECRET_KEY": "x"})
    hash_settings = (
        int(defaults["SECRET_HASH_TIME_COST"]),
        int(defaults["SECRET_HASH_MEMORY_KIB"]),
        int(defaults["SECRET_HASH_PARALLELISM"]),
    )
    body = json.dumps(complaint_payload()).encode()
    print(
        f"intake throughput: POST a {len(body)}-byte JSON complaint; gunicorn {workers} sync "
        f"workers; {threads} client threads; best of {rounds} round(s) of <= {requests} requests "
        f"or {seconds:g} s"
    )
    with ExitStack() as stack:
        targets = _targets(stack, workers, hash_settings)
        for target in targets:  # warm-up: every worker has served a few requests
            warm = hammer(target.server, target.path, body, threads, 8 * workers, 60)
            if warm.created != 8 * workers:
                raise RuntimeError(
                    f"{target.name}: warm-up got {dict(warm.statuses)} {warm.errors[:3]}\n"
                    f"{target.server.log_tail()}"
                )
        for _ in range(rounds):
            for target in targets:
                target.record(hammer(target.server, target.path, body, threads, requests, seconds))
    return _report({target.key: target for target in targets}, hash_settings)


def _report(targets: dict[str, Target], hash_settings: tuple[int, int, int]) -> dict[str, object]:
    best = {key: target.best for key, target in targets.items() if target.best is not None}
    header = f"{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'server CPU ms/req':>19}{'client CPU':>12}"
    print(f"  {'target':<42}{header}")
    for key, load in best.items():
        print(
            f"  {targets[key].name:<42}{load.rate:>8.1f}{load.latency_ms(50):>9.1f}"
            f"{load.latency_ms(95):>9.1f}{load.cpu_ms_per_request:>19.2f}"
            f"{load.client_cpu:>7.2f} cores"
        )

    def ratio(key: str, baseline: str = "bare") -> float:
        return best[key].rate / best[baseline].rate

    def cpu_ratio(key: str, baseline: str = "bare") -> float:
        return best[baseline].cpu_ms_per_request / best[key].cpu_ms_per_request

    main_ratio = ratio("casework")
    verdict = "within budget" if main_ratio >= BUDGET else "MISSES BUDGET"
    lines = [
        ("casework (production argon2) / bare", main_ratio, cpu_ratio("casework"), ""),
        (
            "casework (cheap argon2) / bare",
            ratio("casework_cheap"),
            cpu_ratio("casework_cheap"),
            f"SECRET_HASH_TIME_COST={CHEAP_TIME_COST}, SECRET_HASH_MEMORY_KIB={CHEAP_MEMORY_KIB}",
        ),
        (
            "casework (production) / bare + argon2",
            ratio("casework", "bare_argon2"),
            cpu_ratio("casework", "bare_argon2"),
            "the intake apart from the hash",
        ),
    ]
    print(f"  {'ratio':<42}{'by req/s':>10}{'by server CPU':>15}")
    for label, by_rate, by_cpu, note in lines:
        print(f"  {label:<42}{by_rate:>10.3f}{by_cpu:>15.3f}  {note}".rstrip())
    print(f"  budget: casework (production argon2) / bare by req/s >= {BUDGET}: {verdict}")
    time_cost, memory_kib, parallelism = hash_settings
    print(
        f"  one argon2id hash in this process: {argon2_ms(time_cost, memory_kib, parallelism):.1f} "
        f"ms (production), {argon2_ms(CHEAP_TIME_COST, CHEAP_MEMORY_KIB, parallelism):.1f} ms (cheap)"
    )
    failures = [f"{t.name}: {failure}" for t in targets.values() for failure in t.failures]
    for failure in failures:
        print(f"  NOT ALL REQUESTS SUCCEEDED: {failure}")
    return {
        "rates": {key: load.rate for key, load in best.items()},
        "cpu_ms_per_request": {key: load.cpu_ms_per_request for key, load in best.items()},
        "ratio": main_ratio,
        "ratio_cheap_argon2": ratio("casework_cheap"),
        "ratio_vs_bare_argon2": ratio("casework", "bare_argon2"),
        "cpu_ratio": cpu_ratio("casework"),
        "budget": BUDGET,
        "ok": main_ratio >= BUDGET,
        "functional_ok": not failures,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=4, help="client threads (4)")
    parser.add_argument("--requests", type=int, default=3000, help="max requests per round (3000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="max seconds per round (10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, best counts (3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    args = parser.parse_args()
    exit_cleanly_on_sigterm()
    stop_after(20 * 60)
    print_machine_facts()
    result = run(args.threads, args.requests, args.seconds, args.rounds, args.workers)
    return 0 if result["functional_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
