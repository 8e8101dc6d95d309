"""Domain exceptions: what went wrong, in the domain's words, never as an HTTP answer.

Services raise these; `casework.error_pages` turns each kind into one answer (404, 403, 422,
409 …) in the worker's language, or JSON under /api/. A view catches one only when it has
something better to show than the standard answer (a form with its errors marked, say).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from casework.models import Case


class DomainError(Exception):
    """Base of every exception a service raises on purpose."""


class NotFound(DomainError):
    """No such thing, or the actor may not know it exists (the two look the same: 404)."""


class CaseNotFound(NotFound):
    """No such case, or the actor may not know it exists."""


class NotPermitted(DomainError):
    """The actor may know the thing exists but may not do or see this (403)."""


class InvalidInput(DomainError):
    """Some fields are invalid; `fields` maps each field to a (lazily translated) message.

    Raised before anything changed: nothing was stored (422).
    """

    def __init__(self, fields: Mapping[str, Any]):
        super().__init__("invalid: " + ", ".join(sorted(fields)))
        self.fields = dict(fields)


class EvidenceRejected(DomainError):
    """An evidence file was refused; nothing was stored.

    `status` is 413 for a file over the size cap and 415 for a type not on the allow-list.
    `position` is the file's index among the files sent (never its name, which can be personal).
    """

    def __init__(self, status: int, message: str, position: int):
        super().__init__(message)
        self.status = status
        self.message = message
        self.position = position


class CaseChanged(DomainError):
    """Someone changed the case after the actor loaded it (optimistic locking, 409)."""

    def __init__(self, case: Case, seen_version: int):
        super().__init__(f"case {case.reference} changed since version {seen_version}")
        self.case = case
        self.seen_version = seen_version
