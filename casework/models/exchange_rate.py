"""Exchange rates for comparing fees with wages (SDG 10.7.1) and reporting in one currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model


class ExchangeRate(Model):
    """How many units of `currency` one US dollar bought from `valid_from` on, and where that
    figure comes from (the file or publisher it was imported from; empty: typed in by an admin).
    Imported with `reference rates import` or the admin page; admins may edit it."""

    __tablename__ = "exchange_rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    valid_from: Mapped[date] = mapped_column(primary_key=True)
    per_usd: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    source: Mapped[str] = mapped_column(String(200), default="", server_default="")
