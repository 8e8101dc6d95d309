"""Slow mobile uploads must not starve everyone else (DESIGN §8): 50 clients upload a complaint
with a photo at 2G speed (~30 KB/s) while 10 fast clients lodge complaints; the fast clients'
p95 latency must stay under 2 s.

Two servers, one after the other, same load, same machine:
- sync:    gunicorn's sync workers, 2 × CPUs + 1 of them (gunicorn's own advice);
- gthread: deploy/gunicorn.conf.py as production runs it (its workers, threads and timeouts).
Each runs casework (`wsgi:app`) on a fresh throwaway PostgreSQL cluster (SQLite with --sqlite,
or when PostgreSQL is not installed) with the production argon2id cost and rate limits off (every client here is 127.0.0.1). The slow clients start first, each
sending its multipart body in 3 KB pieces every 0.1 s and starting over when answered; two
seconds later the fast clients start POSTing JSON complaints in a closed loop. The run ends
after --seconds; latency is the fast clients' time from sending to a full answer.

    .venv/bin/python bench/slow_clients.py [--seconds 20] [--slow 50] [--fast 10] [--only gthread]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import runpy
import statistics
import sys
import threading
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field

from gunicorn_server import (
    CASEWORK_APP,
    CASEWORK_ARGS,
    HOST,
    REPO_DIR,
    cpu_seconds,
    create_casework_schema,
    exit_cleanly_on_sigterm,
    gunicorn,
    scratch_folder,
    server_env,
    stop_after,
)
from machine_facts import print_machine_facts
from upload_memory import png_header

from tests.conftest import complaint_payload
from tests.pg_cluster import find_pg_bin, throwaway_cluster

BUDGET_P95_S = 2.0
API_PATH = "/api/v1/complaints"
BOUNDARY = "casework-slow-client-5e1c"
PIECE = 3 * 1024  # bytes per send
PAUSE = 0.1  # seconds between sends: ~30 KB/s
PHOTO_BYTES = 200 * 1024
CONFIG_FILE = REPO_DIR / "deploy" / "gunicorn.conf.py"


def multipart_complaint(photo: bytes) -> bytes:
    complaint = json.dumps(complaint_payload()).encode()
    return b"".join(
        [
            f"--{BOUNDARY}\r\n".encode(),
            b'Content-Disposition: form-data; name="complaint"\r\n',
            b"Content-Type: application/json\r\n\r\n",
            complaint,
            f"\r\n--{BOUNDARY}\r\n".encode(),
            b'Content-Disposition: form-data; name="evidence"; filename="photo.png"\r\n',
            b"Content-Type: image/png\r\n\r\n",
            photo,
            f"\r\n--{BOUNDARY}--\r\n".encode(),
        ]
    )


@dataclass
class Tally:
    fast_latencies: list[float] = field(default_factory=list)
    fast_statuses: Counter[int] = field(default_factory=Counter)
    slow_statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def slow_client(port: int, body: bytes, until: float, tally: Tally) -> None:
    while time.monotonic() < until:
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        try:
            connection.putrequest("POST", API_PATH)
            connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders()
            for start in range(0, len(body), PIECE):
                connection.send(body[start : start + PIECE])
                time.sleep(PAUSE)
            response = connection.getresponse()
            response.read()
            with tally.lock:
                tally.slow_statuses[response.status] += 1
        except OSError as error:
            with tally.lock:
                tally.errors[f"slow {type(error).__name__}"] += 1
        finally:
            connection.close()


def fast_client(port: int, body: bytes, until: float, tally: Tally) -> None:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    while time.monotonic() < until:
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        started = time.perf_counter()
        try:
            connection.request("POST", API_PATH, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with tally.lock:
                tally.fast_statuses[response.status] += 1
                if response.status == 201:
                    tally.fast_latencies.append(elapsed)
        except OSError as error:
            with tally.lock:
                tally.errors[f"fast {type(error).__name__}"] += 1
        finally:
            connection.close()


def quantile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def production_settings() -> dict[str, int]:
    settings = runpy.run_path(str(CONFIG_FILE))
    return {"workers": int(settings["workers"]), "threads": int(settings["threads"])}


def run_one(kind: str, seconds: float, slow: int, fast: int, postgres: bool) -> dict[str, object]:
    with ExitStack() as stack:
        work = stack.enter_context(scratch_folder(f"slow-{kind}"))
        instance = work / "instance"
        if postgres:
            database_url = stack.enter_context(throwaway_cluster(f"slow_{kind}"))
        else:
            database_url = f"sqlite:///{instance / 'casework.db'}"
        env = server_env(CASEWORK_INSTANCE_PATH=str(instance), DATABASE_URL=database_url)
        create_casework_schema(instance, database_url, "RATELIMIT_ENABLED = False\n")
        extra: list[str] = []
        options: dict[str, object] = {"worker_class": "sync"}
        workers = 2 * (os.cpu_count() or 1) + 1
        if kind == "gthread":
            # The config file as production reads it; the helper's own socket and the worker
            # class, count and threads (read from that same file) are given on the command line.
            settings = production_settings()
            extra = ["-c", str(CONFIG_FILE)]
            workers = settings["workers"]
            options = {"worker_class": "gthread", "threads": settings["threads"]}
        photo = png_header() + os.urandom(PHOTO_BYTES - len(png_header()))
        slow_body = multipart_complaint(photo)
        fast_body = json.dumps(complaint_payload()).encode()
        tally = Tally()
        with gunicorn(
            CASEWORK_APP,
            env,
            work,
            workers=workers,
            ready_path="/api/v1/openapi.json",
            extra_args=[*CASEWORK_ARGS, *extra],
            **options,  # type: ignore[arg-type]
        ) as server:
            pids = [server.master_pid, *server.worker_pids()]
            cpu_before, wall_before = cpu_seconds(pids), time.monotonic()
            until = time.monotonic() + seconds
            threads = [
                threading.Thread(target=slow_client, args=(server.port, slow_body, until, tally))
                for _ in range(slow)
            ]
            for number, thread in enumerate(threads):
                thread.start()
                time.sleep(1.0 / slow * (number % 2))  # spread the starts over ~1 s
            time.sleep(2.0)  # the slow uploads now hold their connections
            fast_threads = [
                threading.Thread(target=fast_client, args=(server.port, fast_body, until, tally))
                for _ in range(fast)
            ]
            for thread in fast_threads:
                thread.start()
            for thread in threads + fast_threads:
                thread.join(timeout=seconds + 180)
            server_cpu = cpu_seconds(pids) - cpu_before
            wall = time.monotonic() - wall_before
        lodged = tally.fast_statuses[201] + tally.slow_statuses[201]
        latencies = tally.fast_latencies
        return {
            "server": kind,
            "database": "postgresql" if postgres else "sqlite",
            "workers": workers,
            "threads": options.get("threads", 1),
            "fast_answered": len(latencies),
            "fast_p50_s": round(quantile(latencies, 50), 3),
            "fast_p95_s": round(quantile(latencies, 95), 3),
            "fast_max_s": round(max(latencies), 3) if latencies else None,
            "fast_statuses": dict(tally.fast_statuses),
            "slow_uploads_answered": dict(tally.slow_statuses),
            "errors": dict(tally.errors),
            # Saturation: CPU the server used per second of the run, and per complaint.
            "server_cores_busy": round(server_cpu / wall, 2),
            "server_cpu_ms_per_complaint": round(server_cpu / lodged * 1000, 1) if lodged else None,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--slow", type=int, default=50)
    parser.add_argument("--fast", type=int, default=10)
    parser.add_argument("--only", choices=["sync", "gthread"])
    parser.add_argument(
        "--sqlite", action="store_true", help="SQLite instead of a throwaway PostgreSQL cluster"
    )
    args = parser.parse_args()
    exit_cleanly_on_sigterm()
    stop_after(int(args.seconds * 2 + 600))
    print_machine_facts()
    kinds = [args.only] if args.only else ["sync", "gthread"]
    postgres = not args.sqlite and find_pg_bin() is not None
    results = [run_one(kind, args.seconds, args.slow, args.fast, postgres) for kind in kinds]
    failed = False
    for result in results:
        print(json.dumps(result))
        p95 = result["fast_p95_s"]
        verdict = "within" if isinstance(p95, float) and p95 < BUDGET_P95_S else "OVER"
        print(
            f"{result['server']}: fast clients' p95 {p95} s — {verdict} the {BUDGET_P95_S} s budget"
        )
        failed = failed or bool(result["errors"]) and result["server"] == "gthread"
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
