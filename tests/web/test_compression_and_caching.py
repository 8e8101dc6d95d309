"""Pages compressed, static files cacheable (issue 13): brotli or gzip as the browser asks,
styles and scripts under content-hashed names cached for a year, evidence never compressed, and
signed-in staff pages left uncompressed (BREACH; see casework/compression.py)."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path
from typing import Any

import brotli
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import Assignment
from tests.conftest import case_by_reference, login

STATIC = Path(__file__).resolve().parents[2] / "casework" / "static"
HASHED_CSS = re.compile(r'href="(/static/casework\.([0-9a-f]{12})\.css)"')
IMMUTABLE = "public, max-age=31536000, immutable"


def _get(client: FlaskClient, path: str, encoding: str) -> Any:
    return client.get(path, headers={"Accept-Encoding": encoding})


def _same_page(a: bytes, b: bytes) -> bool:
    """Equal but for the random values each rendering draws (CSRF and submission tokens)."""
    strip = re.compile(rb'value="[^"]*"')
    return strip.sub(b"", a) == strip.sub(b"", b)


def test_worker_pages_come_as_brotli_or_gzip_as_the_browser_asks(client: FlaskClient) -> None:
    plain = _get(client, "/complaint", "identity")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    html = plain.get_data()
    assert b"<form" in html

    br = _get(client, "/complaint", "gzip, deflate, br")
    assert br.headers["Content-Encoding"] == "br"
    assert _same_page(brotli.decompress(br.get_data()), html)
    assert len(br.get_data()) < len(html) / 3
    assert "Accept-Encoding" in br.headers["Vary"]

    gz = _get(client, "/complaint", "gzip")
    assert gz.headers["Content-Encoding"] == "gzip"
    assert _same_page(gzip.decompress(gz.get_data()), html)

    start = client.get("/", headers={"Accept-Encoding": "identity"})  # still works uncompressed
    assert start.status_code == 200 and "Content-Encoding" not in start.headers
    assert b"/complaint" in start.get_data()
    api = _get(client, "/api/v1/openapi.json", "br")  # JSON too
    assert api.headers["Content-Encoding"] == "br"
    assert b'"openapi"' in brotli.decompress(api.get_data())


def test_pages_link_static_files_by_content_hash_with_immutable_caching(
    client: FlaskClient,
) -> None:
    page = _get(client, "/", "identity").get_data(as_text=True)
    found = HASHED_CSS.search(page)
    assert found, "the stylesheet is linked under a hashed name"
    url, short = found.groups()
    content = (STATIC / "casework.css").read_bytes()
    assert hashlib.sha256(content).hexdigest().startswith(short)

    asset = _get(client, url, "identity")
    assert asset.status_code == 200 and asset.get_data() == content
    assert asset.headers["Cache-Control"] == IMMUTABLE
    assert asset.mimetype == "text/css"
    compressed = _get(client, url, "br")
    assert compressed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(compressed.get_data()) == content
    scripts = re.findall(r'<script[^>]+src="(/static/[^"]+)"', page)
    assert scripts and all(re.search(r"\.[0-9a-f]{12}\.js$", src) for src in scripts)
    assert all(_get(client, src, "br").headers["Cache-Control"] == IMMUTABLE for src in scripts)

    # The plain name, and a hash from before a deployment: the current file, revalidated.
    for url in ("/static/casework.css", "/static/casework.0123456789ab.css"):
        response = _get(client, url, "identity")
        assert response.status_code == 200 and response.get_data() == content
        assert response.headers["Cache-Control"] == "no-cache"
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    assert client.get("/static/nothing.0123456789ab.css").status_code == 404
    assert client.get("/static/nothing.css").status_code == 404


def _caseworker_with_case(client: FlaskClient, lodge: Any, make_org: Any, make_user: Any) -> Any:
    org = make_org("gefont", ["NP"], ["ne", "en"])
    caseworker = make_user(org, languages=["ne", "en"])
    text_file = ("statement.txt", b"The agent took my passport. " * 200)
    lodged = lodge(files=[text_file], language="en")
    login(client, caseworker)
    offer = db.session.scalars(select(Assignment).where(Assignment.user_id == caseworker.id)).one()
    client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    return lodged, text_file[1]


def test_evidence_downloads_and_signed_in_staff_pages_are_never_compressed(
    app: Flask, client: FlaskClient, lodge: Any, make_org: Any, make_user: Any
) -> None:
    lodged, content = _caseworker_with_case(client, lodge, make_org, make_user)
    evidence = case_by_reference(lodged.reference).evidence[0]
    assert evidence.media_type == "text/plain"  # a type pages would be compressed as
    response = _get(client, f"/cases/{lodged.reference}/evidence/{evidence.id}", "br, gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == content

    for path in ("/cases/", f"/cases/{lodged.reference}"):
        response = _get(client, path, "br, gzip")
        assert response.status_code == 200 and b"<html" in response.get_data()
        assert "Content-Encoding" not in response.headers
    # Their styles are compressed all the same: they hold nothing secret.
    page = _get(client, "/cases/", "identity").get_data(as_text=True)
    css = HASHED_CSS.search(page)
    assert css and _get(client, css.group(1), "br").headers["Content-Encoding"] == "br"


def test_the_receipt_with_the_secret_is_not_compressed(client: FlaskClient) -> None:
    form = {
        "language": "en",
        "origin_country": "NP",
        "destination_country": "QA",
        "abuse_categories": ["RA_FEES"],
        "narrative": "The agent kept my passport.",
    }
    assert client.post("/complaint", data=form).status_code == 303
    receipt = _get(client, "/complaint/receipt", "br, gzip")
    assert receipt.status_code == 200
    assert re.search(rb"\d{4} \d{4} \d{4} \d{4}", receipt.get_data())
    assert "Content-Encoding" not in receipt.headers
