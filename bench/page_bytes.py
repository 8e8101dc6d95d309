"""Bytes a worker's phone transfers per page (DESIGN §8: < 30 KB compressed on a first visit,
< 10 KB for the next page).

The worker's journey — start, the complaint one thing per page (seven steps, answered and sent
with Next), receipt, follow-up sign-in, follow-up page; and the single-page form at /complaint
for comparison — is walked in-process (Flask's test client, a throwaway SQLite instance; no server, a second or two
of CPU), sending `Accept-Encoding: br, gzip` as a phone's browser does. For each page:

- first visit: the HTML plus every stylesheet and script it links, as transferred (compressed),
  with an empty cache;
- next page: the HTML only — the styles and scripts came under content-hashed names with
  `Cache-Control: immutable`, so the browser asks for nothing else (checked, not assumed);

plus the uncompressed and gzip-only sizes for comparison. Header bytes are printed apart (they
vary with cookies; HTTP/2 compresses them further). Run: `.venv/bin/python bench/page_bytes.py`.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask.testing import FlaskClient  # noqa: E402

from casework import create_app  # noqa: E402
from casework.extensions import db  # noqa: E402
from casework.services.demo_data import load_reference_data  # noqa: E402
from casework.static_assets import IMMUTABLE  # noqa: E402

FIRST_VISIT_BUDGET = 30 * 1024
NEXT_PAGE_BUDGET = 10 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REFERENCE = re.compile(r"CW-[2-9A-Z]{4}-[2-9A-Z]{4}")
SECRET = re.compile(r"\d{4} \d{4} \d{4} \d{4}")
COMPLAINT = {
    "language": "en",
    "origin_country": "NP",
    "destination_country": "QA",
    "abuse_categories": ["RA_FEES", "FL_DOCS"],
    "narrative": "The agent kept my passport and charged me 150000 rupees.",
    "contact_name": "Sita Example",
    "consent_share_with_partners": "y",
}


def _size(response: Any) -> int:
    return len(response.get_data())


def _header_bytes(response: Any) -> int:
    return sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items())


def _measure(client: FlaskClient, path: str, html: Any) -> dict[str, Any]:
    """The page (already fetched with br/gzip) and its assets, in three encodings."""
    body = html.get_data(as_text=False)
    page = {"page": path, "html": _size(html), "headers": _header_bytes(html)}
    page["html_encoding"] = html.headers.get("Content-Encoding", "identity")
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    gzip = client.get(path, headers={"Accept-Encoding": "gzip"})
    page["html_plain"], page["html_gzip"] = _size(plain), _size(gzip)
    text = plain.get_data(as_text=True) if plain.status_code == 200 else body.decode("latin-1")
    assets = sorted(set(ASSET.findall(text)))
    page["assets"] = 0
    page["assets_plain"] = 0
    page["assets_immutable"] = True
    for url in assets:
        asset = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        page["assets"] += _size(asset)
        page["assets_plain"] += _size(client.get(url, headers={"Accept-Encoding": "identity"}))
        page["assets_immutable"] &= asset.headers.get("Cache-Control") == IMMUTABLE
    page["asset_count"] = len(assets)
    return page


# The demo complaint as the steps ask it: (step, answers, fields touched, each select 2 taps).
STEPS: list[tuple[str, dict[str, Any], int]] = [
    ("language", {"language": "en"}, 0),
    ("where", {"origin_country": "NP", "destination_country": "QA"}, 4),
    ("what", {k: COMPLAINT[k] for k in ("abuse_categories", "narrative")}, 3),
    ("money", {}, 0),
    ("evidence", {}, 0),
    ("contact", {k: COMPLAINT[k] for k in ("contact_name", "consent_share_with_partners")}, 2),
    ("check", {}, 0),
]
# The same complaint on the single page: 2 selects (4 taps), 2 boxes, narrative, name, consent.
SINGLE_PAGE_TAPS = 4 + 2 + 1 + 1 + 1


def walk(client: FlaskClient) -> list[dict[str, Any]]:
    br = {"Accept-Encoding": "br, gzip"}
    pages = [_measure(client, "/", client.get("/", headers=br))]
    form = client.get("/complaint", headers=br)
    pages.append(_measure(client, "/complaint", form))
    client.get("/complaint/steps")
    for step, answers, _taps in STEPS:
        path = f"/complaint/step/{step}"
        pages.append(_measure(client, path, client.get(path, headers=br)))
        token = TOKEN.search(client.get(path).get_data(as_text=True))
        go = "send" if step == "check" else "next"
        sent = client.post(
            path, data={**answers, "go": go, "csrf_token": token.group(1) if token else ""}
        )
        if sent.status_code != 303:
            raise SystemExit(f"step {step} was not accepted ({sent.status_code}): form changed?")
    receipt = client.get("/complaint/receipt", headers=br)
    pages.append(_measure(client, "/complaint/receipt", receipt))
    receipt_text = client.get("/complaint/receipt").get_data(as_text=True)
    reference, secret = REFERENCE.search(receipt_text), SECRET.search(receipt_text)
    if not reference or not secret:
        raise SystemExit("no reference and secret on the receipt: page changed?")
    login = client.get("/follow-up", headers=br)
    pages.append(_measure(client, "/follow-up", login))
    token = TOKEN.search(client.get("/follow-up").get_data(as_text=True))
    signed_in = client.post(
        "/follow-up",
        data={
            "reference": reference.group(0),
            "secret": secret.group(0),
            "csrf_token": token.group(1) if token else "",
        },
    )
    if signed_in.status_code != 303:
        raise SystemExit(f"follow-up sign-in failed ({signed_in.status_code})")
    case_page = client.get("/follow-up/case", headers=br)
    pages.append(_measure(client, "/follow-up/case", case_page))
    return pages


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="casework-bytes-") as folder:
        app = create_app(
            {
                "INSTANCE_PATH": str(Path(folder) / "instance"),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'casework.db'}",
                "SECRET_KEY": "bench-secret-key",
                "AUDIT_KEY": "bench-audit-key-bench-audit-key-bench-audit-key",
                "RATELIMIT_ENABLED": False,
                "SECRET_HASH_TIME_COST": 1,
                "SECRET_HASH_MEMORY_KIB": 1024,
                "DEMO": True,
            }
        )
        with app.app_context():
            db.create_all()
            load_reference_data()
            pages = walk(app.test_client())
            db.session.remove()
            db.engine.dispose()
    print("bytes per worker page (body bytes; br where the page is compressed)")
    print(
        f"{'page':<26}{'html':>7}{'enc':>9}{'gzip':>7}{'plain':>7}{'assets':>8}"
        f"{'(plain)':>9}{'first':>8}{'next':>7}{'headers':>9}"
    )
    worst_first = worst_next = 0
    for p in pages:
        first = p["html"] + p["assets"]
        worst_first, worst_next = max(worst_first, first), max(worst_next, p["html"])
        print(
            f"{p['page']:<26}{p['html']:>7}{p['html_encoding']:>9}{p['html_gzip']:>7}"
            f"{p['html_plain']:>7}{p['assets']:>8}{p['assets_plain']:>9}{first:>8}"
            f"{p['html']:>7}{p['headers']:>9}"
        )
        if not p["assets_immutable"]:
            print(f"  ! {p['page']}: an asset is not served with {IMMUTABLE!r}")
    print(
        f"worst first visit {worst_first} B = {worst_first / FIRST_VISIT_BUDGET:.2f} × budget "
        f"({FIRST_VISIT_BUDGET} B); worst next page {worst_next} B = "
        f"{worst_next / NEXT_PAGE_BUDGET:.2f} × budget ({NEXT_PAGE_BUDGET} B)"
    )
    steps = [p for p in pages if p["page"].startswith("/complaint/step/")]
    print(
        f"the {len(steps)} steps: {sum(p['html'] for p in steps)} B of HTML in all "
        f"({sum(p['html_plain'] for p in steps)} B uncompressed); the single page "
        f"{next(p['html'] for p in pages if p['page'] == '/complaint')} B"
    )
    # Screens: pages the worker is shown from the start page to the receipt, both included.
    # Taps: the start page's button, fields touched (a select is two), buttons pressed.
    step_taps = 1 + sum(taps for _s, _a, taps in STEPS) + len(STEPS)
    print(
        f"demo complaint: single page {3} screens, {1 + SINGLE_PAGE_TAPS + 1} taps; "
        f"one thing per page {len(STEPS) + 2} screens, {step_taps} taps"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
