"""Admins edit the stall rules and the limitation rules; open cases pick the change up.

Editing a rule marks the rules as changed; the next stalled scan recomputes every open case's
stored deadline before it looks for due cases (in batches, not inside the admin's request).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, JobRun, LimitationRule, StallRule, User
from casework.models.columns import utcnow
from casework.services import audit
from casework.services.errors import InvalidInput
from casework.services.escalation.deadlines import FINISHED, active_stall_rules, refresh_deadlines
from casework.services.validation import FieldReader, whole_number

RULES_CHANGED = "rules_changed"
RULES_APPLIED = "rules_applied"
TRIGGERS = ("contract_end_date", "incident_date", "departure_date", "job_start_date")
BATCH = 1000


def _days(r: FieldReader, data: dict[str, Any], key: str, low: int = 0, high: int = 3650) -> int:
    raw = str(data.get(key, "")).strip()
    if (number := whole_number(raw)) is None or not low <= number <= high:
        r.fail(
            key,
            _l(
                "Please give a whole number of days between %(low)s and %(high)s.",
                low=low,
                high=high,
            ),
        )
        return 0
    return int(raw)


def _mark_changed() -> None:
    record = db.session.get(JobRun, RULES_CHANGED) or JobRun(job=RULES_CHANGED)
    record.last_run_at = utcnow()
    db.session.add(record)


def update_stall_rule(actor: User, code: str, data: dict[str, Any]) -> StallRule:
    rule = db.session.get(StallRule, code)
    if rule is None:
        raise InvalidInput({"code": str(_l("Unknown rule."))})
    r = FieldReader()
    days = _days(r, data, "days", 1)
    escalate = _days(r, data, "escalate_after_days", 0)
    refer = _days(r, data, "refer_after_days", 0)
    if not r.errors and refer < escalate:
        r.fail("refer_after_days", _l("The referral step must come after the escalation."))
    if r.errors:
        raise InvalidInput(r.errors)
    rule.days, rule.escalate_after_days, rule.refer_after_days = days, escalate, refer
    rule.active = r.flag(data, "active")
    _mark_changed()
    audit.record_audit(actor, audit.ADMIN_CHANGE, "stall_rule", code, "update")
    db.session.commit()
    return rule


def save_limitation_rule(
    actor: User, data: dict[str, Any], rule_id: int | None = None
) -> LimitationRule:
    rule = db.session.get(LimitationRule, rule_id) if rule_id else LimitationRule()
    if rule is None:
        raise InvalidInput({"id": str(_l("Unknown rule."))})
    r = FieldReader()
    jurisdiction = r.text(data, "jurisdiction", "jurisdiction", 2).upper()
    if len(jurisdiction) != 2 or not jurisdiction.isalpha():
        r.fail("jurisdiction", _l("Please choose a country."))
    forum_kind = r.text(data, "forum_kind", "forum_kind", 30)
    if not forum_kind:
        r.fail("forum_kind", _l("Required."))
    claim_kind = r.text(data, "claim_kind", "claim_kind", 40) or "*"
    trigger = r.choice(data, "trigger", "trigger", TRIGGERS)
    if trigger is None and "trigger" not in r.errors:
        r.fail("trigger", _l("Please choose one of the options."))
    period = _days(r, data, "period_days", 1, 36500)
    if r.errors:
        raise InvalidInput(r.errors)
    rule.jurisdiction, rule.forum_kind, rule.claim_kind = jurisdiction, forum_kind, claim_kind
    rule.trigger, rule.period_days = trigger or "", period
    rule.note = r.text(data, "note", "note", 500)
    rule.active = r.flag(data, "active") if rule_id else True
    db.session.add(rule)
    _mark_changed()
    db.session.flush()
    audit.record_audit(actor, audit.ADMIN_CHANGE, "limitation_rule", str(rule.id), "save")
    db.session.commit()
    return rule


def apply_rule_changes() -> int:
    """If rules changed since last applied, recompute every open case's deadlines (batched)."""
    changed = db.session.get(JobRun, RULES_CHANGED)
    applied = db.session.get(JobRun, RULES_APPLIED)
    if changed is None or (applied is not None and applied.last_run_at >= changed.last_run_at):
        return 0
    started = utcnow()
    rules = active_stall_rules()
    count, last_id = 0, 0
    while True:
        cases = db.session.scalars(
            select(Case)
            .where(Case.id > last_id, Case.status.not_in(FINISHED), Case.purged_at.is_(None))
            .order_by(Case.id)
            .limit(BATCH)
        ).all()
        if not cases:
            break
        for case in cases:
            refresh_deadlines(case, started, rules)
        count += len(cases)
        last_id = cases[-1].id
        db.session.commit()
    record = applied or JobRun(job=RULES_APPLIED)
    record.last_run_at = started
    record.last_result = f"{count} case(s) recomputed"
    db.session.add(record)
    db.session.commit()
    return count


def list_stall_rules() -> list[StallRule]:
    return list(db.session.scalars(select(StallRule).order_by(StallRule.code)))


def list_limitation_rules() -> list[LimitationRule]:
    return list(
        db.session.scalars(
            select(LimitationRule).order_by(LimitationRule.jurisdiction, LimitationRule.id)
        )
    )
