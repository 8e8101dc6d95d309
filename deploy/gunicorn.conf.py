"""gunicorn for production: `gunicorn -c deploy/gunicorn.conf.py wsgi:app` (what `make serve` runs).

Why gthread: the TLS proxy streams request bodies straight through (buffering would write
plaintext evidence to the proxy's disk), so a worker on a 2G phone holds its server slot for
the whole upload — a 1 MB photo at 30 KB/s is half a minute. A sync worker does nothing else
meanwhile: a handful of slow uploads take every worker and fast requests queue behind them
(bench/slow_clients.py measures it). gthread serves each connection on a thread from a pool;
a thread waiting on a slow socket costs a few hundred KB and no CPU, and the CPU-heavy parts
(argon2id, AES-GCM, SHA-256) release the GIL. So: few processes (about one per core), many
threads each.

Every setting can be changed from the environment (defaults in brackets):
  CASEWORK_BIND           [127.0.0.1:8000]   where the proxy reaches this node
  WEB_CONCURRENCY         [CPU count]        worker processes
  CASEWORK_THREADS        [64]               threads per worker = concurrent requests per worker
  CASEWORK_WORKER_TIMEOUT [60]               s without a heartbeat before a worker is replaced
  CASEWORK_GRACEFUL_SECONDS [120]            s an in-flight upload may take to finish on restart
"""

from __future__ import annotations

import os

bind = os.environ.get("CASEWORK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() or 2)))
worker_class = "gthread"
threads = int(os.environ.get("CASEWORK_THREADS", "64"))
# gthread: the heartbeat comes from the worker's main loop, not from each request, so a long
# slow upload never trips it; only a wedged process does.
timeout = int(os.environ.get("CASEWORK_WORKER_TIMEOUT", "60"))
# On SIGTERM or a reload, requests in flight (a worker's upload on a slow link) may finish.
graceful_timeout = int(os.environ.get("CASEWORK_GRACEFUL_SECONDS", "120"))
keepalive = 5  # the proxy keeps connections open; short enough not to pin threads for long
# Connections waiting for a thread beyond workers * threads queue here (then the kernel's).
backlog = 2048
# The app opens its key ring and database pool in each worker, after the fork.
preload_app = False
# Headers and request line stay within gunicorn's defaults (4094 bytes a line, 100 headers).
limit_request_line = 4094
limit_request_fields = 100
# No gunicorn access log: its lines carry the full path and query string (case references).
# The app writes one JSON access line per request with the route's template instead
# (casework/json_logging.py, CASEWORK_LOG_FORMAT=json).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("CASEWORK_LOG_LEVEL", "info").lower()
# gunicorn's own messages as JSON lines too. The root logger gets no handler here: the app
# installs its JSON handler there in each worker (CASEWORK_LOG_FORMAT=json).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "casework.json_logging.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "WARNING", "handlers": []},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
proc_name = "casework"
# No control socket: nothing here uses it, and nodes sharing a host would share its path.
control_socket_disable = True
