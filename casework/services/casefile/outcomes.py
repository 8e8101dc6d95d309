"""Recording what a case achieved."""

from __future__ import annotations

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


def record_outcome(actor: User, case: Case, data: dict[str, Any], expected_version: int) -> Outcome:
    """Add an outcome (code, and amounts in one currency when money is involved)."""
    if case.version != expected_version:
        raise CaseChanged(case, expected_version)
    r = FieldReader()
    code = r.choice(data, "code", "code", OUTCOMES)
    if code is None and "code" not in r.errors:
        r.fail("code", _l("Please choose the outcome."))
    kind = r.choice(data, "kind", "kind", MONEY_KINDS)
    claimed = r.amount(data, "amount_claimed", "amount_claimed")
    amount = r.amount(data, "amount", "amount")
    enforced = r.amount(data, "amount_enforced", "amount_enforced")
    currency = r.currency(data, "currency", "currency")
    if (claimed is not None or amount is not None or enforced is not None) and not currency:
        r.fail("currency", _l("Please choose the currency."))
    if r.errors:
        raise InvalidInput(r.errors)
    outcome = Outcome(
        code=code,
        kind=kind,
        amount_claimed=claimed,
        amount=amount,
        amount_enforced=enforced,
        currency=currency or None,
        recorded_by_id=actor.id,
    )
    case.outcomes.append(outcome)
    touch(case)
    case.events.append(
        CaseEvent(
            kind=ev.OUTCOME,
            visibility=ev.PARTNERS,
            actor_kind="staff",
            actor_user_id=actor.id,
            organisation_id=actor.organisation_id,
            detail=f"{code}" + (f" {amount} {currency}" if amount is not None else ""),
        )
    )
    audit.record_audit(actor, audit.OUTCOME, "case", str(case.id), str(code))
    db.session.commit()
    return outcome
