"""The worker's safe hours: when a text on their phone puts them at no risk.

Safe hours are a local window such as "18-21" or "21:30-06" (it may run past midnight), in
the worker's time zone: the one they name, else the destination country's. A nudge goes only
inside the window and at most once per window day (a window running past midnight belongs to
the day it starts). Without safe hours we assume DEFAULT_SAFE_HOURS: daytime, never at night.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.core import get_global

DEFAULT_SAFE_HOURS = (8 * 60, 20 * 60)
FALLBACK_ZONE = "UTC"
_WINDOW = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–—]\s*(\d{1,2})(?::(\d{2}))?\s*$")


def parse_safe_hours(text: str) -> tuple[int, int] | None:
    """ "18-21", "18:30-21:00", "22-6" as (start, end) minutes after midnight; None if the
    text is not a window (hours 0-24, minutes 0-59, start and end differ)."""
    found = _WINDOW.match(text)
    if found is None:
        return None
    bounds = []
    for hours, minutes in ((found[1], found[2]), (found[3], found[4])):
        h, m = int(hours), int(minutes or 0)
        if h > 24 or m > 59 or (h == 24 and m):
            return None
        bounds.append((h * 60 + m) % (24 * 60))
    start, end = bounds
    return None if start == end else (start, end)


def format_safe_hours(start: int, end: int) -> str:
    return f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"


def known_time_zone(name: str) -> bool:
    return name in _zones()


def _zones() -> frozenset[str]:
    global _ZONES  # noqa: PLW0603 - read once: the list is large and never changes
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


_ZONES: frozenset[str] | None = None


def country_time_zone(country: str) -> str:
    """The main time zone of a country (CLDR's first), or UTC if CLDR knows none."""
    zones = get_global("territory_zones").get(country.upper()) or ()
    for zone in zones:
        if known_time_zone(zone):
            return str(zone)
    return FALLBACK_ZONE


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(FALLBACK_ZONE)


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)


def _window(day: date, start: int, end: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The window that starts on local `day`, in UTC."""
    opens = _local(day, start, zone)
    closes = _local(day + timedelta(days=1) if end <= start else day, end, zone)
    return opens.astimezone(UTC), closes.astimezone(UTC)


def window_day(moment: datetime, start: int, end: int, zone_name: str) -> date:
    """The day of the window `moment` falls in (or would: the local day, before opening)."""
    local = moment.astimezone(_zone(zone_name))
    minutes = local.hour * 60 + local.minute
    if end <= start and minutes < end:  # the small hours of a window that began yesterday
        return local.date() - timedelta(days=1)
    return local.date()


def inside(moment: datetime, start: int, end: int, zone_name: str) -> bool:
    zone = _zone(zone_name)
    day = window_day(moment, start, end, zone_name)
    opens, closes = _window(day, start, end, zone)
    return opens <= moment.astimezone(UTC) < closes


def next_safe_moment(
    after: datetime, start: int, end: int, zone_name: str, not_on_or_before: date | None = None
) -> datetime:
    """The first moment at or after `after` inside the window, on a window day later than
    `not_on_or_before` (the day of the last nudge: at most one a day). UTC."""
    zone = _zone(zone_name)
    after = after.astimezone(UTC)
    day = after.astimezone(zone).date() - timedelta(days=1)
    for _ in range(10):
        if not_on_or_before is None or day > not_on_or_before:
            opens, closes = _window(day, start, end, zone)
            if closes > after:
                return max(opens, after)
        day += timedelta(days=1)
    return after + timedelta(days=1)  # unreachable for a real window; never send at once
