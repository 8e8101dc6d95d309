"""Compressed answers (brotli or gzip, by flask-compress) — and the two things never compressed.

Pages, styles, scripts and JSON are compressed: on a 2G link a worker's page is a third of its
size or less. Never compressed:

1. **Files and streams**: evidence downloads and exports are sent as streams with a
   `Content-Disposition`; they are encrypted or already-compressed media at rest, and
   compressing a decrypted file on its way out would only cost CPU (and leak its
   compressibility). Streamed bodies are left alone (`COMPRESS_STREAMS = False`) and anything
   with a `Content-Disposition` is skipped as well.
2. **Signed-in staff pages** (BREACH). Compression leaks, through the size of the answer, how
   much a page's secret overlaps with text an attacker put in the same page. Staff pages hold
   decrypted identities, stories and notes, some echo query parameters (queue filters), and
   the staff session cookie is `SameSite=Lax`, so a page on another site can make a signed-in
   browser load them by top-level navigation, again and again. They are not compressed; staff
   work on office connections, and their pages are not the budget that matters.

Why the worker's pages may be compressed: what is secret on them — the follow-up secret on the
receipt, the case's messages on the follow-up page — is shown only with the worker's cookies
(`cw_receipt`, `cw_intake`, `cw_followup`), which are `SameSite=Strict`: no request started by
another site carries them, so an attacker can never get the secret into an answer they can
measure. The remaining secret, the CSRF token in every form, is BREACH-resistant as Flask-WTF
makes it: its random part is useless without the HMAC after it, and that HMAC covers a
timestamp, so it changes every second — far faster than the thousands of requests needed to
recover it. As a second line, pages that show the follow-up secret or the case to the worker
(those requests carry `cw_receipt` or `cw_followup`) are sent uncompressed too, should a
browser ignore SameSite; they are small.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress
from flask_login import current_user

compress = Compress()

COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
]
# The worker's cookies that open a page showing the follow-up secret or the case
# (blueprints/intake/cookies.py names them; nothing outside blueprints imports those).
WORKER_SECRET_COOKIES = ("cw_receipt", "cw_followup")


def register_compression(app: Flask) -> None:
    """flask-compress, called only for answers `may_compress` allows. Register this before
    every other `after_request` function: Flask runs them last-registered first, so the
    compression sees the final body."""
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config["COMPRESS_REGISTER"] = False  # our after_request decides, then calls it
    compress.init_app(app)

    def compress_if_allowed(response: Response) -> Response:
        if not may_compress(response):
            response.vary.add("Accept-Encoding")  # the same URL may be compressed for others
            return response
        return compress.after_request(response)

    app.after_request(compress_if_allowed)


def may_compress(response: Response) -> bool:
    if response.is_streamed or "Content-Disposition" in response.headers:
        return False
    if response.mimetype != "text/html":
        return True
    if any(name in request.cookies for name in WORKER_SECRET_COOKIES):
        return False
    return not _staff_signed_in()


def _staff_signed_in() -> bool:
    try:
        return bool(current_user.is_authenticated)
    except Exception:  # noqa: BLE001 - no user loader reachable (the database is down): assume staff
        return True
