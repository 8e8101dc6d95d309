"""Files a worker chose on the complaint form, kept while the form is shown again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow


class HeldUpload(Model):
    """An uploaded file whose encrypted temporary file is kept in the evidence store's
    temporary folder until the form it came with is sent, or `expires_at` passes.

    Keyed by the SHA-256 of the form's random submission token. The file key is wrapped, and
    the original filename sealed, under a key derived from that token and the browser's form
    cookie: the database, the store and the key ring together cannot open a held file; only
    the browser holding the form can, by sending it. `handle` is the random name the page uses
    for the remove button; `temp_name` never leaves the server."""

    __tablename__ = "held_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    handle: Mapped[str] = mapped_column(String(32), unique=True)
    temp_name: Mapped[str] = mapped_column(String(120), unique=True)
    key_id: Mapped[str] = mapped_column(String(32))  # the blob header's key id, hex
    wrapped_file_key: Mapped[bytes] = mapped_column(LargeBinary)
    filename_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
