"""Evidence files: encrypted blobs in the evidence store, described here."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

if TYPE_CHECKING:
    from casework.models.case import Case


class Evidence(Model):
    """One file. Its key is wrapped by the case key; `sha256` is of the plaintext (custody)."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    blob_id: Mapped[str] = mapped_column(String(64), unique=True)
    file_key_id: Mapped[str] = mapped_column(String(32))  # the blob header's key id, hex
    wrapped_file_key: Mapped[bytes] = mapped_column(LargeBinary)
    filename_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    media_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(10))  # worker / staff
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="evidence")
