"""Load on two app nodes (DESIGN §8): 300 complaints with a 200 KB photo each from 30
concurrent clients, spread over two gunicorn nodes (deploy/gunicorn.conf.py: gthread) on one
throwaway PostgreSQL cluster; with --s3, evidence goes to a local S3-compatible server
(moto's, tests/s3_server.py) instead of the filesystem.

Figures: 0 lost (every complaint read back: its status through the worker API of the *other*
node, its photo decrypted through the same service the staff download uses, in this process on
the same database, key ring and store, and its SHA-256 compared with what was sent); latency
p50/p95/p99; throughput as a ratio to the same two servers (same gunicorn settings, same
cluster, same bodies) running bench/bare_app.py: read the request, one argon2id hash at the
production cost, one INSERT (budget >= 0.6). Rate limits are off (every client is 127.0.0.1).

casework lodges at most INTAKE_CONCURRENCY complaints at once per process (admission control,
casework/services/intake/admission.py); the bare endpoint has none. For an honest reading the
bench also runs the bare endpoint behind the same number of slots and prints that ratio too.

    .venv/bin/python bench/load_nodes.py [--complaints 300] [--clients 30] [--s3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import random
import runpy
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from gunicorn_server import (
    BENCH_DIR,
    CASEWORK_APP,
    CASEWORK_ARGS,
    REPO_DIR,
    Server,
    cpu_seconds,
    create_casework_schema,
    exit_cleanly_on_sigterm,
    gunicorn,
    request,
    scratch_folder,
    server_env,
    stop_after,
)
from machine_facts import print_machine_facts
from slow_clients import BOUNDARY, multipart_complaint
from upload_memory import png_header

from casework.config import build_config
from tests.pg_cluster import throwaway_cluster

BUDGET = 0.6
API_PATH = "/api/v1/complaints"
CONFIG_FILE = REPO_DIR / "deploy" / "gunicorn.conf.py"
NODE_CONFIG = "RATELIMIT_ENABLED = False\n"


@dataclass
class Sent:
    number: int
    sha256: str
    node: int
    status: int = 0
    latency: float = 0.0
    answer: dict[str, object] = field(default_factory=dict)


@dataclass
class Run:
    sent: list[Sent]
    seconds: float
    errors: Counter[str]
    server_cpu: float = 0.0  # seconds of CPU the servers' processes used during the run

    @property
    def cpu_ms_per_complaint(self) -> float:
        return self.server_cpu / len(self.created) * 1000 if self.created else float("nan")

    @property
    def created(self) -> list[Sent]:
        return [s for s in self.sent if s.status == 201]

    @property
    def rate(self) -> float:
        return len(self.created) / self.seconds if self.seconds else 0.0

    def latency(self, q: int) -> float:
        values = [s.latency for s in self.created]
        if len(values) < 2:
            return float("nan")
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def photo(number: int, size: int) -> bytes:
    head = png_header()
    return head + random.Random(number).randbytes(size - len(head))


def load(servers: list[Server], path: str, complaints: int, clients: int, size: int) -> Run:
    """POST `complaints` multipart complaints from `clients` threads, alternating nodes."""
    jobs: queue.Queue[int] = queue.Queue()
    for number in range(complaints):
        jobs.put(number)
    sent: list[Sent] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}

    def client() -> None:
        while True:
            try:
                number = jobs.get_nowait()
            except queue.Empty:
                return
            picture = photo(number, size)
            body = multipart_complaint(picture)
            record = Sent(number, hashlib.sha256(picture).hexdigest(), number % len(servers))
            started = time.perf_counter()
            try:
                status, answer = request(servers[record.node].port, "POST", path, body, headers)
                record.status, record.latency = status, time.perf_counter() - started
                if status == 201 and answer.startswith(b"{"):
                    record.answer = json.loads(answer)
            except OSError as error:
                with lock:
                    errors[type(error).__name__] += 1
            with lock:
                sent.append(record)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    pids = [pid for server in servers for pid in (server.master_pid, *server.worker_pids())]
    cpu_before = cpu_seconds(pids)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    return Run(sent, seconds, errors, cpu_seconds(pids) - cpu_before)


def read_back(run: Run, servers: list[Server], instance: Path, database_url: str) -> Counter[str]:
    """Every complaint, through the other node's worker API and the evidence service."""
    from casework import create_app
    from casework.extensions import db
    from casework.services.evidence.operations import open_verified_evidence
    from casework.services.keys.case_keys import case_key
    from tests.conftest import case_by_reference

    found: Counter[str] = Counter()
    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        for record in run.created:
            reference, secret = str(record.answer["reference"]), str(record.answer["secret"])
            other = servers[(record.node + 1) % len(servers)]
            status, _ = request(
                other.port, "GET", f"{API_PATH}/{reference}", headers={"X-Complaint-Secret": secret}
            )
            if status != 200:
                found["status not readable"] += 1
                continue
            case = case_by_reference(reference)
            if len(case.evidence) != 1:
                found["photo missing"] += 1
                continue
            digest = hashlib.sha256()
            for chunk in open_verified_evidence(case, case_key(case), case.evidence[0]):
                digest.update(chunk)
            found["intact" if digest.hexdigest() == record.sha256 else "photo differs"] += 1
            db.session.expunge_all()
        db.session.remove()
        db.engine.dispose()
    return found


def two_nodes(
    stack: ExitStack, app: str, env: dict[str, str], work: Path, extra: list[str], ready: str
) -> list[Server]:
    settings = runpy.run_path(str(CONFIG_FILE))
    start: Callable[[], Server] = lambda: stack.enter_context(  # noqa: E731
        gunicorn(
            app,
            env,
            work,
            workers=int(os.environ.get("NODE_WORKERS", "1")),
            ready_path=ready,
            extra_args=["-c", str(CONFIG_FILE), *extra],
            worker_class="gthread",
            threads=int(settings["threads"]),
        )
    )
    return [start(), start()]


def load_bare(env: dict[str, str], work: Path, complaints: int, clients: int, size: int) -> Run:
    """The same load on two nodes running bench/bare_app.py."""
    with ExitStack() as nodes:
        servers = two_nodes(
            nodes, "bare_app:create_app()", env, work, ["--pythonpath", str(BENCH_DIR)], "/health"
        )
        return load(servers, "/complaints", complaints, clients, size)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--complaints", type=int, default=300)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--photo-kb", type=int, default=200)
    parser.add_argument("--s3", action="store_true", help="evidence on a local S3 server")
    args = parser.parse_args()
    exit_cleanly_on_sigterm()
    stop_after(1800)
    print_machine_facts()
    size = args.photo_kb * 1024
    defaults = build_config(str(BENCH_DIR), {"SECRET_KEY": "x"})
    argon2 = ",".join(
        str(defaults[k])
        for k in ("SECRET_HASH_TIME_COST", "SECRET_HASH_MEMORY_KIB", "SECRET_HASH_PARALLELISM")
    )
    with ExitStack() as stack:
        work = stack.enter_context(scratch_folder("nodes"))
        database_url = stack.enter_context(throwaway_cluster("load_nodes"))
        instance = work / "instance"
        extra_env: dict[str, str] = {}
        if args.s3:
            from tests.s3_server import running_s3_server

            s3 = stack.enter_context(running_s3_server())
            extra_env = {
                **s3.environment,
                "CASEWORK_EVIDENCE_STORE": f"s3://{s3.new_bucket()}/evidence",
            }
            os.environ.update(extra_env)  # this process reads the evidence back from there too
        create_casework_schema(instance, database_url, NODE_CONFIG)
        env = server_env(
            CASEWORK_INSTANCE_PATH=str(instance), DATABASE_URL=database_url, **extra_env
        )
        with ExitStack() as nodes:
            servers = two_nodes(
                nodes, CASEWORK_APP, env, work, list(CASEWORK_ARGS), "/api/v1/openapi.json"
            )
            casework = load(servers, API_PATH, args.complaints, args.clients, size)
            checked = read_back(casework, servers, instance, database_url)
        bare_env = server_env(BARE_DATABASE_URL=database_url, BARE_ARGON2=argon2)
        bare = load_bare(bare_env, work, args.complaints, args.clients, size)
        # Informational: the same bare endpoint behind casework's admission control (its
        # lodging slots), so the ratio above can be read as "slots" and "casework's own work".
        gated_env = {**bare_env, "BARE_SLOTS": str(defaults["INTAKE_CONCURRENCY"])}
        gated = load_bare(gated_env, work, args.complaints, args.clients, size)
    lost = args.complaints - checked["intact"]
    result = {
        "complaints": args.complaints,
        "clients": args.clients,
        "photo_kb": args.photo_kb,
        "evidence_store": "s3 (moto)" if args.s3 else "filesystem",
        "statuses": dict(Counter(s.status for s in casework.sent)),
        "client_errors": dict(casework.errors),
        "read_back": dict(checked),
        "lost": lost,
        "p50_s": round(casework.latency(50), 3),
        "p95_s": round(casework.latency(95), 3),
        "p99_s": round(casework.latency(99), 3),
        "casework_per_s": round(casework.rate, 2),
        "bare_per_s": round(bare.rate, 2),
        "bare_statuses": dict(Counter(s.status for s in bare.sent)),
        "ratio": round(casework.rate / bare.rate, 3) if bare.rate else None,
        # Less disturbed by other load than wall-clock rates: the servers' own CPU time.
        "casework_cpu_ms_per_complaint": round(casework.cpu_ms_per_complaint, 1),
        "bare_cpu_ms_per_complaint": round(bare.cpu_ms_per_complaint, 1),
        "cpu_ratio": round(bare.cpu_ms_per_complaint / casework.cpu_ms_per_complaint, 3)
        if casework.created and bare.created
        else None,
        "budget": BUDGET,
        "intake_concurrency": defaults["INTAKE_CONCURRENCY"],
        "bare_with_slots_per_s": round(gated.rate, 2),
        "bare_with_slots_statuses": dict(Counter(s.status for s in gated.sent)),
        "ratio_to_bare_with_slots": round(casework.rate / gated.rate, 3) if gated.rate else None,
    }
    print(json.dumps(result))
    print(
        f"lost {lost} of {args.complaints}; p50 {result['p50_s']} s, p95 {result['p95_s']} s, "
        f"p99 {result['p99_s']} s; {result['casework_per_s']}/s vs bare {result['bare_per_s']}/s "
        f"= {result['ratio']} (budget >= {BUDGET}); by server CPU per complaint "
        f"{result['cpu_ratio']}; against the bare endpoint with the same "
        f"{result['intake_concurrency']} slots per process ({result['bare_with_slots_per_s']}/s) "
        f"{result['ratio_to_bare_with_slots']}"
    )
    return 1 if lost or casework.errors else 0


if __name__ == "__main__":
    sys.exit(main())
