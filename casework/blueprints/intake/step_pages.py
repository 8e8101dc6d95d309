"""What the step pages show: each step's title, which posted fields it owns, where an error's
link goes, and the answers listed on "Check and send"."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, RadioField, SelectField

from casework.blueprints.intake.choices import country_choices, currency_choices
from casework.blueprints.intake.forms import MultiCheckboxField, StepComplaintForm
from casework.services.evidence.held import HeldFile
from casework.services.intake.steps import STEPS

STEP_TITLES = {
    "language": _l("Language"),
    "where": _l("Where"),
    "what": _l("What happened"),
    "money": _l("Money you paid to get this job"),
    "evidence": _l("Evidence"),
    "contact": _l("How can we reach you? (you can stay anonymous)"),
    "check": _l("Check and send"),
}

# The form fields each step asks (fee rows by their prefix).
_FIELDS: dict[str, tuple[str, ...]] = {
    "language": ("language",),
    "where": (
        "origin_country",
        "destination_country",
        "agency_name",
        "agency_licence_number",
        "employer_name",
        "occupation",
        "recruitment_channel",
    ),
    "what": (
        "abuse_categories",
        "narrative",
        "incident_date",
        "departure_date",
        "job_start_date",
        "contract_end_date",
    ),
    "money": (
        "fees-",
        "promised_wage_amount",
        "promised_wage_currency",
        "actual_wage_amount",
        "actual_wage_currency",
    ),
    "evidence": (),
    "contact": (
        "contact_name",
        "contact_phone",
        "contact_email",
        "contact_channel",
        "contact_safe_times",
        "contact_notify",
        "contact_safe_hours",
        "consent_share_with_partners",
        "consent_share_across_borders",
    ),
    "check": (),
}

# Asked first on "What happened"; the other questions wait behind "More questions".
COMMON_QUESTIONS = (
    "RA_FEES",
    "RA_CONTRACT_SUB",
    "FL_WAGES",
    "RA_DEDUCTIONS",
    "FL_DOCS",
    "FL_DEBT",
    "FL_MOVEMENT",
    "FL_VIOLENCE",
)


def owned_by(step: str, name: str) -> bool:
    """True if the posted field `name` is one of this step's answers."""
    return any(name.startswith(f) if f.endswith("-") else name == f for f in _FIELDS.get(step, ()))


def step_of_field(field_id: str) -> str:
    """The step a field (by its id, `fees-0-amount`, `recruitment_channel-0`) is asked on."""
    for step in STEPS:
        if owned_by(step, field_id) or owned_by(step, field_id.rsplit("-", 1)[0]):
            return step
    return "check"


def problem_links(form: StepComplaintForm, step: str) -> list[tuple[str, str, str]]:
    """(link, label, message) for each error: on this page, or on the step that asks it."""
    links = []
    for anchor, label, message in form.problems():
        owner = step_of_field(anchor)
        if owner == step or owner == "check":
            href = f"#{anchor}"
        else:
            href = url_for("intake.complaint_step", step=owner) + f"?from=check#{anchor}"
        links.append((href, label, message))
    return links


def with_choices(form: StepComplaintForm) -> StepComplaintForm:
    """The form with its countries and currencies named in the worker's language."""
    form.origin_country.choices = country_choices(origin=True)
    form.destination_country.choices = country_choices(origin=False)
    currencies = currency_choices()
    form.promised_wage_currency.choices = currencies
    form.actual_wage_currency.choices = currencies
    for entry in form.fees:
        entry.form.currency.choices = currencies
    return form


def _shown(field: Any) -> str:
    """A field's answer as the worker would read it back; "" when unanswered."""
    if isinstance(field, BooleanField):
        return str(_("yes")) if field.data else ""
    if isinstance(field, (SelectField, RadioField, MultiCheckboxField)):
        picked = [str(label) for _v, label, selected, *_rest in field.iter_choices() if selected]
        return "\n".join(p for p in picked if p != "—")  # one answer a line
    return str(field.data or "").strip()


def answers(
    form: StepComplaintForm, held: list[HeldFile]
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(step, its title, [(question, answer)]) for every step but the first and the last,
    each answered question in the order of its page."""
    listed = []
    for step in STEPS[1:-1]:
        rows: list[tuple[str, str]] = []
        for field in form:
            if isinstance(field, FieldList):
                if step == "money":
                    for number, entry in enumerate(field, start=1):
                        parts = [_shown(f) for f in entry.form if _shown(f)]
                        if parts and not entry.form.is_blank():
                            label = _("Payment %(number)s", number=number)
                            rows.append((label, " · ".join(parts)))
                continue
            if owned_by(step, field.name) and _shown(field):
                rows.append((str(field.label.text), _shown(field)))
        if step == "evidence":
            rows += [(_("File %(number)s", number=n), f.filename) for n, f in enumerate(held, 1)]
        listed.append((step, str(STEP_TITLES[step]), rows))
    return listed
