"""Translated labels for the codes staff pages show (statuses, sides, event kinds, actions)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from casework.vocabulary.fees import FEE_CATEGORIES, LENDER_KINDS, PAYEE_KINDS, RECRUITMENT_CHANNELS
from casework.vocabulary.flags import FLAG_LEVELS, FLAG_RULES, NEXT_STEPS, TRIGGER_DATES
from casework.vocabulary.forums import ABUSE_LABELS, FORUM_KINDS, REFERRAL_STATUS_LABELS
from casework.vocabulary.media import media_label
from casework.vocabulary.outcomes import MONEY_KINDS, OUTCOMES

STATUS_LABELS = {
    "received": _l("Received"),
    "triaged": _l("Triaged"),
    "in_progress": _l("In progress"),
    "awaiting_worker": _l("Awaiting the worker"),
    "referred": _l("Referred"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
}
SIDE_LABELS = {"origin": _l("origin side"), "destination": _l("destination side")}
ASSIGNMENT_LABELS = {
    "offered": _l("offered"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "ended": _l("ended"),
}
EVENT_LABELS = {
    "lodged": _l("Complaint lodged"),
    "status_change": _l("Status change"),
    "message_from_worker": _l("Message from the worker"),
    "message_to_worker": _l("Message to the worker"),
    "evidence_added": _l("Evidence added"),
    "note": _l("Note"),
    "assignment": _l("Assignment"),
    "outcome": _l("Outcome"),
    "flag": _l("Flag"),
    "referral": _l("Referral"),
    "facts_edited": _l("Facts changed"),
    "case_linked": _l("Linked as duplicate"),
    "case_merged": _l("Merged"),
}
AUDIT_LABELS = {
    "login": _l("Signed in"),
    "login_failed": _l("Failed sign-in"),
    "logout": _l("Signed out"),
    "view_identity": _l("Viewed identity"),
    "view_narrative": _l("Viewed story"),
    "download_evidence": _l("Downloaded evidence"),
    "evidence_integrity_failed": _l("Evidence failed its integrity check"),
    "status_change": _l("Changed status"),
    "assignment": _l("Assignment"),
    "outcome": _l("Recorded outcome"),
    "export": _l("Exported"),
    "password_change": _l("Changed password"),
    "totp_enrolled": _l("Set up second step"),
    "admin_change": _l("Admin change"),
    "referral": _l("Referral"),
    "purge": _l("Purged under the retention policy"),
    "evidence_cleanup": _l("Evidence store cleaned"),
    "audit_sealed": _l("Audit trail sealed"),
    "upload_evidence": _l("Added evidence"),
    "preview_evidence": _l("Viewed evidence (preview)"),
    "facts_edited": _l("Changed facts"),
    "case_linked": _l("Linked as duplicate"),
    "case_merged": _l("Merged cases"),
}

TABLES: dict[str, dict[str, Any]] = {
    "status": STATUS_LABELS,
    "side": SIDE_LABELS,
    "assignment": ASSIGNMENT_LABELS,
    "event": EVENT_LABELS,
    "audit": AUDIT_LABELS,
    "fee": FEE_CATEGORIES,
    "payee": PAYEE_KINDS,
    "lender": LENDER_KINDS,
    "channel": RECRUITMENT_CHANNELS,
    "outcome": OUTCOMES,
    "money": MONEY_KINDS,
    "abuse": ABUSE_LABELS,
    "forum": FORUM_KINDS,
    "referral": REFERRAL_STATUS_LABELS,
    "flag_rule": FLAG_RULES,
    "flag_level": FLAG_LEVELS,
    "next_step": NEXT_STEPS,
    "trigger": TRIGGER_DATES,
}


def label(code: str | int | None, table: str) -> str:
    """The translated label of `code` in `table`; the code itself if unknown. Table
    "language" names a language in the reader's own language (CLDR: "ne" → "Nepali"), table
    "media" a file type in words ("image/png" → "Photo or image (PNG)")."""
    if code is None or code == "":
        return ""
    code = str(code)
    if table == "language":
        from casework.i18n import babel_locale

        return str(babel_locale().languages.get(code, code))
    if table == "media":
        return media_label(code)
    return str(TABLES[table].get(code, code))
