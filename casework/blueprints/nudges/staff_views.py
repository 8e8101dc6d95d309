"""What staff see of nudges: a case's (a partial on the case page) and the failures list."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template

from casework.blueprints.nudges import staff_bp
from casework.models import Case
from casework.services.notifications.nudges import NudgeSummary, case_nudges, failed_nudges
from casework.staff_session import staff


@staff_bp.app_context_processor
def _case_nudges() -> dict[str, Callable[[Case], NudgeSummary | None]]:
    """`case_nudges(case)` for templates/cases/_nudges.html (the case page has loaded the case
    through the access check): whether and when the worker was nudged, never the number."""
    return {"case_nudges": case_nudges}


@staff_bp.get("")
def failures() -> str:
    actor = staff()
    return render_template("nudges/failures.html", failures=failed_nudges(actor.organisation_id))
