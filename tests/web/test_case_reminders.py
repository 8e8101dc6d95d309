"""Reminders: "follow up on 12 March", set on the case page by one caseworker for themselves,
counted in the header, listed when due, counted (never described) in the daily e-mail."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from casework.extensions import db
from casework.models import OutboxMessage, Reminder
from casework.services.notifications.digests import build_daily_digests
from tests.conftest import case_by_reference, login
from tests.web.desk import accepted_case


def test_reminders_feed_the_badge_the_due_list_and_the_digest(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"], name="Asha")
    reference, client = accepted_case(app, lodge, asha)
    today = date.today()
    yesterday, next_week = today - timedelta(days=1), today + timedelta(days=7)
    for day, note in ((yesterday, "Call the agency about the refund"), (next_week, "Hearing")):
        response = client.post(
            f"/cases/{reference}/reminders", data={"due_on": day.isoformat(), "note": note}
        )
        assert response.status_code == 302
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Call the agency about the refund" in page and "Hearing" in page
    assert 'id="nav-reminders">Reminders <span class="badge"' in page
    due = client.get("/cases/reminders").get_data(as_text=True)
    assert reference in due and "Call the agency about the refund" in due
    assert "Hearing" not in due  # not due yet
    assert "overdue" in due
    # Notes are sealed with the case key, never stored in the clear.
    notes = db.session.scalars(select(Reminder.note_sealed)).all()
    assert all(b"refund" not in (n or b"") for n in notes)

    build_daily_digests(today)
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == asha.id))
    # Asha reads Nepali: her digest is in Nepali, the count in it.
    assert "रिमाइन्डर: 1" in mail.body and "reminders" not in mail.body
    assert "refund" not in mail.body and reference not in mail.body

    # A colleague neither sees nor completes Asha's reminders.
    bikash = app.test_client()
    login(bikash, make_user(gefont, languages=["ne"], name="Bikash"))
    assert "Call the agency" not in bikash.get("/cases/reminders").get_data(as_text=True)
    first = db.session.scalars(select(Reminder).order_by(Reminder.due_on)).first()
    assert first is not None
    done_url = f"/cases/{reference}/reminders/{first.id}/done"
    assert bikash.post(done_url).status_code in (403, 404)
    assert client.post(done_url, data={"back": "due"}).status_code == 302
    due = client.get("/cases/reminders").get_data(as_text=True)
    assert "Call the agency about the refund" not in due and "Nothing due" in due
    assert 'id="nav-reminders">Reminders</a>' in due  # no badge left


def test_reminder_needs_a_date_and_the_case(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    reference, client = accepted_case(app, lodge, make_user(gefont, languages=["ne"]))
    client.post(f"/cases/{reference}/reminders", data={"due_on": "12/03/2026", "note": "x"})
    assert "Please give a date as year-month-day" in client.get(f"/cases/{reference}").get_data(
        as_text=True
    )
    outsider = app.test_client()
    login(outsider, make_user(make_org("dhaka-desk", ["BD"], ["en"])))
    response = outsider.post(f"/cases/{reference}/reminders", data={"due_on": "2026-03-12"})
    assert response.status_code == 404
    assert db.session.scalars(select(Reminder)).all() == []
    assert case_by_reference(reference).status == "triaged"
