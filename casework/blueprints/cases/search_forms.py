"""The queue's forms that change something: saving a view, deleting one, a bulk change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField


class SaveViewForm(FlaskForm):
    name = StringField(_l("Save this search as"))
    query = HiddenField()  # the search being saved, as its query string
    submit = SubmitField(_l("Save view"))


class DeleteViewForm(FlaskForm):
    submit = SubmitField(_l("Delete"))


class BulkForm(FlaskForm):
    action = SelectField(_l("With the selected cases"), validate_choice=False)
    user_id = SelectField(_l("Offer to"), validate_choice=False)
    organisation_id = SelectField(_l("Transfer to"), validate_choice=False)
    status = SelectField(_l("New status"), validate_choice=False)
    reason = StringField(_l("Reason (needed to re-open or withdraw)"))
    back = HiddenField()  # the search to return to, as its query string
    submit = SubmitField(_l("Apply to selected cases"))
