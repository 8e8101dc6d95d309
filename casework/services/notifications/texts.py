"""What notifications and e-mails say, and in whose language.

In the app a notification names the case by its reference and says what happened, never more
(no story, no names). E-mails say even less — not even the reference: only how many
notifications wait, or that a case needs attention, and a sign-in link.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l

from casework.models import User
from casework.vocabulary.languages import DEFAULT_LANGUAGE, LANGUAGES

INBOX_PATH = "/notifications"  # the in-app list; e-mails link here

# About staff accounts, not a case: they name no one and no reference.
ACCOUNT_KINDS = {
    "staff_approval_needed": _l(
        "A staff account change in your organisation is waiting for a supervisor's approval."
    ),
    "staff_change_requested": _l(
        "An administrator asked to change your account (a new account, password or second "
        "factor). It takes effect only once a supervisor of your organisation approves it."
    ),
    "staff_change_approved": _l(
        "A supervisor of your organisation approved the change to your account."
    ),
    # To admins, from the "keys" job (services/keys/epochs.py): not about a case either.
    "key_ring_changed": _l(
        "The master key ring has changed. Back up the key ring (instance/keys/keyring.json) "
        "again now, and delete key-ring backups older than the backup retention window."
    ),
}
# What each kind of notification says in the app: the case reference and nothing else.
KINDS = {
    "stalled_warning": _l(
        "Case %(reference)s has had no activity for longer than its rules allow."
    ),
    "stalled_escalation": _l(
        "Case %(reference)s is still stalled and has been escalated to the supervisor."
    ),
    "referral_proposed": _l(
        "An access-to-justice referral has been proposed for case %(reference)s."
    ),
    "deadline_warning": _l("The claim in case %(reference)s will soon be time-barred."),
    "deadline_escalation": _l(
        "The claim in case %(reference)s is close to being time-barred and has been escalated."
    ),
    "offer_waiting": _l(
        "Case %(reference)s has been offered to you and is waiting to be accepted."
    ),
    "worker_message": _l("The worker has sent a new message on case %(reference)s."),
    "evidence_integrity_failed": _l(
        "An evidence file of case %(reference)s failed its integrity check and was not served."
    ),
    **ACCOUNT_KINDS,
}
NO_CASE = _l("Something in casework needs your attention.")


def notification_text(kind: str, reference: str | None) -> str:
    """The in-app sentence for `kind`, in the current language."""
    if kind in ACCOUNT_KINDS:
        return str(ACCOUNT_KINDS[kind])
    if reference is None or kind not in KINDS:
        return str(NO_CASE)
    return str(KINDS[kind] % {"reference": reference})


def stored_text(kind: str, reference: str | None) -> str:
    """The sentence as stored, in the default language (readers see it in theirs)."""
    default = LANGUAGES[DEFAULT_LANGUAGE].babel_locale
    if str(get_locale()) == default:  # jobs, and most requests: no need to switch
        return notification_text(kind, reference)
    with force_locale(default):
        return notification_text(kind, reference)


def user_locale(user: User) -> str:
    """The locale of the user's e-mails: the page language they chose, or else their first
    language casework speaks."""
    for code in (user.page_language, *user.languages):
        if code in LANGUAGES:
            return LANGUAGES[code].babel_locale
    return LANGUAGES[DEFAULT_LANGUAGE].babel_locale


def sign_in_link() -> str:
    return f"{current_app.config['PUBLIC_URL']}{INBOX_PATH}"
