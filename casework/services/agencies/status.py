"""What an entry's history says about one day: the status it had then."""

from __future__ import annotations

from datetime import date

from casework.models import RegistryAgency
from casework.models.registry import EXPIRED, VALID


def status_on(entry: RegistryAgency, day: date) -> str | None:
    """The entry's status on `day`, from its history; a valid licence past its end date is
    expired. None when the history does not reach back to that day (the list we hold is
    newer): unknown, not "unlicensed"."""
    current = None
    for change in sorted(entry.history, key=lambda c: (c.status_from, c.id or 0)):
        if change.status_from <= day:
            current = change
    if current is None:
        return None
    if current.status == VALID and current.valid_until is not None and day > current.valid_until:
        return EXPIRED
    return current.status
