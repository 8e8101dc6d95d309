"""Security headers on every response."""

from __future__ import annotations

from flask import Response, current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Two years: browsers then refuse plain HTTP to this host (and its subdomains) even on a
# first visit typed without https://, so a network on the way cannot strip TLS.
HSTS = "max-age=63072000; includeSubDomains"


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if not current_app.config["DEMO"]:  # demo mode serves plain http://127.0.0.1
        headers.setdefault("Strict-Transport-Security", HSTS)
    # Worker pages and case data must never sit in a shared or back-button cache.
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response
