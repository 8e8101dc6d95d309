"""The complaint asked one thing per page: which answers belong to which step, and each step's
errors and warnings, so a step can be checked when the worker presses Next.

The steps only split the same complaint (DESIGN §6) into pages; `parse_complaint` and the
plausibility rules stay the one place the answers are judged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from casework.services.errors import InvalidInput
from casework.services.intake.complaint import parse_complaint
from casework.services.intake.operations import LodgedComplaint, known_country_codes
from casework.services.intake.plausibility import Unusual, unusual_answers
from casework.services.intake.web_form import lodge_form_complaint

STEPS = ("language", "where", "what", "money", "evidence", "contact", "check")

# The payload paths (DESIGN §6) each step asks for: a path or the section it starts.
_PATHS: dict[str, tuple[str, ...]] = {
    "language": ("language",),
    "where": (
        "origin_country",
        "destination_country",
        "agency",
        "employer",
        "occupation",
        "recruitment_channel",
    ),
    "what": (
        "abuse_categories",
        "narrative",
        "departure_date",
        "job_start_date",
        "incident_date",
        "contract_end_date",
    ),
    "money": ("fees", "promised_monthly_wage", "actual_monthly_wage"),
    "evidence": (),
    "contact": ("contact", "consent"),
    "check": (),
}


def step_of_path(path: str) -> str:
    """The step that asks for the answer at `path` (`fees.0.amount` → money); "check" for a
    path no step asks for (the complaint as a whole)."""
    for step, roots in _PATHS.items():
        if any(path == root or path.startswith(root + ".") for root in roots):
            return step
    return "check"


def check_step(step: str, payload: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(errors, warnings) about this step's answers, each path → message in the request's
    language. Warnings (unusual answers) are given only when the whole complaint reads."""
    try:
        complaint = parse_complaint(payload, known_country_codes())
    except InvalidInput as invalid:
        mine = {p: m for p, m in invalid.fields.items() if step_of_path(p) == step}
        return mine, {}
    warnings = unusual_answers(complaint, payload)
    return {}, {p: m for p, m in warnings.items() if step_of_path(p) == step}


def lodge_steps_complaint(
    payload: dict[str, Any],
    token: str,
    holder: str,
    confirmed: Sequence[str],
    confirm_now: bool,
) -> LodgedComplaint:
    """Lodge the complaint the steps gathered, with the files held under `token`.

    Unusual answers the worker confirmed on their step (`confirmed`), or confirms now, are
    not asked about again; any other raises `Unusual` with nothing stored. Otherwise raises
    what `lodge_form_complaint` raises."""
    if not confirm_now:
        try:
            warnings = unusual_answers(parse_complaint(payload, known_country_codes()), payload)
        except InvalidInput:
            warnings = {}  # lodging says what is wrong
        pending = {p: m for p, m in warnings.items() if p not in set(confirmed)}
        if pending:
            raise Unusual(pending)
    return lodge_form_complaint(payload, token, holder, unusual_confirmed=True)
