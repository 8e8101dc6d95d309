"""Health probes for load balancers and monitoring: /healthz (alive) and /readyz (ready)."""

from flask import Blueprint

from casework.extensions import limiter

bp = Blueprint("health", __name__)
limiter.exempt(bp)  # polled every few seconds by every load balancer: never throttled

from casework.blueprints.health import views  # noqa: E402,F401
