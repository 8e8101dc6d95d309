"""Helpers for the case-desk tests (test_case_*.py): a case accepted by a caseworker, and the
audit rows a case gathered."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import case_by_reference, login


def accepted_case(app: Flask, lodge: Any, user: Any, **changes: Any) -> tuple[str, FlaskClient]:
    """Lodge a complaint (through the intake service), let `user` (who is offered it) accept it;
    returns its reference and `user`'s signed-in client."""
    files = changes.pop("files", None)
    lodged = lodge(files=files, **changes)
    client = app.test_client()
    login(client, user)
    offer = case_by_reference(lodged.reference).assignments[0]
    assert offer.user_id == user.id
    client.post(f"/cases/{lodged.reference}/accept", data={"assignment_id": offer.id})
    return lodged.reference, client


def audit_rows(reference: str, action: str) -> list[AuditEvent]:
    case = case_by_reference(reference)
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "case",
                AuditEvent.object_id == str(case.id),
                AuditEvent.action == action,
            )
            .order_by(AuditEvent.id)
        )
    )
