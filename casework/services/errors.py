"""Domain exceptions that the web and API layers turn into answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casework.models import Case


class ComplaintInvalid(Exception):
    """The complaint (or a follow-up addition) has field errors; nothing was stored."""

    def __init__(self, fields: Mapping[str, str]):
        super().__init__("invalid complaint: " + ", ".join(sorted(fields)))
        self.fields = dict(fields)


class EvidenceRejected(Exception):
    """An evidence file was refused; nothing was stored.

    `status` is 413 for a file over the size cap and 415 for a type not on the allow-list.
    `position` is the file's index among the files sent (never its name, which can be personal).
    """

    def __init__(self, status: int, message: str, position: int):
        super().__init__(message)
        self.status = status
        self.message = message
        self.position = position


class CaseChanged(Exception):
    """Someone changed the case after the actor loaded it (optimistic locking)."""

    def __init__(self, case: Case, seen_version: int):
        super().__init__(f"case {case.reference} changed since version {seen_version}")
        self.case = case
        self.seen_version = seen_version
