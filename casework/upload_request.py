"""The request class: uploaded files are encrypted before they touch the disk."""

from __future__ import annotations

from typing import IO

from flask import Request, current_app, g

from casework.storage.spool import EncryptedSpool


class EncryptingRequest(Request):
    """Replaces Werkzeug's plaintext temporary files with `EncryptedSpool`s.

    Every spool is remembered on `g`; `discard_uncommitted_spools` (a teardown) removes the
    temporary file of any spool that was not committed, whatever happened in the view.
    """

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        config = current_app.config
        spool = EncryptedSpool(
            current_app.extensions["casework.evidence_store"],
            max_bytes=config["MAX_FILE_BYTES"],
            chunk_size=config["EVIDENCE_CHUNK_SIZE"],
        )
        g.setdefault("casework_spools", []).append(spool)
        return spool  # type: ignore[return-value]


def discard_uncommitted_spools(_exc: BaseException | None = None) -> None:
    for spool in g.pop("casework_spools", []):
        spool.discard()
