"""Words for the agency registry: licence statuses and how an agency was matched."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

REGISTRY_STATUS_LABELS = {
    "valid": _l("Licensed"),
    "expired": _l("Licence expired"),
    "suspended": _l("Licence suspended"),
    "cancelled": _l("Licence cancelled"),
    "delisted": _l("Delisted"),
    "banned": _l("Banned"),
}

MATCH_LABELS = {
    "licence": _l("by the licence number the worker gave"),
    "alias": _l("by a name a caseworker confirmed before"),
    "confirmed": _l("confirmed by a caseworker"),
}
