"""Notifications: in the app with the case reference; by e-mail through the outbox, over real
SMTP (a local aiosmtpd server), saying nothing about any case."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Notification, OutboxMessage
from casework.services.notifications.digests import build_daily_digests
from casework.services.notifications.notify import notify
from casework.services.notifications.outbox import send_outbox
from tests.conftest import case_by_reference, login
from tests.smtp_server import ReceivedMail, SmtpSink, free_port, running_smtp_server

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PUBLIC_URL = "https://casework.example.org"
WORKER_NAME = "Ram Bahadur Test"
NARRATIVE = "The agent took my passport"


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpSink]:
    with running_smtp_server() as sink:
        use_mail_server(app, sink.port)
        yield sink


def use_mail_server(app: Flask, port: int) -> None:
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_STARTTLS=False,
        MAIL_USE_TLS=False,
        MAIL_TIMEOUT_SECONDS=5,
        MAIL_SENDER="casework@example.org",
        PUBLIC_URL=PUBLIC_URL,
    )


@pytest.fixture
def team(app: Flask, make_org: Any, make_user: Any) -> dict[str, Any]:
    gefont = make_org("gefont", ["NP"], ["ne"])
    return {
        "asha": make_user(gefont, languages=["en"], name="Asha"),
        "bikash": make_user(gefont, languages=["en"], name="Bikash"),
        "boss": make_user(gefont, role="supervisor", languages=["en"], name="Boss"),
    }


def _assert_reveals_nothing(mail: ReceivedMail, case: Any) -> None:
    """Neither the raw message nor its decoded text names the case or anything in it."""
    for text in (mail.raw.decode("utf-8", "replace"), mail.text):
        flat = text.replace("=\r\n", "").replace("-", "")  # undo soft line breaks and dashes
        for secret in (case.reference, WORKER_NAME, NARRATIVE, case.employer_name, "Himal"):
            assert secret not in text
            assert secret.replace("-", "") not in flat


# --- e-mail -----------------------------------------------------------------------------------
def test_escalation_is_mailed_at_once_and_reveals_no_case_content(
    app: Flask, smtp: SmtpSink, lodge: Any, team: dict[str, Any]
) -> None:
    case = case_by_reference(lodge().reference)
    notify([team["boss"]], case, "stalled_escalation", urgent=True)
    db.session.commit()
    report = send_outbox()
    assert (report.sent, report.failed) == (1, 0)
    [mail] = smtp.messages
    assert mail.recipients == [team["boss"].email]
    assert "A case needs your attention as supervisor" in mail.text
    assert f"{PUBLIC_URL}/notifications" in mail.text
    _assert_reveals_nothing(mail, case)
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.kind == "escalation" and message.sent_at is not None and message.attempts == 1
    assert send_outbox().sent == 0  # sent once, never again
    assert len(smtp.messages) == 1


def test_one_digest_per_user_per_day_however_often_the_job_runs(
    app: Flask, smtp: SmtpSink, lodge: Any, team: dict[str, Any]
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        first, second = case_by_reference(lodge().reference), case_by_reference(lodge().reference)
        notify([team["asha"]], first, "stalled_warning")
        notify([team["asha"], team["asha"]], second, "deadline_warning")  # once, not twice
        notify([team["asha"], team["bikash"]], second, "offer_waiting")
        notify([team["boss"]], first, "stalled_escalation", urgent=True)  # mailed on its own
        db.session.commit()
        clock.move_to(START + timedelta(hours=10))
        assert build_daily_digests(START.date()).digests == 2
        assert build_daily_digests(START.date()).digests == 0
        send_outbox()
        send_outbox()
        by_recipient = {m.recipients[0]: m for m in smtp.messages}
        assert len(smtp.messages) == 3
        assert "New notifications in casework: 3." in by_recipient[team["asha"].email].text
        assert "New notifications in casework: 1." in by_recipient[team["bikash"].email].text
        assert f"{PUBLIC_URL}/notifications" in by_recipient[team["asha"].email].text
        for mail in smtp.messages:
            _assert_reveals_nothing(mail, first)
            _assert_reveals_nothing(mail, second)
        # News after today's digest waits for tomorrow's; read notifications are not mailed.
        notify([team["asha"]], first, "worker_message")
        notify([team["bikash"]], first, "worker_message")
        db.session.commit()
        db.session.execute(
            Notification.__table__.update()
            .where(Notification.user_id == team["bikash"].id)
            .values(read_at=START)
        )
        db.session.commit()
        assert build_daily_digests(START.date()).digests == 0
        clock.move_to(START + timedelta(days=1, hours=10))
        assert build_daily_digests(START.date() + timedelta(days=1)).digests == 1
        send_outbox()
        assert len(smtp.messages) == 4
        assert "New notifications in casework: 1." in smtp.messages[-1].text
        assert smtp.messages[-1].recipients == [team["asha"].email]
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 4


def test_escalations_waiting_for_the_same_person_make_one_mail(
    app: Flask, smtp: SmtpSink, lodge: Any, team: dict[str, Any]
) -> None:
    first, second = case_by_reference(lodge().reference), case_by_reference(lodge().reference)
    notify([team["boss"]], first, "stalled_escalation", urgent=True)
    notify([team["boss"]], second, "deadline_escalation", urgent=True)
    notify([team["boss"], team["asha"]], second, "referral_proposed", urgent=True)
    db.session.commit()
    assert send_outbox().sent == 2
    assert sorted(m.recipients[0] for m in smtp.messages) == sorted(
        [team["boss"].email, team["asha"].email]
    )
    asha_mail = next(m for m in smtp.messages if m.recipients == [team["asha"].email])
    assert "A case needs your urgent attention" in asha_mail.text  # not "as supervisor"


def test_a_server_that_is_down_keeps_mail_unsent_and_it_is_retried_later(
    app: Flask, lodge: Any, team: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    use_mail_server(app, free_port())  # nothing listens there
    with time_machine.travel(START, tick=False) as clock:
        case = case_by_reference(lodge().reference)
        notify([team["boss"]], case, "deadline_escalation", urgent=True)
        db.session.commit()
        report = send_outbox()
        assert (report.sent, report.failed) == (0, 1)
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.sent_at is None and message.attempts == 1
        assert message.last_error and "@" not in message.last_error
        assert send_outbox().failed == 0  # backing off: not tried again at once
        clock.move_to(START + timedelta(minutes=2))
        with running_smtp_server() as sink:
            use_mail_server(app, sink.port)
            assert send_outbox().sent == 1
        assert len(sink.messages) == 1
        db.session.refresh(message)
        assert message.sent_at is not None and message.attempts == 2
    ours = [r for r in caplog.records if r.name.startswith("casework")]
    log_text = "\n".join(r.getMessage() for r in ours)
    assert team["boss"].email not in log_text
    assert f"user {team['boss'].id}" in log_text


def test_mail_is_given_up_after_the_configured_number_of_attempts(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    use_mail_server(app, free_port())
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    with time_machine.travel(START, tick=False) as clock:
        notify(
            [team["boss"]], case_by_reference(lodge().reference), "stalled_escalation", urgent=True
        )
        db.session.commit()
        reports = []
        for hours in (0, 1, 2, 3, 4):
            clock.move_to(START + timedelta(hours=hours))
            reports.append(send_outbox())
    assert [r.failed for r in reports] == [1, 1, 1, 0, 0]
    assert reports[2].gave_up == 1
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.attempts == 3 and message.sent_at is None


def test_with_starttls_required_nothing_is_sent_in_the_clear(
    app: Flask, smtp: SmtpSink, lodge: Any, team: dict[str, Any]
) -> None:
    app.config["MAIL_STARTTLS"] = True  # the test server offers no STARTTLS
    notify([team["boss"]], case_by_reference(lodge().reference), "stalled_escalation", urgent=True)
    db.session.commit()
    report = send_outbox()
    assert (report.sent, report.failed) == (0, 1)
    assert smtp.messages == []
    assert "STARTTLS" in db.session.scalars(select(OutboxMessage)).one().last_error


def test_a_new_escalation_is_queued_once_the_last_one_was_given_up(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    use_mail_server(app, free_port())
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    case = case_by_reference(lodge().reference)
    notify([team["boss"]], case, "stalled_escalation", urgent=True)
    db.session.commit()
    assert send_outbox().gave_up == 1
    notify([team["boss"]], case, "referral_proposed", urgent=True)
    db.session.commit()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2


def test_a_refused_recipient_is_recorded_without_the_address(
    app: Flask, smtp: SmtpSink, lodge: Any, team: dict[str, Any]
) -> None:
    smtp.refuse.add(team["boss"].email)
    notify(
        [team["boss"], team["asha"]],
        case_by_reference(lodge().reference),
        "referral_proposed",
        urgent=True,
    )
    db.session.commit()
    report = send_outbox()
    assert (report.sent, report.failed) == (1, 1)
    refused = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == team["boss"].id)
    ).one()
    assert "550" in refused.last_error
    assert team["boss"].email not in refused.last_error and "@" not in refused.last_error
    assert team["boss"].email not in str(report)


def test_without_a_mail_server_mail_waits_in_the_outbox(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    assert app.config["MAIL_SERVER"] == ""
    notify([team["boss"]], case_by_reference(lodge().reference), "stalled_escalation", urgent=True)
    db.session.commit()
    report = send_outbox()
    assert (report.sent, report.failed, report.waiting) == (0, 0, 1)
    assert db.session.scalars(select(OutboxMessage)).one().attempts == 0


def test_notify_takes_known_kinds_and_skips_inactive_staff(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = case_by_reference(lodge().reference)
    with pytest.raises(ValueError):
        notify([team["asha"]], case, "narrative_dump")
    team["bikash"].active = False
    created = notify([team["asha"], team["bikash"]], case, "worker_message")
    db.session.commit()
    assert [n.user_id for n in created] == [team["asha"].id]
    assert created[0].text == f"The worker has sent a new message on case {case.reference}."


# --- in the app -------------------------------------------------------------------------------
def badge(html: str) -> str | None:
    """The unread count in the nav, or None when there is no badge."""
    found = re.search(r'<span class="badge" title="Unread">(\d+)</span>', html)
    return found[1] if found else None


def test_staff_read_their_notifications_and_mark_them_read(
    app: Flask, lodge: Any, team: dict[str, Any]
) -> None:
    case = case_by_reference(lodge().reference)
    [mine] = notify([team["asha"]], case, "stalled_warning")
    [theirs] = notify([team["bikash"]], case, "offer_waiting")
    db.session.commit()
    client = app.test_client()
    login(client, team["asha"])
    page = client.get("/notifications").get_data(as_text=True)
    assert f"Case {case.reference} has had no activity" in page
    assert f'href="/cases/{case.reference}"' in page
    assert "waiting to be accepted" not in page  # Bikash's, not Asha's
    assert badge(client.get("/cases/").get_data(as_text=True)) == "1"
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 302
    assert client.post(f"/notifications/{mine.id}/read").status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is not None
    assert db.session.get(Notification, theirs.id).read_at is None  # not hers to mark
    assert badge(client.get("/notifications").get_data(as_text=True)) is None


def test_mark_all_read_needs_the_csrf_token(app: Flask, lodge: Any, team: dict[str, Any]) -> None:
    case = case_by_reference(lodge().reference)
    notify([team["boss"]], case, "stalled_escalation", urgent=True)
    notify([team["boss"]], case, "deadline_escalation", urgent=True)
    db.session.commit()
    client = app.test_client()
    login(client, team["boss"])
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/notifications").get_data(as_text=True)
    assert badge(page) == "2" and "Urgent" in page
    assert client.post("/notifications/read-all").status_code == 400
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    assert client.post("/notifications/read-all", data={"csrf_token": token[1]}).status_code == 302
    unread = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.read_at.is_(None))
    )
    assert unread == 0


def test_notifications_need_a_signed_in_user(client: Any) -> None:
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/notifications/read-all").status_code == 302
