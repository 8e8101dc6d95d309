"""The web form's complaint: its files held across re-renders, then lodged together.

Every accepted request of the form holds the files it brought (services/evidence/held.py), so
an error elsewhere on the page, "Add another payment" or a removed file loses none of them.
Sending the form lodges the complaint with every file held for its submission token, then
forgets the holds.
"""

from __future__ import annotations

from typing import Any

from casework.services.evidence.held import claim_held, drop_holds
from casework.services.intake.operations import LodgedComplaint, lodge_complaint
from casework.services.intake.submissions import ReceiptUnavailable


def lodge_form_complaint(
    payload: dict[str, Any], token: str, holder: str, unusual_confirmed: bool
) -> LodgedComplaint:
    """Lodge the form's complaint with every file held under `token` for this browser
    (`holder`); the holds are then forgotten. Raises what `lodge_complaint` raises, with the
    files still held, except `ReceiptUnavailable` (the complaint was lodged: holds go too)."""
    uploads = claim_held(token, holder)
    try:
        lodged = lodge_complaint(
            payload,
            uploads,
            source="web",
            submission_token=token,
            holder=holder,
            ask_about_unusual=not unusual_confirmed,
        )
    except ReceiptUnavailable:
        drop_holds(token)
        raise
    drop_holds(token)
    return lodged
