"""What a case achieved for the worker (DOMAIN.md outcome codes)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import DDL, ForeignKey, Index, Numeric, String, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

if TYPE_CHECKING:
    from casework.models.case import Case


class Outcome(Model):
    __tablename__ = "outcomes"
    # with the case id: cases per outcome code (the reports) from the index alone
    __table_args__ = (
        Index("ix_outcomes_code_case", "code", "case_id"),
        # a case's outcomes; and their codes from the index alone (the report narrowed to
        # some cases looks each case's codes up)
        Index("ix_outcomes_case_code", "case_id", "code"),
        # the money figure reads the outcomes with an amount from this index alone
        Index(
            "ix_outcomes_money",
            "case_id",
            "currency",
            "recorded_at",
            "code",
            "amount_claimed",
            "amount",
            "amount_enforced",
            sqlite_where=text("currency IS NOT NULL"),
            postgresql_where=text("currency IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str | None] = mapped_column(
        String(20)
    )  # wages / fee_refund / compensation / insurance
    amount_claimed: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # paid / awarded
    amount_enforced: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when the outcome is this worker's share of a group outcome (services/groups/).
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_groups.id", ondelete="SET NULL"), index=True
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="outcomes")


# PostgreSQL estimates the (currency, UTC day) groups of the money figure from each column
# alone: hundreds of thousands where there are a few thousand, and so sorts every outcome
# instead of hashing them (0.7 s of a 1.4 s figure at a million cases). Statistics on the pair
# give it the real number. The expression is the one `utc_day` compiles to.
MONEY_DAY_STATISTICS = (
    "CREATE STATISTICS IF NOT EXISTS st_outcomes_currency_day (ndistinct) "
    "ON currency, (CAST(timezone('UTC', recorded_at) AS DATE)) FROM outcomes"
)
event.listen(
    Outcome.__table__, "after_create", DDL(MONEY_DAY_STATISTICS).execute_if(dialect="postgresql")
)
