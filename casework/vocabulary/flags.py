"""Flags in plain words: what each stall rule means and each step of the escalation ladder."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# The seeded stall rules (services/escalation/stall_rules.py) and the claim-deadline ladder.
# Rules an admin adds show their own description instead.
FLAG_RULES = {
    "NOT_TRIAGED": _l("Received but not triaged"),
    "OFFER_NOT_ACCEPTED": _l("Offer not answered"),
    "NO_ACTIVITY": _l("No activity while in progress"),
    "AWAITING_WORKER": _l("Waiting for the worker too long"),
    "REFERRAL_NO_RESPONSE": _l("Referral without a response"),
    "CLAIM_DEADLINE": _l("Claim deadline approaching"),
}

# The ladder (DESIGN §5): each level is a step the scheduler has taken.
FLAG_LEVELS = {
    "1": _l("step 1 of 3: caseworker warned"),
    "2": _l("step 2 of 3: supervisor alerted"),
    "3": _l("step 3 of 3: referral proposed"),
}

# What the scheduler does when the case reaches the next step.
NEXT_STEPS = {
    "1": _l("warn the caseworker"),
    "2": _l("alert the supervisor"),
    "3": _l("propose a referral"),
}

# The case dates a claim's time limit runs from (LimitationRule.trigger).
TRIGGER_DATES = {
    "contract_end_date": _l("end of the contract"),
    "incident_date": _l("the incident"),
    "departure_date": _l("departure"),
    "job_start_date": _l("start of the job"),
}
