"""Case page forms. Every change carries the case version it was made against."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from casework.vocabulary.outcomes import MONEY_KINDS, OUTCOMES


def options(mapping: dict[str, object], blank: bool = True) -> list[SelectChoice]:
    return ([SelectChoice("", "—")] if blank else []) + [
        SelectChoice(k, str(v)) for k, v in mapping.items()
    ]


class VersionedForm(FlaskForm):
    version = HiddenField()
    seen_event = HiddenField()


class NoteForm(VersionedForm):
    # Both forms are on the case page: one id each, so each label names its own box.
    body = TextAreaField(_l("Internal note"), id="note-body")
    shared = BooleanField(_l("Share with the partner organisation on the other side"))
    submit = SubmitField(_l("Add note"))


class MessageForm(VersionedForm):
    body = TextAreaField(
        _l("Message to the worker (they read it on their follow-up page)"), id="message-body"
    )
    submit = SubmitField(_l("Send to worker"))


class StatusForm(VersionedForm):
    to = HiddenField()
    reason = StringField(_l("Reason (needed to re-open or withdraw)"))


class OutcomeForm(VersionedForm):
    code = SelectField(_l("Outcome"), choices=options(OUTCOMES), validate_choice=False)
    kind = SelectField(_l("Kind of money"), choices=options(MONEY_KINDS), validate_choice=False)
    amount_claimed = StringField(_l("Amount claimed"))
    amount = StringField(_l("Amount paid or awarded"))
    amount_enforced = StringField(_l("Amount actually received"))
    currency = StringField(_l("Currency (ISO code)"))
    submit = SubmitField(_l("Record outcome"))


class OfferForm(FlaskForm):
    assignment_id = IntegerField()
    reason = StringField(_l("Why are you declining? (the case goes to someone else)"))


class ReassignForm(FlaskForm):
    assignment_id = IntegerField()
    user_id = SelectField(_l("Offer to"), validate_choice=False)


class TriageForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), validate_choice=False)
    side = SelectField(_l("Side"), validate_choice=False)
