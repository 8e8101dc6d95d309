"""One narrow row of report facts per case, derived from the case and its assignments,
outcomes and fee payments (see casework.services.reports.facts, which keeps it current)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import Model
from casework.models.columns import UTCDateTime

# outcome_state
NO_OUTCOME, OUTCOME, REMEDY = 0, 1, 2


class FactColumns:
    """The facts of one case, as both tables hold them."""

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), autoincrement=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_month: Mapped[str] = mapped_column(String(7))  # "2026-03", UTC
    status: Mapped[str] = mapped_column(String(20))
    origin_country: Mapped[str] = mapped_column(String(2))
    destination_country: Mapped[str] = mapped_column(String(2))
    agency_id: Mapped[int | None]
    # organisations holding or having held a (not declined) assignment: 2+ means shared
    organisations: Mapped[int] = mapped_column(default=0)
    # seconds from the complaint to the first acceptance, and to resolution (resolved: when it
    # was resolved; closed: when it was closed); NULL when not reached
    # the caseworkers holding the case now (an accepted assignment) on each side
    origin_caseworker_id: Mapped[int | None]
    destination_caseworker_id: Mapped[int | None]
    first_response_seconds: Mapped[float | None] = mapped_column(Float)
    resolution_seconds: Mapped[float | None] = mapped_column(Float)
    outcome_state: Mapped[int] = mapped_column(default=NO_OUTCOME)
    # SDG 10.7.1 for this worker: costs paid / first-month wage, NULL when not measurable
    recruitment_months: Mapped[float | None] = mapped_column(Float)
    claim_deadline: Mapped[date | None]
    # the case's abuse codes between spaces, " RA_FEES RA_PASSPORT ": the abuse filter
    # without a join
    abuse_codes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # the codes of the case's recorded outcomes between spaces (a code may repeat), from which
    # the outcome groups are counted (ReportCodeRollup)
    outcome_codes: Mapped[str] = mapped_column(Text, default="", server_default="")
    next_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the registry says of the agency on the day of recruitment (the departure date,
    # else the first payment): licensed / unlicensed / unknown (services/reports/licences.py).
    # NULL when no agency is named, it is not linked to a registry entry, or the case gives no
    # day of recruitment (then the report judges it on the day it is read, per agency).
    licence_then: Mapped[str | None] = mapped_column(String(10))


class ReportCase(FactColumns, Model):
    """What the outcome reports aggregate about one case, precomputed.

    Never edited by hand: every flush that touches a case, its assignments, outcomes or fee
    payments recomputes the case's row in the same transaction, and a change of exchange rates
    recomputes the rows whose recruitment cost it changes. Aggregating this narrow table instead
    of joining the source tables keeps the report page fast with a million cases.
    """

    __tablename__ = "report_cases"
    __table_args__ = (
        PrimaryKeyConstraint("case_id"),
        Index("ix_report_cases_month", "created_month", "organisations"),
        # per agency and judgement of its licence, from the index alone
        Index("ix_report_cases_agency", "agency_id", "licence_then", "organisations"),
        Index("ix_report_cases_created", "created_at"),
        # with the recruitment cost: the SDG 10.7.1 figure per corridor from the index alone
        Index(
            "ix_report_cases_corridor",
            "origin_country",
            "destination_country",
            "recruitment_months",
        ),
        # percentiles of every case's times without sorting them
        Index("ix_report_cases_first_response", "first_response_seconds"),
        Index("ix_report_cases_resolution", "resolution_seconds"),
        # caseload: the cases each caseworker holds, by status
        Index("ix_report_cases_origin_caseworker", "origin_caseworker_id", "status"),
        Index("ix_report_cases_destination_caseworker", "destination_caseworker_id", "status"),
        # flags: the open cases past a deadline, read from their range of the index alone
        Index("ix_report_cases_deadline", "status", "next_deadline_at"),
        Index("ix_report_cases_claim_deadline", "status", "claim_deadline"),
    )


class ReportOrgCase(FactColumns, Model):
    """The same facts again, once per organisation holding or having held a (not declined)
    assignment on the case: the cases a supervisor's report covers, side by side.

    A supervisor's report covers a third of the cases or so; read through `report_cases`, every
    figure would look each of them up by id. Here they are one range of the primary key
    (SQLite keeps the rows in that order: a table without rowid), so each figure reads them
    in one sweep. Kept current with `report_cases`, in the same statements.
    """

    __tablename__ = "report_org_cases"
    __table_args__ = (
        Index("ix_report_org_cases_case", "case_id"),
        # With `organisations` (the shared check), each read from the index alone: new cases
        # by month, and percentiles of an organisation's times without sorting them. (In a
        # table without rowid, a row looked up from an index costs a search of the key.)
        Index(  # with the creation time, for a date range too
            "ix_report_org_cases_month",
            "organisation_id",
            "created_month",
            "created_at",
            "organisations",
        ),
        Index(
            "ix_report_org_cases_first_response",
            "organisation_id",
            "first_response_seconds",
            "organisations",
        ),
        Index(
            "ix_report_org_cases_resolution",
            "organisation_id",
            "resolution_seconds",
            "organisations",
        ),
        # caseload: the cases each of the organisation's caseworkers holds, by status (and
        # the creation time, for a date range)
        Index(
            "ix_report_org_cases_origin_caseworker",
            "organisation_id",
            "origin_caseworker_id",
            "status",
            "organisations",
            "created_at",
        ),
        Index(
            "ix_report_org_cases_destination_caseworker",
            "organisation_id",
            "destination_caseworker_id",
            "status",
            "organisations",
            "created_at",
        ),
        # the fees paid in the cases of the agencies a report ranks first
        Index("ix_report_org_cases_agency", "organisation_id", "agency_id"),
        # flags: an organisation's open cases past a deadline (and the shared check)
        Index(
            "ix_report_org_cases_deadline",
            "organisation_id",
            "status",
            "next_deadline_at",
            "organisations",
        ),
        Index(
            "ix_report_org_cases_claim_deadline",
            "organisation_id",
            "status",
            "claim_deadline",
            "organisations",
        ),
        PrimaryKeyConstraint("organisation_id", "case_id"),
        {"sqlite_with_rowid": False},
    )

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))


# report_rollups.organisation_id for the rollup of every case (report_cases)
EVERY_ORGANISATION = 0
# report_rollups.abuse_code for the rollup of every case whatever its abuse codes
ANY_ABUSE = ""
# abuse code, corridor and month of the entity and money rollups' totals groups
TOTAL = ""


class GroupColumns:
    """What every rollup's groups are keyed on (see ReportRollup)."""

    organisation_id: Mapped[int] = mapped_column(autoincrement=False)
    abuse_code: Mapped[str] = mapped_column(String(20))
    created_month: Mapped[str] = mapped_column(String(7))
    origin_country: Mapped[str] = mapped_column(String(2))
    destination_country: Mapped[str] = mapped_column(String(2))
    shared: Mapped[int] = mapped_column(autoincrement=False)


def _group_key(*more: str) -> PrimaryKeyConstraint:
    """A rollup's primary key: the group columns, `more` before the shared flag."""
    return PrimaryKeyConstraint(
        "organisation_id",
        "abuse_code",
        "created_month",
        "origin_country",
        "destination_country",
        *more,
        "shared",
    )


class ReportRollup(GroupColumns, Model):
    """The report facts added up per group: how many cases (and how many measurable SDG 10.7.1
    workers, and the sum of their months of earnings) per organisation, abuse code, month of
    the complaint, corridor, status, outcome state and shared flag.

    Kept current in the same statements as the facts (casework.services.reports.rollups): the
    rows of a case are subtracted before its facts are rewritten and added after, so each group
    always equals the facts it sums. Rows are one group each (the primary key); a group whose
    cases all moved elsewhere stays, at zero. Figures that can read it sum a few thousand groups
    instead of walking every case.

    - `organisation_id` 0 (EVERY_ORGANISATION) sums `report_cases` (every case, for admins);
      any other sums that organisation's rows of `report_org_cases`.
    - `abuse_code` "" (ANY_ABUSE) counts each case once; a code counts the cases with it (so a
      case with three codes is in four groups).
    - `shared` is 1 when another organisation also holds the case (`organisations` > 1).
    """

    __tablename__ = "report_rollups"
    __table_args__ = (_group_key("status", "outcome_state"), {"sqlite_with_rowid": False})

    status: Mapped[str] = mapped_column(String(20))
    outcome_state: Mapped[int] = mapped_column(autoincrement=False)
    cases: Mapped[int] = mapped_column(default=0)
    # workers with a recruitment cost (`recruitment_months` not null), and its sum
    measured: Mapped[int] = mapped_column(default=0)
    months_sum: Mapped[float] = mapped_column(Float, default=0.0)


class ReportCodeRollup(GroupColumns, Model):
    """How many cases have each code of a measure, per organisation, abuse code, month of the
    complaint, corridor and shared flag: figures that count cases per code without walking
    the cases.

    - measure "outcome": the case's outcome codes (the facts' `outcome_codes`); a case with two
      codes is in the groups of both, once each however many outcomes of a code it has.
    - measure "wait": the range of whole days to the first acceptance (the response spread,
      casework.services.reports.wait_ranges); a case not yet accepted is in none.

    Kept as `ReportRollup` is (casework.services.reports.rollups), from the facts alone.
    `organisation_id`, `abuse_code` and `shared` mean what they mean there.
    """

    __tablename__ = "report_code_rollups"
    __table_args__ = (_group_key("measure", "code"), {"sqlite_with_rowid": False})

    measure: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(30))
    cases: Mapped[int] = mapped_column(default=0)


class ReportEntityRollup(Model):
    """The report's cases counted per agency, caseworker, currency and forum: the agency
    tables, the caseload, the money and referral figures read a few thousand rows, whatever
    the caseload.

    - kind "agency": `entity_id` the case's agency (0: none named), `detail` the facts'
      `licence_then` ("": not judged on the day of recruitment);
    - kind "holder": `entity_id` a caseworker holding the case now, on either side (a case
      with both sides held is counted under each), `detail` the case's status;
    - kind "money": the cases with money in the currency `detail` ("": in any);
    - the referrals (`detail` the forum kind): "referred" the cases referred there,
      "ref_open" and "ref_done" the referrals open and decided, "ref_award" those with an
      award; "ref_code" the cases with an outcome code there (`detail` "FORUM CODE");
    - "resp_hours" and "res_hours": the cases per whole hour (`entity_id`) of the time to a
      first answer and to resolution.

    Each case is counted twice per kind: in the totals group (abuse code, corridor and month
    all "", TOTAL: the report with no filter but the organisation reads these alone), and in
    the groups of its month and corridor, once for any abuse ("") and once per abuse code of
    the case (as `ReportRollup`), which a report filtered on dates, corridor or abuse adds
    up. The hours are kept in the totals groups only (a filtered report ranks the clocks of
    its cases itself: per month and corridor they would be nearly one group per case).

    `organisation_id` means what it means in `ReportRollup`; `shared_cases` counts the cases
    another organisation also holds. Kept as `ReportRollup` is
    (casework.services.reports.rollups), from the facts alone; a report filtered by agency,
    caseworker or another organisation reads the facts.
    """

    __tablename__ = "report_entity_rollups"
    __table_args__ = (
        PrimaryKeyConstraint(
            "organisation_id",
            "kind",
            "abuse_code",
            "origin_country",
            "destination_country",
            "created_month",
            "entity_id",
            "detail",
        ),
        {"sqlite_with_rowid": False},
    )

    organisation_id: Mapped[int] = mapped_column(autoincrement=False)
    kind: Mapped[str] = mapped_column(String(10))
    abuse_code: Mapped[str] = mapped_column(String(20))
    origin_country: Mapped[str] = mapped_column(String(2))
    destination_country: Mapped[str] = mapped_column(String(2))
    created_month: Mapped[str] = mapped_column(String(7))
    entity_id: Mapped[int] = mapped_column(autoincrement=False)
    detail: Mapped[str] = mapped_column(String(64))
    cases: Mapped[int] = mapped_column(default=0)
    shared_cases: Mapped[int] = mapped_column(default=0)
