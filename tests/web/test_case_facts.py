"""Editing a case's facts: saved with the case's optimistic lock, refused whole when a field is
wrong, recorded before and after on the timeline and the audit trail, open to no one else."""

from __future__ import annotations

from typing import Any

from flask import Flask

from casework.services.casefile.facts import current_facts
from tests.conftest import case_by_reference, login
from tests.web.desk import accepted_case, audit_rows


def _form(reference: str, **changes: Any) -> dict[str, Any]:
    case = case_by_reference(reference)
    values: dict[str, Any] = {**current_facts(case), **changes}
    values["abuse_codes"] = changes.get("abuse_codes", case.abuse_codes)
    values["version"] = changes.get("version", case.version)
    return values


def test_caseworker_edits_facts_with_before_and_after_recorded(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"], name="Asha")
    reference, client = accepted_case(app, lodge, asha)
    page = client.get(f"/cases/{reference}/facts").get_data(as_text=True)
    assert "Doha Build Contracting" in page and 'name="version"' in page

    response = client.post(
        f"/cases/{reference}/facts",
        data=_form(
            reference,
            employer_name="Al Noor Facilities",
            incident_date="2026-05-20",
            abuse_codes=["RA_FEES", "FL_WAGES"],
            actual_wage_amount="650",
        ),
    )
    assert response.status_code == 302
    case = case_by_reference(reference)
    assert case.employer_name == "Al Noor Facilities"
    assert case.incident_date.isoformat() == "2026-05-20"
    assert case.abuse_codes == ["FL_WAGES", "RA_FEES"]
    assert str(case.actual_wage_amount) == "650.00"
    [row] = audit_rows(reference, "facts_edited")
    assert "employer_name: Doha Build Contracting→Al Noor Facilities" in row.detail
    assert "incident_date: 2026-06-01→2026-05-20" in row.detail
    assert "abuse_codes: FL_DOCS,RA_FEES→FL_WAGES,RA_FEES" in row.detail
    timeline = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Facts changed" in timeline
    assert "Employer: Doha Build Contracting → Al Noor Facilities" in timeline

    # A form loaded before that change is refused whole: the conflict page says what changed.
    stale = _form(reference, employer_name="Someone Else", version=case.version - 1)
    conflict = client.post(f"/cases/{reference}/facts", data=stale)
    assert conflict.status_code == 409
    assert "Someone changed this case" in conflict.get_data(as_text=True)
    # A wrong field refuses every change, and says which.
    wrong = _form(reference, employer_name="Kept Out", incident_date="20/05/2026")
    refused = client.post(f"/cases/{reference}/facts", data=wrong)
    assert refused.status_code == 422
    assert "Please give a date as year-month-day" in refused.get_data(as_text=True)
    assert case_by_reference(reference).employer_name == "Al Noor Facilities"
    assert len(audit_rows(reference, "facts_edited")) == 1
    # Saving what is there changes nothing and records nothing.
    client.post(f"/cases/{reference}/facts", data=_form(reference))
    assert len(audit_rows(reference, "facts_edited")) == 1


def test_only_staff_working_the_case_edit_its_facts(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    gefont = make_org("gefont", ["NP"], ["ne"])
    asha = make_user(gefont, languages=["ne"], name="Asha")
    dhaka = make_org("dhaka-desk", ["BD"], ["bn"])
    reference, _client = accepted_case(app, lodge, asha)
    outsider = app.test_client()
    login(outsider, make_user(dhaka, name="Outsider"))
    admin = app.test_client()
    login(admin, make_user(gefont, role="admin", name="Admin"))
    data = _form(reference, employer_name="Changed By Someone Else")
    assert outsider.get(f"/cases/{reference}/facts").status_code == 404
    assert outsider.post(f"/cases/{reference}/facts", data=data).status_code == 404
    assert admin.post(f"/cases/{reference}/facts", data=data).status_code == 403
    assert case_by_reference(reference).employer_name == "Doha Build Contracting"
    assert audit_rows(reference, "facts_edited") == []
