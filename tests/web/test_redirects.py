"""Open redirects: the worker's language switch and staff sign-in send the browser only to a
path on this site, whatever `next=` holds."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import pytest
from flask.testing import FlaskClient

from casework.redirects import is_safe_next
from tests.conftest import STAFF_PASSWORD

# Known ways to turn a "relative path" check into another host, as written in a URL's query
# (percent-encoded where a browser or an attacker's link would encode them).
BYPASSES = [
    "https://evil.example/",
    "http:evil.example",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%5C/evil.example",
    "/\t/evil.example/",
    "/%09/evil.example/",
    "/\n/evil.example/",
    "/%0A/evil.example/",
    "/\r/evil.example/",
    "/%0D%0A/evil.example/",
    "/\x00/evil.example/",
    "/%00/evil.example/",
    " //evil.example/",
    "/ /evil.example/",
    "/\u3000/evil.example/",
    "/\u200b/evil.example/",
    "/\u2215evil.example",
    "javascript:alert(1)",
    "/javascript:alert(1)//%0a",
    "JaVaScRiPt:alert(1)",
    "data:text/html,hi",
    "evil.example",
    "",
]


def _lands_on_site(location: str) -> bool:
    """What a browser makes of the Location header, read the way browsers read it: tabs and
    newlines removed, backslashes as slashes, relative to our own address."""
    cleaned = "".join(c for c in location if c not in "\t\n\r").replace("\\", "/").strip()
    cleaned = (
        cleaned.replace("%2F", "/").replace("%2f", "/").replace("%5C", "/").replace("%5c", "/")
    )
    resolved = urljoin("https://casework.example/", cleaned)
    return resolved.startswith("https://casework.example/") and is_safe_next(location)


@pytest.mark.parametrize("target", BYPASSES)
def test_language_switch_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    response = client.get("/language/ne", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/", repr(target)


@pytest.mark.parametrize("target", ["/%09/evil.example/", "/%0A/evil.example/", "/%00/x"])
def test_encoded_control_characters_in_the_raw_query_are_refused(
    client: FlaskClient, target: str
) -> None:
    # As the attacker's link sends it: the query string taken as it is, decoded by the server.
    response = client.get(f"/language/ne?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_keeps_a_path_on_this_site(client: FlaskClient) -> None:
    for target in ("/complaint", "/follow-up", "/complaint?x=1"):
        response = client.get("/language/ne", query_string={"next": target})
        assert response.headers["Location"] == target
        assert _lands_on_site(response.headers["Location"])


@pytest.mark.parametrize("target", BYPASSES)
def test_staff_sign_in_never_redirects_off_site(
    client: FlaskClient, make_org: Any, make_user: Any, target: str
) -> None:
    user = make_user(make_org("gefont", countries=["NP"]))
    client.get("/login", query_string={"next": target})
    response = client.post("/login", data={"email": user.email, "password": STAFF_PASSWORD})
    assert response.status_code == 302
    assert _lands_on_site(response.headers["Location"]), repr(target)
    assert response.headers["Location"] == "/cases/", repr(target)


def test_staff_sign_in_returns_to_the_page_asked_for(
    client: FlaskClient, make_org: Any, make_user: Any
) -> None:
    user = make_user(make_org("gefont", countries=["NP"]))
    client.get("/login", query_string={"next": "/notifications"})
    response = client.post("/login", data={"email": user.email, "password": STAFF_PASSWORD})
    assert response.headers["Location"] == "/notifications"


@pytest.mark.parametrize("target", BYPASSES)
def test_safe_next_refuses_every_known_bypass(target: str) -> None:
    assert not is_safe_next(target)
