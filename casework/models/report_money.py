"""The money of the report facts: each outcome's amounts, and their sums per group (see
casework.services.reports.money_facts, which keeps both current)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, ForeignKey, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model


class ReportMoney(Model):
    """One row per outcome recorded with a currency: its amounts in cents (whole numbers, so
    the sums of `ReportMoneyRollup` stay exact however often they move) and the UTC day it was
    recorded (the day its amounts are converted at).

    Rewritten with the case's report facts, in the same statements: the money groups a case
    is in are taken out from these rows before they are rewritten and added back after, as
    the other rollups are from the facts."""

    __tablename__ = "report_money"
    __table_args__ = (PrimaryKeyConstraint("case_id", "outcome_id"), {"sqlite_with_rowid": False})

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), autoincrement=False
    )
    # no foreign key: an outcome deleted in a flush is followed by its row's rewrite
    outcome_id: Mapped[int] = mapped_column(autoincrement=False)
    currency: Mapped[str] = mapped_column(String(3))
    day: Mapped[date]
    claimed: Mapped[int | None] = mapped_column(BigInteger)
    agreed: Mapped[int | None] = mapped_column(BigInteger)  # paid / awarded
    recovered: Mapped[int | None] = mapped_column(BigInteger)  # paid / enforced for awards


class ReportMoneyRollup(Model):
    """The outcomes' amounts added up per organisation (0: every case), currency, day recorded
    and shared flag: how many outcomes, and per amount how many have one and their sum in
    cents. The money figure of a report with no filter but the organisation converts these
    day sums at each day's rate, as it would the outcomes themselves."""

    __tablename__ = "report_money_rollups"
    __table_args__ = (
        PrimaryKeyConstraint("organisation_id", "currency", "day", "shared"),
        {"sqlite_with_rowid": False},
    )

    organisation_id: Mapped[int] = mapped_column(autoincrement=False)
    currency: Mapped[str] = mapped_column(String(3))
    day: Mapped[date]
    shared: Mapped[int] = mapped_column(autoincrement=False)
    outcomes: Mapped[int] = mapped_column(default=0)
    n_claimed: Mapped[int] = mapped_column(default=0)
    claimed: Mapped[int] = mapped_column(BigInteger, default=0)
    n_agreed: Mapped[int] = mapped_column(default=0)
    agreed: Mapped[int] = mapped_column(BigInteger, default=0)
    n_recovered: Mapped[int] = mapped_column(default=0)
    recovered: Mapped[int] = mapped_column(BigInteger, default=0)
