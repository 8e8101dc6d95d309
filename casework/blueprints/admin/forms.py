"""Admin forms. They render and keep what was typed; the rules live in services/directory.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo

from casework.models import Organisation

CODES = {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}

ORG_KIND_LABELS = {
    "union": _l("Trade union"),
    "legal_aid": _l("Legal aid"),
    "ngo": _l("NGO"),
    "migrant_resource_centre": _l("Migrant resource centre"),
}
ROLE_LABELS = {
    "caseworker": _l("Caseworker"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}


def _options(mapping: Mapping[str, Any]) -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [
        SelectChoice(value, label) for value, label in mapping.items()
    ]


def organisation_choices(organisations: list[Organisation]) -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [
        SelectChoice(str(org.id), org.name if org.active else f"{org.name} ({_l('inactive')})")
        for org in organisations
    ]


def show_errors(form: FlaskForm, errors: Mapping[str, Any]) -> None:
    """Attach the service's per-field messages to the form's fields of the same name."""
    for name, message in errors.items():
        if name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            form.form_errors.append(message)


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"))
    kind = SelectField(_l("Kind"), choices=_options(ORG_KIND_LABELS), validate_choice=False)
    countries = StringField(_l("Countries covered"), render_kw=CODES)
    languages = StringField(_l("Languages"), render_kw=CODES)
    active = BooleanField(_l("Active (its staff can sign in)"))
    submit = SubmitField(_l("Save"))


class NewOrganisationForm(OrganisationForm):
    slug = StringField(_l("Short name (permanent; letters, digits, hyphens)"), render_kw=CODES)
    active = None  # a new organisation is always active
    submit = SubmitField(_l("Create organisation"))


class UserForm(FlaskForm):
    name = StringField(_l("Name"))
    organisation = SelectField(_l("Organisation"), validate_choice=False)
    role = SelectField(_l("Role"), choices=_options(ROLE_LABELS), validate_choice=False)
    languages = StringField(_l("Languages"), render_kw=CODES)
    active = BooleanField(_l("Active (can sign in)"))
    submit = SubmitField(_l("Save"))


class NewUserForm(UserForm):
    email = EmailField(_l("Email"), render_kw={"autocomplete": "off"})
    password = PasswordField(
        _l("First password (at least 12 characters)"), render_kw={"autocomplete": "new-password"}
    )
    repeat = PasswordField(
        _l("First password again"),
        validators=[EqualTo("password", _l("The two do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    active = None
    submit = SubmitField(_l("Create user"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password (at least 12 characters)"), render_kw={"autocomplete": "new-password"}
    )
    repeat = PasswordField(
        _l("New password again"),
        validators=[EqualTo("password", _l("The two do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Set password and sign the user out"))


class ResetSecondFactorForm(FlaskForm):
    submit = SubmitField(_l("Reset second factor"))
