"""Numbers typed into staff pages in other scripts: never a 500.

`str.isdigit()` accepts "²" and "①", which `int()` refuses; each of these used to crash the
page. They now read as "no number", like any other wrong value.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.conftest import case_by_reference, login

ODD_NUMBERS = ["²", "①", "٣", "9" * 5000]


@pytest.fixture
def team(app: Flask, make_org: Any, make_user: Any) -> dict[str, Any]:
    gefont = make_org("gefont", ["NP"], ["ne"])
    return {
        "asha": make_user(gefont, languages=["ne"], name="Asha"),
        "boss": make_user(gefont, role="supervisor", languages=["ne"], name="Boss"),
        "admin": make_user(gefont, role="admin", languages=["en"], name="Admin"),
    }


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_queue_page_number_in_another_script_is_page_one(
    app: Flask, team: dict[str, Any], odd: str
) -> None:
    client = app.test_client()
    login(client, team["asha"])
    assert client.get("/cases/", query_string={"page": odd}).status_code == 200


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_case_forms_with_odd_numbers_answer_without_crashing(
    app: Flask, team: dict[str, Any], lodge: Any, odd: str
) -> None:
    lodged = lodge()
    client = app.test_client()
    login(client, team["asha"])
    offer = case_by_reference(lodged.reference).assignments[0]
    client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    note = client.post(
        f"/cases/{lodged.reference}/notes",
        data={"body": "called the worker", "version": odd, "seen_event": odd},
    )
    assert note.status_code in (302, 303, 409)

    boss = app.test_client()
    login(boss, team["boss"])
    reassigned = boss.post(
        f"/cases/{lodged.reference}/reassign", data={"assignment_id": offer.id, "user_id": odd}
    )
    assert reassigned.status_code in (302, 303)
    routed = boss.post(f"/cases/{lodged.reference}/route", data={"organisation_id": odd})
    assert routed.status_code in (302, 303)


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_admin_and_report_filters_with_odd_numbers_answer_without_crashing(
    app: Flask, team: dict[str, Any], odd: str
) -> None:
    client = app.test_client()
    login(client, team["admin"])
    assert client.get("/admin/users", query_string={"organisation": odd}).status_code == 200
    assert client.get("/reports/", query_string={"agency": odd}).status_code == 200
    saved = client.post(
        "/admin/rules/stall/NOT_TRIAGED",
        data={"days": odd, "escalate_after_days": odd, "refer_after_days": odd},
    )
    assert saved.status_code in (302, 303, 422)
