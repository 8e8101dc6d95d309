"""The default stall rules (admins edit the days; seeding never overwrites their edits)."""

from __future__ import annotations

from casework.extensions import db
from casework.models import StallRule
from casework.vocabulary.status import AWAITING_WORKER, IN_PROGRESS, RECEIVED

# code: (description, status or None for any open status, clock, days, escalate after, refer after)
DEFAULT_STALL_RULES = {
    "NOT_TRIAGED": ("received but not triaged", RECEIVED, "created", 2, 2, 7),
    "OFFER_NOT_ACCEPTED": ("offer not accepted", None, "offered", 3, 2, 7),
    "NO_ACTIVITY": ("no activity while in progress", IN_PROGRESS, "last_activity", 14, 7, 21),
    "AWAITING_WORKER": ("waiting for the worker", AWAITING_WORKER, "status_since", 21, 7, 21),
    "REFERRAL_NO_RESPONSE": ("referral without response", None, "referral_sent", 30, 7, 14),
}


def load_default_stall_rules() -> int:
    added = 0
    for code, (description, status, clock, days, escalate, refer) in DEFAULT_STALL_RULES.items():
        if db.session.get(StallRule, code) is None:
            db.session.add(
                StallRule(
                    code=code,
                    description=description,
                    status=status,
                    clock=clock,
                    days=days,
                    escalate_after_days=escalate,
                    refer_after_days=refer,
                )
            )
            added += 1
    db.session.commit()
    return added
