"""Many rows in one go (COPY on PostgreSQL, executemany on SQLite): what an INSERT would store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, CaseEvent, Notification
from casework.services.escalation.bulk_insert import insert_rows


def test_rows_get_their_defaults_and_utc_times(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    reference = lodge().reference
    case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
    user = make_user(make_org("gefont", ["NP"]), "caseworker")
    plus_three = datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=3)))
    before = datetime.now(UTC)
    insert_rows(
        db.session.connection(),
        Notification.__table__,
        [
            {"user_id": user.id, "case_id": case.id, "kind": "stalled", "text": "Case needs you"},
            {
                "user_id": user.id,
                "case_id": None,
                "kind": "digest",
                "text": 'It\'s "quoted"\tand\\tabbed\nover lines — नेपाली',
                "urgent": True,
                "created_at": plus_three,
            },
        ],
    )
    insert_rows(
        db.session.connection(),
        CaseEvent.__table__,
        [{"case_id": case.id, "kind": "flag", "visibility": "internal", "actor_kind": "system",
          "body_sealed": b"\x00\x01\\x\xff"}],
    )  # fmt: skip
    db.session.commit()
    first, second = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()
    assert (first.case_id, first.urgent, first.read_at) == (case.id, False, None)
    assert before <= first.created_at <= datetime.now(UTC)  # the model's utcnow default
    assert second.case_id is None and second.urgent is True
    assert second.text == 'It\'s "quoted"\tand\\tabbed\nover lines — नेपाली'
    assert second.created_at == datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    event = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "flag")
    ).one()
    assert event.body_sealed == b"\x00\x01\\x\xff" and event.detail == ""


def test_naive_times_and_unknown_columns_are_refused(
    app: Flask, make_org: Any, make_user: Any
) -> None:
    user = make_user(make_org("gefont", ["NP"]), "caseworker")
    row = {"user_id": user.id, "kind": "stalled", "text": "x"}
    with pytest.raises(Exception, match="naive datetime"):
        insert_rows(
            db.session.connection(),
            Notification.__table__,
            [row | {"created_at": datetime(2026, 5, 1)}],
        )
    db.session.rollback()
    with pytest.raises(Exception, match="colour"):
        insert_rows(db.session.connection(), Notification.__table__, [row | {"colour": "red"}])
    db.session.rollback()
    assert db.session.scalars(select(Notification)).all() == []
