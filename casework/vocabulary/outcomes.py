"""Outcome codes (DOMAIN.md) and kinds of money recovered."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

OUTCOMES = {
    "OUT_MONEY_RECOVERED": _l("Money recovered"),
    "OUT_SETTLED_MEDIATION": _l("Settled in mediation"),
    "OUT_AWARD": _l("Award by a court or tribunal"),
    "OUT_LICENCE_ACTION": _l("Agency licence suspended, cancelled or blacklisted"),
    "OUT_FINE": _l("Fine imposed"),
    "OUT_PROSECUTION": _l("Prosecution"),
    "OUT_REPATRIATED": _l("Repatriated"),
    "OUT_DOCS_RETURNED": _l("Documents returned"),
    "OUT_EMPLOYER_TRANSFER": _l("Transferred to another employer"),
    "OUT_ABSCONDING_CLEARED": _l("Absconding charge cleared"),
    "OUT_WITHDRAWN": _l("Withdrawn"),
    "OUT_TIME_BARRED": _l("Time-barred"),
    "OUT_LOST_CONTACT": _l("Lost contact"),
    "OUT_UNRESOLVED": _l("Unresolved"),
}

MONEY_KINDS = {
    "wages": _l("Wages"),
    "fee_refund": _l("Fee refund"),
    "compensation": _l("Compensation"),
    "insurance": _l("Insurance"),
}
