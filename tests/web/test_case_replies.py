"""Reply templates: admins keep them per language; a caseworker writing to the worker is
offered those in the worker's language, gets the text in the message box, edits and sends."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from casework.extensions import db
from casework.models import AuditEvent, ReplyTemplate
from tests.conftest import case_by_reference, login
from tests.web.desk import accepted_case

NEPALI = "नमस्ते। हामीले तपाईंको उजुरी पायौं र यसमा काम गर्दैछौं।"


def test_admin_keeps_templates_and_caseworker_starts_a_message_from_one(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"], name="Asha")
    admin = app.test_client()
    login(admin, make_user(gefont, role="admin", name="Admin"))
    refused = admin.post("/admin/replies/new", data={"language": "ne", "title": "", "body": ""})
    assert refused.status_code == 422 and "Required." in refused.get_data(as_text=True)
    for language, title, body in (
        ("ne", "Received", NEPALI),
        ("en", "Received (English)", "We received your complaint."),
        ("ne", "Draft to delete", "—"),
    ):
        response = admin.post(
            "/admin/replies/new", data={"language": language, "title": title, "body": body}
        )
        assert response.status_code == 302
    ids = {t.title: t.id for t in db.session.scalars(select(ReplyTemplate))}
    listing = admin.get("/admin/replies").get_data(as_text=True)
    assert "Received (English)" in listing and "Nepali" in listing
    admin.post(f"/admin/replies/{ids['Draft to delete']}/delete")
    admin.post(
        f"/admin/replies/{ids['Received']}",
        data={"language": "ne", "title": "Received, working on it", "body": NEPALI},
    )
    assert sorted(t.title for t in db.session.scalars(select(ReplyTemplate))) == [
        "Received (English)",
        "Received, working on it",
    ]
    changes = db.session.scalars(
        select(AuditEvent.detail)
        .where(AuditEvent.object_type == "reply_template")
        .order_by(AuditEvent.id)
    ).all()
    assert changes == ["save", "save", "save", "delete", "save"]

    reference, client = accepted_case(app, lodge, asha)  # the worker writes in Nepali
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Received, working on it" in page and "Received (English)" not in page
    chosen = client.get(f"/cases/{reference}/reply", query_string={"template": ids["Received"]})
    assert NEPALI in chosen.get_data(as_text=True)
    other_language = client.get(
        f"/cases/{reference}/reply", query_string={"template": ids["Received (English)"]}
    )
    assert "We received your complaint." not in other_language.get_data(as_text=True)
    version = case_by_reference(reference).version
    edited = NEPALI + " — Asha"
    client.post(f"/cases/{reference}/messages", data={"body": edited, "version": version})
    assert edited in client.get(f"/cases/{reference}").get_data(as_text=True)


def test_only_admins_manage_templates(app: Flask, make_org: Any, make_user: Any) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    for role in ("caseworker", "supervisor"):
        client = app.test_client()
        login(client, make_user(gefont, role=role))
        assert client.get("/admin/replies").status_code == 403
        data = {"language": "ne", "title": "Sneaky", "body": "x"}
        assert client.post("/admin/replies/new", data=data).status_code == 403
    assert app.test_client().get("/admin/replies").status_code == 302  # to the sign-in page
    assert db.session.scalars(select(ReplyTemplate)).all() == []
