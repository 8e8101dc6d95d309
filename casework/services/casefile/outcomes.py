"""Recording what a case achieved."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.extensions import db
from casework.models import Case, CaseEvent, Outcome, User
from casework.models import event as ev
from casework.services import audit
from casework.services.errors import CaseChanged, InvalidInput
from casework.services.escalation.deadlines import touch
from casework.services.validation import FieldReader
from casework.vocabulary.outcomes import MONEY_KINDS, OUTCOMES

MONEY_FIELDS = ("amount_claimed", "amount", "amount_enforced")


def claimed_by_currency(case: Case) -> dict[str, Decimal]:
    """What the case's outcomes claimed for the worker, added up per currency."""
    claimed: dict[str, Decimal] = defaultdict(Decimal)
    for outcome in case.outcomes:
        if outcome.amount_claimed is not None and outcome.currency:
            claimed[outcome.currency] += outcome.amount_claimed
    return dict(claimed)


def record_outcome(actor: User, case: Case, data: dict[str, Any], expected_version: int) -> Outcome:
    """Add an outcome (code, and amounts in one currency when money is involved)."""
    if case.version != expected_version:
        raise CaseChanged(case, expected_version)
    outcome = read_outcome(data)
    add_outcome(actor, case, outcome)
    db.session.commit()
    return outcome


def read_outcome(data: dict[str, Any], **amount_fields: str) -> Outcome:
    """An unsaved outcome from a form's fields; `InvalidInput` naming every bad field. The
    amounts' field names can be renamed (`amount="amount_12"`) for forms with many workers."""
    fields = {name: amount_fields.get(name, name) for name in MONEY_FIELDS}
    r = FieldReader()
    code = r.choice(data, "code", "code", OUTCOMES)
    if code is None and "code" not in r.errors:
        r.fail("code", _l("Please choose the outcome."))
    kind = r.choice(data, "kind", "kind", MONEY_KINDS)
    claimed, amount, enforced = (r.amount(data, fields[n], fields[n]) for n in MONEY_FIELDS)
    currency = r.currency(data, "currency", "currency")
    if (claimed is not None or amount is not None or enforced is not None) and not currency:
        r.fail("currency", _l("Please choose the currency."))
    if r.errors:
        raise InvalidInput(r.errors)
    return Outcome(
        code=code,
        kind=kind,
        amount_claimed=claimed,
        amount=amount,
        amount_enforced=enforced,
        currency=currency or None,
    )


def add_outcome(actor: User, case: Case, outcome: Outcome) -> None:
    """Attach `outcome` to the case with its timeline and audit events (the caller commits)."""
    outcome.recorded_by_id = actor.id
    case.outcomes.append(outcome)
    touch(case)
    amount, currency = outcome.amount, outcome.currency
    case.events.append(
        CaseEvent(
            kind=ev.OUTCOME,
            visibility=ev.PARTNERS,
            actor_kind="staff",
            actor_user_id=actor.id,
            organisation_id=actor.organisation_id,
            detail=f"{outcome.code}" + (f" {amount} {currency}" if amount is not None else ""),
        )
    )
    audit.record_audit(actor, audit.OUTCOME, "case", str(case.id), str(outcome.code))
