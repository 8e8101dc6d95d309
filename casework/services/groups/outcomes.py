"""A group outcome: one Outcome per member case, each with that worker's own amounts."""

from __future__ import annotations

from typing import Any

from casework.extensions import db
from casework.models import CaseGroup, Outcome, User
from casework.services import audit
from casework.services.casefile.outcomes import add_outcome, read_outcome
from casework.services.errors import InvalidInput
from casework.services.groups.access import member_cases


def amount_field(name: str, case_id: int) -> str:
    """The form field holding one worker's amount: `amount_12`, `amount_claimed_12` …"""
    return f"{name}_{case_id}"


def record_group_outcome(actor: User, group: CaseGroup, data: dict[str, Any]) -> list[Outcome]:
    """The same code, kind and currency for every member case the actor fully holds, with the
    amounts given for each worker. Checked for every worker first: all or nothing."""
    cases = member_cases(actor, group)
    outcomes, errors = [], {}
    for case in cases:
        try:
            names = {
                n: amount_field(n, case.id) for n in ("amount_claimed", "amount", "amount_enforced")
            }
            outcomes.append((case, read_outcome(data, **names)))
        except InvalidInput as invalid:
            errors.update(invalid.fields)
    if errors:
        raise InvalidInput(errors)
    for case, outcome in outcomes:
        outcome.group_id = group.id
        add_outcome(actor, case, outcome)
    audit.record_audit(
        actor, audit.GROUP_CHANGE, "case_group", str(group.id), f"outcome for {len(outcomes)} cases"
    )
    db.session.commit()
    return [outcome for _, outcome in outcomes]
