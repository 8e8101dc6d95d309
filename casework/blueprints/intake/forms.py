"""The worker's forms. They render and keep what was typed; the rules live in the service."""

from __future__ import annotations

from typing import Any

from babel.numbers import NumberFormatError, parse_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from casework.i18n import select_locale
from casework.vocabulary.abuse import ABUSE_QUESTIONS
from casework.vocabulary.fees import (
    CONTACT_CHANNELS,
    FEE_CATEGORIES,
    LENDER_KINDS,
    PAYEE_KINDS,
    RECRUITMENT_CHANNELS,
)

DATE = {"type": "date"}


def canonical_amount(typed: str | None) -> str | None:
    """An amount as the worker wrote it in their language's conventions ("1.500.000" in
    Indonesian, "1,50,000" in Nepali, "150,50" with a decimal comma) turned into the API's plain
    decimal string. Anything unreadable is passed on unchanged for the service to reject."""
    text = (typed or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return typed
    for locale in (select_locale(), "en"):
        try:
            return str(parse_decimal(text, locale=locale, strict=True))
        except (NumberFormatError, ValueError):
            continue
    return text


AMOUNT = {"inputmode": "decimal", "autocomplete": "off"}


def _options(mapping: dict[str, Any], blank: bool = True) -> list[SelectChoice]:
    blank_choice = [SelectChoice("", "—")] if blank else []
    return blank_choice + [SelectChoice(value, label) for value, label in mapping.items()]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FeeForm(Form):
    category = SelectField(
        _l("What was it for?"), choices=_options(FEE_CATEGORIES), validate_choice=False
    )
    amount = StringField(_l("Amount you paid"), render_kw=AMOUNT)
    receipt_amount = StringField(_l("Amount written on the receipt (if any)"), render_kw=AMOUNT)
    currency = SelectField(_l("Currency"), validate_choice=False)
    paid_on = StringField(_l("Date paid"), render_kw=DATE)
    payee = SelectField(_l("Paid to"), choices=_options(PAYEE_KINDS), validate_choice=False)
    loan = BooleanField(_l("I borrowed money to pay this"))
    lender_kind = SelectField(
        _l("Borrowed from"), choices=_options(LENDER_KINDS), validate_choice=False
    )
    loan_interest_pct = StringField(_l("Interest per year (%)"), render_kw=AMOUNT)

    def is_blank(self) -> bool:
        return not any(
            (self.category.data, self.amount.data, self.receipt_amount.data, self.paid_on.data)
        )


class ComplaintForm(FlaskForm):
    language = HiddenField()
    # A random token per filled-in form: sending the same form twice returns the same receipt.
    submission = HiddenField()
    origin_country = SelectField(_l("Which country are you from?"), validate_choice=False)
    destination_country = SelectField(
        _l("In which country is (or was) the job?"), validate_choice=False
    )
    agency_name = StringField(_l("Name of the recruitment agency or agent"))
    agency_licence_number = StringField(_l("Agency licence number (if you know it)"))
    employer_name = StringField(_l("Name of the employer or company"))
    occupation = StringField(_l("Your job"))
    abuse_categories = MultiCheckboxField(
        _l("What happened to you? Tick all that apply."),
        choices=_options(ABUSE_QUESTIONS, blank=False),
        validate_choice=False,
    )
    fees = FieldList(FormField(FeeForm), min_entries=2, max_entries=40)
    add_fee = SubmitField(_l("Add another payment"))
    recruitment_channel = RadioField(
        _l("How did you find this job?"),
        choices=_options(RECRUITMENT_CHANNELS, blank=False),
        validate_choice=False,
    )
    promised_wage_amount = StringField(_l("Monthly wage you were promised"), render_kw=AMOUNT)
    promised_wage_currency = SelectField(_l("Currency"), validate_choice=False)
    actual_wage_amount = StringField(
        _l("Monthly wage you actually got (first month)"), render_kw=AMOUNT
    )
    actual_wage_currency = SelectField(_l("Currency"), validate_choice=False)
    departure_date = StringField(_l("Date you left your country"), render_kw=DATE)
    job_start_date = StringField(_l("Date the job started"), render_kw=DATE)
    incident_date = StringField(_l("Date of the main problem"), render_kw=DATE)
    contract_end_date = StringField(_l("Date the contract ended or will end"), render_kw=DATE)
    narrative = TextAreaField(_l("Tell us what happened, in your own words"))
    evidence = MultipleFileField(_l("Photos, documents or voice notes (you can choose several)"))
    # The handle of a held file to remove: the value of the button pressed (never rendered).
    remove_file = StringField()
    contact_name = StringField(_l("Your name"))
    contact_phone = StringField(_l("Phone number, with country code"), render_kw={"type": "tel"})
    contact_email = StringField(_l("Email"), render_kw={"type": "email"})
    contact_channel = SelectField(
        _l("Best way to reach you"), choices=_options(CONTACT_CHANNELS), validate_choice=False
    )
    contact_safe_times = StringField(_l("When is it safe to contact you?"))
    contact_notify = BooleanField(
        _l("Send me a short message when there is news. It does not say what the news is.")
    )
    contact_safe_hours = SelectField(
        _l("When may that message come?"),
        choices=_options(
            {
                "": _l("In the day (8 in the morning to 8 in the evening)"),
                "06-08": _l("Early morning (6 to 8)"),
                "12-14": _l("Midday (12 to 2)"),
                "18-21": _l("Evening (6 to 9)"),
                "21-23": _l("Late evening (9 to 11)"),
            },
            blank=False,
        ),
        validate_choice=False,
    )
    consent_share_with_partners = BooleanField(
        _l(
            "You may share my complaint with partner organisations (unions, legal aid) that can help."
        )
    )
    consent_share_across_borders = BooleanField(
        _l(
            "You may share it with partner organisations in the other country (home or work country)."
        )
    )
    confirm_unusual = BooleanField(_l("Yes, this is right"))
    submit = SubmitField(_l("Send my complaint"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (field, warning) for each unusual answer the worker is asked to confirm.
        self.unusual: list[tuple[Any, str]] = []

    def to_payload(self) -> dict[str, Any]:
        """The complaint in the API's shape (DESIGN §6), for `lodge_complaint`."""
        fees: list[dict[str, Any] | None] = []
        for entry in self.fees:
            fee_form: FeeForm = entry.form
            if fee_form.is_blank():
                fees.append(None)
                continue
            fee: dict[str, Any] = {
                "category": fee_form.category.data,
                "amount": canonical_amount(fee_form.amount.data),
                "receipt_amount": canonical_amount(fee_form.receipt_amount.data),
                "currency": fee_form.currency.data,
                "paid_on": fee_form.paid_on.data,
                "payee": fee_form.payee.data,
            }
            if fee_form.loan.data:
                fee["loan"] = {
                    "lender": fee_form.lender_kind.data,
                    "annual_interest_pct": canonical_amount(fee_form.loan_interest_pct.data),
                }
            fees.append(fee)
        payload: dict[str, Any] = {
            "language": self.language.data,
            "origin_country": self.origin_country.data,
            "destination_country": self.destination_country.data,
            "agency": {
                "name": self.agency_name.data,
                "licence_number": self.agency_licence_number.data,
            },
            "employer": {"name": self.employer_name.data},
            "occupation": self.occupation.data,
            "abuse_categories": list(self.abuse_categories.data or []),
            # Blank rows keep their index so errors land on the right row; then they are dropped.
            "fees": fees,
            "recruitment_channel": self.recruitment_channel.data,
            "promised_monthly_wage": {
                "amount": canonical_amount(self.promised_wage_amount.data),
                "currency": self.promised_wage_currency.data,
            },
            "actual_monthly_wage": {
                "amount": canonical_amount(self.actual_wage_amount.data),
                "currency": self.actual_wage_currency.data,
            },
            "departure_date": self.departure_date.data,
            "job_start_date": self.job_start_date.data,
            "incident_date": self.incident_date.data,
            "contract_end_date": self.contract_end_date.data,
            "narrative": self.narrative.data,
            "contact": {
                "name": self.contact_name.data,
                "phone": self.contact_phone.data,
                "email": self.contact_email.data,
                "channel": self.contact_channel.data,
                "safe_times": self.contact_safe_times.data,
                "notify": bool(self.contact_notify.data),
                "safe_hours": self.contact_safe_hours.data or "",
            },
            "consent": {
                "share_with_partners": self.consent_share_with_partners.data,
                "share_across_borders": self.consent_share_across_borders.data,
            },
        }
        return payload

    def show_errors(self, errors: dict[str, str]) -> None:
        """Attach the service's field errors (payload paths) to the fields that caused them."""
        for path, message in errors.items():
            field = self._field_for(path)
            if field is not None:
                field.errors = [*list(field.errors), message]
            else:
                self.form_errors.append(message)

    def show_unusual(self, warnings: dict[str, str]) -> None:
        """Attach the service's warnings (payload paths) to their fields, to be confirmed."""
        self.unusual = []
        for path, message in warnings.items():
            field = self._field_for(path)
            if field is not None:
                field.unusual = message
                self.unusual.append((field, message))
        self.confirm_unusual.data = False

    def problems(self) -> list[tuple[str, str, str]]:
        """(id of the field, its label, the message) for every error on the page, in the
        order of the page: the error summary links each one."""
        found = []
        for field in _walk(self):
            if field.type in {"HiddenField", "CSRFTokenField"}:
                continue  # not the worker's to fix (an expired form says so on its own)
            for message in field.errors or ():
                found.append((_anchor(field), str(field.label.text), str(message)))
        return found

    def _field_for(self, path: str) -> Any:
        parts = path.split(".")
        if parts[0] == "fees" and len(parts) >= 3 and parts[1].isdigit():
            index = int(parts[1])
            if index >= len(self.fees.entries):
                return None
            loan_fields = {"lender": "lender_kind", "annual_interest_pct": "loan_interest_pct"}
            sub = (
                loan_fields.get(parts[3], "") if parts[2] == "loan" and len(parts) > 3 else parts[2]
            )
            return getattr(self.fees.entries[index].form, sub, None)
        aliases = {
            "agency.name": "agency_name",
            "agency.licence_number": "agency_licence_number",
            "employer.name": "employer_name",
            "promised_monthly_wage.amount": "promised_wage_amount",
            "promised_monthly_wage.currency": "promised_wage_currency",
            "actual_monthly_wage.amount": "actual_wage_amount",
            "actual_monthly_wage.currency": "actual_wage_currency",
        }
        name = aliases.get(path, path.replace(".", "_"))
        return getattr(self, name, None) if name in self._fields else None


class StepComplaintForm(ComplaintForm):
    """The same complaint asked one thing per page: one payment row to begin with."""

    fees = FieldList(FormField(FeeForm), min_entries=1, max_entries=40)
    # The registry entries "Find my agency" offers (agency_lookup.py); chosen, one fills the
    # agency's name and licence number. Never kept in the draft itself.
    agency_choice = RadioField(
        _l("Is your agency one of these?"), choices=[], validate_choice=False
    )


def _walk(form: Any) -> Any:
    """Every leaf field of a form, fee rows included, in the order of the page."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                yield from _walk(entry.form)
        else:
            yield field


def _anchor(field: Any) -> str:
    """The id to link to: a list of radios or checkboxes is reached through its first one."""
    if isinstance(field, (RadioField, MultiCheckboxField)):
        return f"{field.id}-0"
    return str(field.id)


class FollowupLoginForm(FlaskForm):
    reference = StringField(
        _l("Your reference (like CW-7K3M-92XD)"),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "dir": "ltr"},
    )
    # Plain text without JavaScript (easier to type right on a phone); secret.js hides it
    # behind a Show/Hide button and groups the digits in fours as they are typed.
    secret = StringField(
        _l("Your 16-digit secret code"),
        render_kw={
            "autocomplete": "off",
            "inputmode": "numeric",
            "spellcheck": "false",
            "autocapitalize": "off",
            "dir": "ltr",  # digit groups keep their order in a right-to-left page
        },
    )
    submit = SubmitField(_l("Check my complaint"))


class FollowupMessageForm(FlaskForm):
    message = TextAreaField(_l("Write a message to your caseworker"))
    submit = SubmitField(_l("Send message"))


class FollowupEvidenceForm(FlaskForm):
    evidence = MultipleFileField(_l("Add photos, documents or voice notes"))
    submit = SubmitField(_l("Send files"))


class FollowupReferralForm(FlaskForm):
    """The worker's yes or no to one proposed referral."""

    referral_id = HiddenField()
    share_identity = BooleanField(_l("You may share my name and contact details with them."))
    agree = SubmitField(_l("Yes, send my case"))
    refuse = SubmitField(_l("No, do not send it"))
