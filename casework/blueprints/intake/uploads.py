"""Reading uploaded files off the request as encrypted spools."""

from __future__ import annotations

from flask import request

from casework.services.evidence.operations import IncomingFile


def uploaded_files(field: str) -> list[tuple[str, IncomingFile]]:
    """(filename, spool) for every non-empty file sent in `field`."""
    files = []
    for storage in request.files.getlist(field):
        spool = storage.stream
        if not storage.filename and not getattr(spool, "size", 0):
            continue  # an empty file input
        files.append((storage.filename or "", spool))
    return files  # type: ignore[return-value]
