"""The staff directory: organisations and their users, managed by admins (web) or the CLI.

Every function validates everything first, then changes, writes one ADMIN_CHANGE audit event
(ids and field names only, never names or emails) and commits once. Invalid input raises
`InvalidInput` with a message per field and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from babel import Locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casework.extensions import db
from casework.models import Organisation, StaffApproval, User
from casework.models import staff_approval as approval_kinds
from casework.models.people import ORG_KINDS, ROLES
from casework.services import audit
from casework.services.actors import Actor
from casework.services.directory.approvals import (
    account_settled,
    needs_approval,
    request_change,
)
from casework.services.directory.sessions import end_all_sessions
from casework.services.directory.staff_auth import (
    PasswordRejected,
    check_new_password,
    hash_password,
)
from casework.services.errors import InvalidInput
from casework.services.validation import whole_number

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
# CLDR territories that are not countries (regions, pseudo-locales, "unknown").
_NOT_COUNTRIES = {
    "AC",
    "CP",
    "CQ",
    "DG",
    "EA",
    "EU",
    "EZ",
    "IC",
    "QO",
    "TA",
    "UN",
    "XA",
    "XB",
    "ZZ",
}
_ENGLISH = Locale("en")
KNOWN_COUNTRIES = frozenset(
    code
    for code in map(str, _ENGLISH.territories)
    if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
)
KNOWN_LANGUAGES = frozenset(code for code in map(str, _ENGLISH.languages) if _LANGUAGE.match(code))


def split_codes(text: str) -> list[str]:
    """`"NP, qa ;BD"` → `["NP", "qa", "BD"]`: what people type into one text box."""
    return [code for code in re.split(r"[\s,;]+", text or "") if code]


# --- look-ups ----------------------------------------------------------------------------------
def list_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def list_users(organisation_id: int | None = None) -> list[User]:
    query = select(User).join(User.organisation).order_by(Organisation.name, User.name)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(db.session.scalars(query))


def find_organisation(slug_or_id: str | int) -> Organisation | None:
    if isinstance(slug_or_id, int):
        return db.session.get(Organisation, slug_or_id)
    if (number := whole_number(slug_or_id)) is not None:
        return db.session.get(Organisation, number)
    return db.session.scalars(
        select(Organisation).where(Organisation.slug == str(slug_or_id).strip().lower())
    ).first()


def find_user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).first()


# --- checks ------------------------------------------------------------------------------------
class _Checks:
    """Collects one message per field (kept lazy: the CLI renders them outside any request)."""

    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def fail(self, name: str, message: Any) -> None:
        self.errors.setdefault(name, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)

    def text(self, name: str, value: str, limit: int) -> str:
        value = (value or "").strip()
        if not value:
            self.fail(name, _l("Please fill this in."))
        elif len(value) > limit:
            self.fail(name, _l("Please use at most %(limit)d characters.", limit=limit))
        return value

    def one_of(self, name: str, value: str, allowed: Iterable[str]) -> str:
        if value not in allowed:
            self.fail(name, _l("Please choose one of the options."))
        return value

    def countries(self, codes: Iterable[str]) -> list[str]:
        wanted = list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
        unknown = [code for code in wanted if code not in KNOWN_COUNTRIES]
        if unknown:
            self.fail(
                "countries",
                _l("Not ISO country codes: %(codes)s.", codes=", ".join(unknown)),
            )
        elif not wanted:
            self.fail("countries", _l("Please give at least one country code, like NP or QA."))
        return wanted

    def languages(self, codes: Iterable[str]) -> list[str]:
        wanted = list(dict.fromkeys(code.strip().lower() for code in codes if code.strip()))
        unknown = [code for code in wanted if code not in KNOWN_LANGUAGES]
        if unknown:
            self.fail(
                "languages",
                _l("Not ISO language codes: %(codes)s.", codes=", ".join(unknown)),
            )
        elif not wanted:
            self.fail("languages", _l("Please give at least one language code, like ne or en."))
        return wanted

    def organisation(self, slug_or_id: str | int) -> Organisation | None:
        organisation = find_organisation(slug_or_id) if str(slug_or_id).strip() else None
        if organisation is None:
            self.fail("organisation", _l("There is no such organisation."))
        return organisation

    def password(self, password: str, email: str) -> None:
        try:
            check_new_password(password or "", email)
        except PasswordRejected as rejected:
            self.fail("password", _l("Not accepted: %(rule)s.", rule=str(rejected)))


def _commit(unique_field: str | None = None) -> None:
    """Commit; a unique key taken meanwhile by a concurrent request becomes a field error."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        if unique_field is None:
            raise
        raise InvalidInput({unique_field: _l("This is already taken.")}) from exc


def _changed(obj: object, values: Mapping[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


# --- organisations -----------------------------------------------------------------------------
def create_organisation(
    actor: Actor,
    slug: str,
    name: str,
    kind: str,
    countries: Iterable[str],
    languages: Iterable[str],
) -> Organisation:
    """Create an active organisation; `slug` is its permanent short name (unique)."""
    checks = _Checks()
    slug = (slug or "").strip().lower()
    if not _SLUG.match(slug):
        checks.fail("slug", _l("Use 2–60 lower-case letters, digits and hyphens."))
    elif find_organisation(slug) is not None:
        checks.fail("slug", _l("This is already taken."))
    organisation = Organisation(
        slug=slug,
        name=checks.text("name", name, 200),
        kind=checks.one_of("kind", kind, ORG_KINDS),
        active=True,
    )
    organisation.countries = checks.countries(countries)
    organisation.languages = checks.languages(languages)
    checks.raise_if_any()
    db.session.add(organisation)
    db.session.flush()
    audit.record_audit(actor, audit.ADMIN_CHANGE, "organisation", str(organisation.id), "create")
    _commit("slug")
    return organisation


def update_organisation(
    actor: Actor,
    organisation: Organisation,
    *,
    name: str,
    kind: str,
    countries: Iterable[str],
    languages: Iterable[str],
    active: bool,
) -> Organisation:
    """Change an organisation. Deactivating it signs out and locks out all of its users."""
    checks = _Checks()
    values: dict[str, Any] = {
        "name": checks.text("name", name, 200),
        "kind": checks.one_of("kind", kind, ORG_KINDS),
        "countries": checks.countries(countries),
        "languages": checks.languages(languages),
        "active": bool(active),
    }
    values["countries"] = sorted(values["countries"])
    if isinstance(actor, User) and actor.organisation_id == organisation.id and not active:
        checks.fail("active", _l("You cannot deactivate your own organisation."))
    checks.raise_if_any()
    changed = _changed(organisation, values)
    if "active" in changed and not values["active"]:
        end_all_sessions(organisation.users)  # reactivation must not bring them back
    for field, value in values.items():
        setattr(organisation, field, value)
    audit.record_audit(
        actor,
        audit.ADMIN_CHANGE,
        "organisation",
        str(organisation.id),
        "update: " + (",".join(changed) or "nothing"),
    )
    _commit()
    return organisation


# --- users -------------------------------------------------------------------------------------
def create_user(
    actor: Actor,
    email: str,
    name: str,
    org_slug_or_id: str | int,
    role: str,
    languages: Iterable[str],
    password: str,
) -> User:
    """Create an active staff user with an argon2id password hash. The user enrols a second
    factor at first sign-in. Emails are unique regardless of case. An account with access to
    cases created by an admin cannot sign in until a supervisor of its organisation approves
    it (approvals.py)."""
    checks = _Checks()
    email = (email or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        checks.fail("email", _l("Please give a valid email address."))
    elif find_user_by_email(email) is not None:
        checks.fail("email", _l("A user with this email already exists."))
    name = checks.text("name", name, 200)
    organisation = checks.organisation(org_slug_or_id)
    role = checks.one_of("role", role, ROLES)
    codes = checks.languages(languages)
    checks.password(password, email)
    checks.raise_if_any()
    user = User(email=email, name=name, organisation=organisation, role=role, active=True)
    user.languages = codes
    user.password_hash = hash_password(password)
    user.awaiting_approval = needs_approval(actor, role)
    db.session.add(user)
    db.session.flush()
    if user.awaiting_approval:
        request_change(actor, user, approval_kinds.ACCOUNT)
    audit.record_audit(
        actor,
        audit.ADMIN_CHANGE,
        "user",
        str(user.id),
        f"create organisation={user.organisation_id}",
    )
    _commit("email")
    return user


def update_user(
    actor: Actor,
    user: User,
    *,
    name: str,
    role: str,
    languages: Iterable[str],
    active: bool,
    organisation: str | int,
) -> User:
    """Change a user's name, role, languages, organisation or active flag. Admins cannot
    demote or deactivate themselves (someone must be able to undo mistakes). An admin moving an
    account into a role or organisation with access to cases signs it out until a supervisor of
    that organisation approves (approvals.py)."""
    checks = _Checks()
    target = checks.organisation(organisation)
    values: dict[str, Any] = {
        "name": checks.text("name", name, 200),
        "role": checks.one_of("role", role, ROLES),
        "languages": checks.languages(languages),
        "active": bool(active),
        "organisation": target or user.organisation,
    }
    if isinstance(actor, User) and actor.id == user.id:
        if role != user.role:
            checks.fail("role", _l("You cannot change your own role."))
        if not active:
            checks.fail("active", _l("You cannot deactivate yourself."))
    checks.raise_if_any()
    changed = _changed(user, values)
    if "active" in changed and not values["active"]:
        end_all_sessions([user])  # reactivation must not bring them back
    for field, value in values.items():
        setattr(user, field, value)
    if "role" in changed or "organisation" in changed:
        db.session.flush()
        account_settled(actor, user)
    audit.record_audit(
        actor,
        audit.ADMIN_CHANGE,
        "user",
        str(user.id),
        "update: " + (",".join(changed) or "nothing"),
    )
    _commit()
    return user


def reset_password(actor: Actor, user: User, new_password: str) -> StaffApproval | None:
    """Set a new password and end every session the user has open. For an account with access
    to cases reset by an admin, only once a supervisor of its organisation approves: the
    pending approval is returned and until then the old password keeps working."""
    checks = _Checks()
    checks.password(new_password, user.email)
    checks.raise_if_any()
    if needs_approval(actor, user.role):
        approval = request_change(
            actor, user, approval_kinds.PASSWORD, password_hash=hash_password(new_password)
        )
        audit.record_audit(
            actor, audit.ADMIN_CHANGE, "user", str(user.id), "reset_password awaiting approval"
        )
        _commit()
        return approval
    user.password_hash = hash_password(new_password)
    end_all_sessions([user])
    audit.record_audit(actor, audit.ADMIN_CHANGE, "user", str(user.id), "reset_password")
    _commit()
    return None


def reset_totp(actor: Actor, user: User) -> StaffApproval | None:
    """Forget the user's second factor (a lost phone): their sessions end and they enrol a new
    authenticator at their next sign-in. For an account with access to cases reset by an
    admin, only once a supervisor of its organisation approves (the pending approval is
    returned)."""
    if needs_approval(actor, user.role):
        approval = request_change(actor, user, approval_kinds.SECOND_FACTOR)
        audit.record_audit(
            actor, audit.ADMIN_CHANGE, "user", str(user.id), "reset_totp awaiting approval"
        )
        _commit()
        return approval
    user.totp_key_id = None
    user.totp_wrapped = None
    user.totp_confirmed = False
    end_all_sessions([user])
    audit.record_audit(actor, audit.ADMIN_CHANGE, "user", str(user.id), "reset_totp")
    _commit()
    return None
