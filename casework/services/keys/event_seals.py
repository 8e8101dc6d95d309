"""Re-sealing timeline bodies sealed before they were bound to their event (issue 12).

Until then a note's or message's body was bound only to its case and kind, so two bodies of one
case could be swapped between events without either failing to open. New bodies are bound to
their event (case_keys.py); this re-seals the old ones once, after an upgrade:
`flask --app casework keys reseal-events`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from casework.extensions import db
from casework.models import Case, CaseEvent
from casework.services.keys.case_keys import (
    UNBOUND_EVENT_SEAL,
    CasePurged,
    EventBodyUnverified,
    case_key,
    reseal_event_body,
)

log = logging.getLogger(__name__)


@dataclass
class ResealReport:
    resealed: int = 0
    unverified: int = 0  # old bodies that do not open: left as they are (the timeline says so)
    purged: int = 0  # bodies of purged cases: unreadable for good, left as they are

    def __str__(self) -> str:
        return (
            f"{self.resealed} event body(ies) re-sealed; {self.unverified} did not open "
            f"(left as they are); {self.purged} belong to purged cases"
        )


def reseal_event_bodies(batch: int = 200) -> ResealReport:
    """Re-seal every unbound timeline body bound to its event, a batch of cases per commit.
    Idempotent: bound bodies are left alone, so an interrupted run is simply run again."""
    report = ResealReport()
    after = 0
    while True:
        case_ids = list(
            db.session.scalars(
                select(CaseEvent.case_id)
                .where(
                    CaseEvent.body_binding == UNBOUND_EVENT_SEAL,
                    CaseEvent.body_sealed.is_not(None),
                    CaseEvent.case_id > after,
                )
                .distinct()
                .order_by(CaseEvent.case_id)
                .limit(batch)
            )
        )
        if not case_ids:
            break
        for case_id in case_ids:
            _reseal_case(db.session.get_one(Case, case_id), report)
        db.session.commit()
        db.session.expunge_all()
        after = case_ids[-1]
    log.info("reseal events: %s", report)
    return report


def _reseal_case(case: Case, report: ResealReport) -> None:
    events = db.session.scalars(
        select(CaseEvent).where(
            CaseEvent.case_id == case.id,
            CaseEvent.body_binding == UNBOUND_EVENT_SEAL,
            CaseEvent.body_sealed.is_not(None),
        )
    ).all()
    try:
        key = case_key(case)
    except CasePurged:
        report.purged += len(events)
        return
    for event in events:
        try:
            report.resealed += int(reseal_event_body(key, case, event))
        except EventBodyUnverified:
            report.unverified += 1
            log.error("event %s of case %s did not open; left as it is", event.id, case.reference)
