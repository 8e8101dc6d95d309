"""Domain exceptions that the web and API layers turn into answers."""

from __future__ import annotations

from collections.abc import Mapping


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
