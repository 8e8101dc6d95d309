"""/healthz and /readyz: JSON, no cookies, no rate limit, nothing personal.

/healthz answers as long as the process can run a view: it touches no dependency, so a load
balancer never restarts a healthy process because the database is down. /readyz runs the
readiness checks and answers 503 with the names of the failed ones, so traffic goes elsewhere
until they pass again.
"""

from __future__ import annotations

from flask import jsonify
from werkzeug.wrappers import Response

from casework.blueprints.health import bp
from casework.outages import RETRY_AFTER_SECONDS
from casework.services.health.readiness import check_readiness

PROBE_RETRY_AFTER = min(RETRY_AFTER_SECONDS, 10)  # a probe may well succeed again soon


def _probe(body: dict[str, object], status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    return _probe({"status": "alive"}, 200)


@bp.get("/readyz")
def readyz() -> Response:
    readiness = check_readiness()
    if readiness.ready:
        return _probe({"status": "ready", "checks": readiness.checks}, 200)
    response = _probe({"status": "unavailable", "checks": readiness.checks}, 503)
    response.headers["Retry-After"] = str(PROBE_RETRY_AFTER)
    return response
