"""`rollups_off()`: the report facts written as before any rollup existed, for benches that
measure what the rollups cost (rollup_cost.py for a lodging, stalled_scan.py for a scan).

Off means: no rollup upsert (`rollups.subtract` and `rollups.add` do nothing), no write of
the rows kept only so the rollups can move their groups (`report_money`, `report_referrals`),
and a referral written (through the session, or by the stalled scan around it) no longer
recomputes its case's facts (only the rollups read them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

ROLLUP_ONLY = ("money-", "referrals-")  # the facts writes kept only for the rollups


@contextmanager
def rollups_off(off: bool = True) -> Iterator[None]:
    from casework.models import Referral
    from casework.services.reports import fact_listeners, facts, rollups

    kept = (rollups.subtract, rollups.add, facts._DELETES, facts._INSERTS, facts.refresh_referred)
    reported = dict(fact_listeners.REPORTED)
    if off:
        rollups.subtract = rollups.add = lambda _connection, _ids: None  # type: ignore[assignment]
        facts._DELETES = tuple(w for w in kept[2] if not w[0].startswith(ROLLUP_ONLY))
        facts._INSERTS = tuple(w for w in kept[3] if not w[0].startswith(ROLLUP_ONLY))
        fact_listeners.REPORTED.pop(Referral, None)
        facts.refresh_referred = lambda _connection, _ids: None  # type: ignore[assignment]
    try:
        yield
    finally:
        (  # type: ignore[assignment]
            rollups.subtract,
            rollups.add,
            facts._DELETES,
            facts._INSERTS,
            facts.refresh_referred,
        ) = kept
        fact_listeners.REPORTED.clear()
        fact_listeners.REPORTED.update(reported)
