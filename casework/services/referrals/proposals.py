"""Proposing an access-to-justice referral: which pathways fit a case, and what a proposal writes.

A proposal is made by a caseworker (from the suggestions, or the best one) or by the scheduler
when a stall rule reaches its top level. Either way it waits for the worker's consent
(operations.py). The rows a proposal writes come from pure builders (`referral_row`,
`scheduler_proposal`) that touch no session: `propose_referral` turns them into objects of
the current transaction, the stalled scan inserts them with the rest of its batch.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, CaseEvent, Referral, ReferralPathway, User
from casework.models import event as ev
from casework.models.columns import utcnow
from casework.models.referral import DECLINED_BY_WORKER, OPEN_REFERRAL_STATUSES, PROPOSED
from casework.services.actors import SystemActor
from casework.services.referrals.changes import (
    REFERRAL,
    ReferralRefused,
    record_change,
    touch_case,
)
from casework.vocabulary.forums import is_destination_side, is_origin_side
from casework.vocabulary.status import CLOSED, RESOLVED, WITHDRAWN

FINISHED_CASE = (RESOLVED, CLOSED, WITHDRAWN)
SCHEDULER = "scheduler"


# --- choosing a pathway ------------------------------------------------------------------------


def corridor_countries(case: Case) -> set[str]:
    """The origin country always; the destination only with the worker's cross-border consent."""
    countries = {case.origin_country}
    if case.consent_cross_border:
        countries.add(case.destination_country)
    return countries


def worker_still_abroad(case: Case, today: date | None = None) -> bool:
    """A guess from the case's dates: left home (or started the job) and the contract has not
    ended; never deployed means at home."""
    today = today or utcnow().date()
    if "RA_NO_JOB" in case.abuse_codes:
        return False
    if case.contract_end_date is not None and case.contract_end_date < today:
        return False
    return case.departure_date is not None or case.job_start_date is not None


def _fits_deadline(pathway: ReferralPathway, case: Case, today: date) -> bool:
    if case.claim_deadline is None or pathway.time_limit_days is None:
        return True
    return today.toordinal() + pathway.time_limit_days <= case.claim_deadline.toordinal()


def _side_rank(forum_kind: str, abroad: bool) -> int:
    """0: the side where the worker is; 1: either side (unions, NGOs); 2: the other side."""
    here, there = (
        (is_destination_side, is_origin_side) if abroad else (is_origin_side, is_destination_side)
    )
    return 0 if here(forum_kind) else 2 if there(forum_kind) else 1


def active_pathways() -> list[ReferralPathway]:
    """The whole active catalogue, for callers that suggest pathways for many cases."""
    return list(db.session.scalars(select(ReferralPathway).where(ReferralPathway.active.is_(True))))


def suggest_pathways(
    case: Case,
    limit: int | None = 5,
    skip_declined: bool = False,
    catalogue: list[ReferralPathway] | None = None,
) -> list[ReferralPathway]:
    """Active pathways of the corridor that take at least one of the case's abuse codes (a
    pathway with no codes takes any), best first: those whose time limit ends before the
    claim deadline, then the side where the worker is now, then the closest match of codes.
    Pathways with an open referral on this case are left out (and, with `skip_declined`,
    those the worker already refused). `catalogue`: `active_pathways()`, when the caller
    has loaded it already."""
    codes = set(case.abuse_codes)
    taken = {
        r.pathway_id
        for r in case.referrals
        if r.status in OPEN_REFERRAL_STATUSES or (skip_declined and r.status == DECLINED_BY_WORKER)
    }
    countries = corridor_countries(case)
    if catalogue is None:
        pathways = list(
            db.session.scalars(
                select(ReferralPathway).where(
                    ReferralPathway.active.is_(True),
                    ReferralPathway.country.in_(sorted(countries)),
                )
            )
        )
    else:
        pathways = [p for p in catalogue if p.country in countries]
    today = utcnow().date()
    abroad = worker_still_abroad(case, today)
    ranked = []
    for pathway in pathways:
        accepted = set(pathway.claim_codes)
        if pathway.id in taken or (accepted and not accepted & codes):
            continue
        ranked.append(
            (
                not _fits_deadline(pathway, case, today),
                _side_rank(pathway.forum_kind, abroad),
                -len(accepted & codes),
                pathway.time_limit_days if pathway.time_limit_days is not None else 10**6,
                pathway.id,
                pathway,
            )
        )
    ranked.sort(key=lambda row: row[:5])
    chosen = [row[-1] for row in ranked]
    return chosen[:limit] if limit is not None else chosen


def choose_pathway(
    case: Case,
    proposed_by: str,
    pathway: ReferralPathway | None = None,
    catalogue: list[ReferralPathway] | None = None,
    proposed: Collection[int] = (),
) -> ReferralPathway | None:
    """The pathway a proposal by `proposed_by` takes: `pathway`, which must be among those that
    fit (`ReferralRefused` if not), or the best-fitting one. None when nothing fits or the
    case is finished. The scheduler skips pathways the worker refused. `catalogue`: as for
    `suggest_pathways`; `proposed`: ids of pathways proposed for the case but not yet in
    `case.referrals` (a batch's rows), which do not fit again."""
    if case.status in FINISHED_CASE or case.purged_at is not None:
        return None
    fitting = [
        p
        for p in suggest_pathways(
            case, limit=None, skip_declined=proposed_by == SCHEDULER, catalogue=catalogue
        )
        if p.id not in proposed
    ]
    if pathway is None:
        return fitting[0] if fitting else None
    if pathway not in fitting:
        raise ReferralRefused(str(_l("That pathway does not fit this case.")))
    return pathway


# --- what a proposal writes --------------------------------------------------------------------


def referral_row(case: Case, pathway: ReferralPathway, proposed_by: str) -> dict[str, Any]:
    """The `referrals` row of a proposal, waiting for the worker's consent (other columns take
    their defaults). Pure: reads the case and the pathway, touches no session."""
    return {
        "case_id": case.id,
        "pathway_id": pathway.id,
        "forum_kind": pathway.forum_kind,
        "status": PROPOSED,
        "proposed_by": proposed_by,
    }


@dataclass(frozen=True)
class ProposalRows:
    """What a scheduler's proposal writes: the referral, its case event, and the case's new
    `updated_at`. Not a person's act: the timeline records it, the audit trail records what
    people then do with it."""

    referral: dict[str, Any]
    event: dict[str, Any]
    updated_at: datetime


def scheduler_proposal(case: Case, pathway: ReferralPathway, now: datetime) -> ProposalRows:
    """The rows of the scheduler proposing `pathway` for `case` at `now`. Pure."""
    return ProposalRows(
        referral=referral_row(case, pathway, SCHEDULER),
        event={
            "case_id": case.id,
            "kind": REFERRAL,
            "visibility": ev.PARTNERS,
            "actor_kind": "system",
            "detail": f"referral proposed by the scheduler ({pathway.country} {pathway.forum_kind})",
            "created_at": now,
        },
        updated_at=now,
    )


def propose_referral(
    case: Case,
    proposed_by: str = "staff",
    actor: User | None = None,
    pathway: ReferralPathway | None = None,
) -> Referral | None:
    """Propose the best-fitting pathway (or `pathway`, which must be among those that fit).

    Returns None when nothing fits or the case is finished. The referral waits for the
    worker's consent. Flushes only: the caller commits. A proposal by the scheduler is not
    activity on the case, so it does not restart the case's stall clocks (its flag stays open
    at the referral level); the stalled scan itself writes the same rows with its batch."""
    pathway = choose_pathway(case, proposed_by, pathway)
    if pathway is None:
        return None
    referral = Referral(**referral_row(case, pathway, proposed_by), pathway=pathway)
    case.referrals.append(referral)
    if proposed_by == SCHEDULER:
        rows = scheduler_proposal(case, pathway, utcnow())
        db.session.add(CaseEvent(**rows.event))  # added, not appended: the timeline stays unloaded
        case.updated_at = rows.updated_at
        return referral
    db.session.flush()
    record_change(
        case, referral, actor if actor is not None else SystemActor(proposed_by), "proposed"
    )
    touch_case(case)
    db.session.flush()
    return referral
