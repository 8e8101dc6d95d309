"""Licensed-agency registries: governments' lists of recruitment agencies, per origin country,
with each entry's status history, and the candidates the matcher proposes for the agencies
named in complaints."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

if TYPE_CHECKING:
    from casework.models.agency import Agency

# Statuses a registry entry can have (lists' own words are mapped to these on import).
VALID = "valid"
EXPIRED = "expired"
SUSPENDED = "suspended"
CANCELLED = "cancelled"
DELISTED = "delisted"
BANNED = "banned"
STATUSES = (VALID, EXPIRED, SUSPENDED, CANCELLED, DELISTED, BANNED)

# Where an alias comes from: the government's list (replaced by each import) or a
# caseworker's confirmed match (kept across imports).
ALIAS_LIST = "list"
ALIAS_CONFIRMED = "confirmed"

# A candidate's state; a confirmed candidate becomes the agency's registry link.
CANDIDATE = "candidate"
REJECTED = "rejected"


class RegistryAgency(Model):
    """One licensed (or once licensed) agency on a country's list, keyed by its licence."""

    __tablename__ = "registry_agencies"
    __table_args__ = (
        UniqueConstraint("country", "licence_key", name="uq_registry_agencies_licence"),
        Index("ix_registry_agencies_country_name", "country", "name_key"),
        Index("ix_registry_agencies_country_updated", "country", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    licence_number: Mapped[str] = mapped_column(String(80))  # as the list writes it
    licence_key: Mapped[str] = mapped_column(String(80))  # normalised: ASCII digits, no punctuation
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300))  # folded for matching
    status: Mapped[str] = mapped_column(String(12))
    status_date: Mapped[date | None]
    valid_until: Mapped[date | None]
    address: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(80), default="")
    representative: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(200), default="")  # the list it last came from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    aliases: Mapped[list[RegistryAlias]] = relationship(
        back_populates="registry_agency", cascade="all, delete-orphan", order_by="RegistryAlias.id"
    )
    history: Mapped[list[RegistryStatusChange]] = relationship(
        back_populates="registry_agency",
        cascade="all, delete-orphan",
        order_by="RegistryStatusChange.id",
    )


class RegistryAlias(Model):
    """Another name an agency goes by: from the list, or taught by a confirmed match."""

    __tablename__ = "registry_aliases"
    __table_args__ = (Index("ix_registry_aliases_name", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registry_agency_id: Mapped[int] = mapped_column(
        ForeignKey("registry_agencies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300))
    origin: Mapped[str] = mapped_column(String(10))  # ALIAS_LIST / ALIAS_CONFIRMED
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registry_agency: Mapped[RegistryAgency] = relationship(back_populates="aliases")


class RegistryStatusChange(Model):
    """A status an entry had from `status_from` (the list's date, or the day it was imported)
    until the next change: the history that answers "licensed on the date of recruitment?"."""

    __tablename__ = "registry_status_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    registry_agency_id: Mapped[int] = mapped_column(
        ForeignKey("registry_agencies.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(12))
    status_from: Mapped[date]
    valid_until: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(200), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registry_agency: Mapped[RegistryAgency] = relationship(back_populates="history")


class AgencyMatchCandidate(Model):
    """A registry entry the matcher proposes for a complaint's agency, until a caseworker
    confirms (the agency is then linked) or rejects it (it is not proposed again)."""

    __tablename__ = "agency_match_candidates"
    __table_args__ = (
        UniqueConstraint("agency_id", "registry_agency_id", name="uq_agency_match_candidates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True
    )
    registry_agency_id: Mapped[int] = mapped_column(
        ForeignKey("registry_agencies.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int]  # 0-100, rapidfuzz's similarity of the names
    state: Mapped[str] = mapped_column(String(10), default=CANDIDATE)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship(back_populates="candidates")
    registry_agency: Mapped[RegistryAgency] = relationship()
