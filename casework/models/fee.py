"""Itemised recruitment fees and costs paid by the worker."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model

if TYPE_CHECKING:
    from casework.models.case import Case


class FeePayment(Model):
    __tablename__ = "fee_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    amount_paid: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    receipt_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    paid_on: Mapped[date | None]
    payee_kind: Mapped[str | None] = mapped_column(String(20))
    loan: Mapped[bool] = mapped_column(default=False)
    lender_kind: Mapped[str | None] = mapped_column(String(20))
    loan_interest_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))

    case: Mapped[Case] = relationship(back_populates="fees")
