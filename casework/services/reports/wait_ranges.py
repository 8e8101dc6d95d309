"""The ranges of whole days a worker waited for a first answer (the response spread), and the
range of a number of seconds in SQL: what both the figure and its rollup count by."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, case, literal, or_

DAY = 86400
# code: (label, from whole day, to whole day exclusive; None: no end)
RANGES: dict[str, tuple[Any, int, int | None]] = {
    "d0": (_l("Within a day"), 0, 1),
    "d1": (_l("1 day"), 1, 2),
    "d2_3": (_l("2–3 days"), 2, 4),
    "d4_7": (_l("4–7 days"), 4, 8),
    "d8_14": (_l("8–14 days"), 8, 15),
    "d15_30": (_l("15–30 days"), 15, 31),
    "d31": (_l("Over 30 days"), 31, None),
}


def wait_range(seconds: Any) -> Any:
    """The code of the range `seconds` falls in, as SQL; NULL for NULL (not answered yet) or a
    negative time."""
    whens = [(or_(seconds.is_(None), seconds < 0), literal(None, String(10)))]
    whens += [
        (seconds < high * DAY, literal(code, String(10)))
        for code, (_, _low, high) in RANGES.items()
        if high is not None
    ]
    last = next(code for code, (_, _low, high) in RANGES.items() if high is None)
    return case(*whens, else_=literal(last, String(10)))
