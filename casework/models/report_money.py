"""The money and referrals of the report facts: each outcome's amounts, each referral, and
their sums per group (see casework.services.reports.money_facts, which keeps them current)."""

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


class ReportReferral(Model):
    """One row per referral: what the referral figures count (forum kind, status, the forum's
    outcome code) and add up (amounts awarded and enforced, in cents, and the UTC day they
    are converted at: the decision, else the last update). Kept with the report facts as
    `ReportMoney` is."""

    __tablename__ = "report_referrals"
    __table_args__ = (
        PrimaryKeyConstraint("case_id", "referral_id"),
        {"sqlite_with_rowid": False},
    )

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), autoincrement=False
    )
    referral_id: Mapped[int] = mapped_column(autoincrement=False)  # no foreign key: as above
    forum: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    outcome_code: Mapped[str | None] = mapped_column(String(30))
    currency: Mapped[str | None] = mapped_column(String(3))
    day: Mapped[date]
    awarded: Mapped[int | None] = mapped_column(BigInteger)
    enforced: Mapped[int | None] = mapped_column(BigInteger)


class ReportMoneyRollup(Model):
    """Amounts added up per organisation (0: every case), forum, currency, day and shared
    flag: how many items, and per amount how many have one and their sum in cents. Forum ""
    holds the outcomes (claimed; agreed or awarded; recovered), any other a forum kind's
    referrals (awarded as agreed, enforced as recovered). The money and referral figures
    convert these day sums at each day's rate, as they would the amounts themselves.

    As in `ReportEntityRollup`, each item is added to the totals group (abuse code, corridor
    and month of the complaint all "") and to the groups of its case's month and corridor,
    for any abuse and per abuse code of the case (a filtered report's)."""

    __tablename__ = "report_money_rollups"
    __table_args__ = (
        PrimaryKeyConstraint(
            "organisation_id",
            "abuse_code",
            "origin_country",
            "destination_country",
            "created_month",
            "forum",
            "currency",
            "day",
            "shared",
        ),
        {"sqlite_with_rowid": False},
    )

    organisation_id: Mapped[int] = mapped_column(autoincrement=False)
    abuse_code: Mapped[str] = mapped_column(String(20))
    origin_country: Mapped[str] = mapped_column(String(2))
    destination_country: Mapped[str] = mapped_column(String(2))
    created_month: Mapped[str] = mapped_column(String(7))
    forum: Mapped[str] = mapped_column(String(30))
    currency: Mapped[str] = mapped_column(String(3))
    day: Mapped[date]
    shared: Mapped[int] = mapped_column(autoincrement=False)
    items: Mapped[int] = mapped_column(default=0)
    n_claimed: Mapped[int] = mapped_column(default=0)
    claimed: Mapped[int] = mapped_column(BigInteger, default=0)
    n_agreed: Mapped[int] = mapped_column(default=0)
    agreed: Mapped[int] = mapped_column(BigInteger, default=0)
    n_recovered: Mapped[int] = mapped_column(default=0)
    recovered: Mapped[int] = mapped_column(BigInteger, default=0)
