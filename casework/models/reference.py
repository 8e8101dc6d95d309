"""Reference data: the countries the service works in."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model


class Country(Model):
    """A country offered on the form; names come from CLDR in the worker's language."""

    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)  # ISO 3166-1 alpha-2
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217
    is_origin: Mapped[bool] = mapped_column(default=False)
    is_destination: Mapped[bool] = mapped_column(default=False)
