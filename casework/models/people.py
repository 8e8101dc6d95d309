"""Organisations and their staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.extensions import Model
from casework.models.columns import UTCDateTime, utcnow

ORG_KINDS = ("union", "legal_aid", "ngo", "migrant_resource_centre")
ROLES = ("caseworker", "supervisor", "admin")


def _split(codes: str) -> list[str]:
    return [code for code in codes.split(",") if code]


class Organisation(Model):
    """A union, legal-aid group, NGO or migrant resource centre, covering some countries."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    languages_csv: Mapped[str] = mapped_column("languages", String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    coverage: Mapped[list[OrganisationCountry]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def countries(self) -> list[str]:
        return sorted(c.country for c in self.coverage)

    @countries.setter
    def countries(self, codes: list[str]) -> None:
        wanted = {code.upper() for code in codes if code}
        self.coverage = [c for c in self.coverage if c.country in wanted] + [
            OrganisationCountry(country=code)
            for code in sorted(wanted - {c.country for c in self.coverage})
        ]

    @property
    def languages(self) -> list[str]:
        return _split(self.languages_csv)

    @languages.setter
    def languages(self, codes: list[str]) -> None:
        self.languages_csv = ",".join(dict.fromkeys(c.strip().lower() for c in codes if c.strip()))


class OrganisationCountry(Model):
    """A country an organisation covers: routing looks organisations up by country."""

    __tablename__ = "organisation_countries"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="coverage")


class User(Model):
    """A staff member. The TOTP secret is stored wrapped by the master key ring."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    languages_csv: Mapped[str] = mapped_column("languages", String(200), default="")
    # The language of this person's staff pages (one of STAFF_LANGUAGES; "" until chosen: the
    # browser's language then). Never what a worker sees.
    page_language: Mapped[str] = mapped_column(String(8), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_key_id: Mapped[str | None] = mapped_column(String(32))
    totp_wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_confirmed: Mapped[bool] = mapped_column(default=False)
    totp_last_step: Mapped[int] = mapped_column(default=0)  # refuses a code used twice
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)  # bumped to end every session
    # A new account, or one moved into a role or organisation with access to cases by an admin,
    # cannot sign in until a supervisor of its organisation approves (models/staff_approval.py).
    awaiting_approval: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    @property
    def languages(self) -> list[str]:
        return _split(self.languages_csv)

    @languages.setter
    def languages(self, codes: list[str]) -> None:
        self.languages_csv = ",".join(dict.fromkeys(c.strip().lower() for c in codes if c.strip()))

    @property
    def has_totp(self) -> bool:
        return self.totp_confirmed and self.totp_wrapped is not None

    # Flask-Login
    @property
    def is_active(self) -> bool:
        return self.active and not self.awaiting_approval and self.organisation.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"
