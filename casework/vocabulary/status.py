"""Case statuses and how they are explained to the worker."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

RECEIVED = "received"
TRIAGED = "triaged"
IN_PROGRESS = "in_progress"
AWAITING_WORKER = "awaiting_worker"
REFERRED = "referred"
RESOLVED = "resolved"
CLOSED = "closed"
WITHDRAWN = "withdrawn"

STATUSES = (RECEIVED, TRIAGED, IN_PROGRESS, AWAITING_WORKER, REFERRED, RESOLVED, CLOSED, WITHDRAWN)

# What the worker sees: plain words, no jargon.
STATUS_FOR_WORKER = {
    RECEIVED: _l("We have received your complaint. A caseworker will look at it soon."),
    TRIAGED: _l("A caseworker has read your complaint and is deciding the next steps."),
    IN_PROGRESS: _l("A caseworker is working on your case."),
    AWAITING_WORKER: _l("We need something from you. Please read the messages below."),
    REFERRED: _l("Your case has been sent to an authority or legal service that can help."),
    RESOLVED: _l("Your case has a result. Please read the messages below."),
    CLOSED: _l("Your case is closed."),
    WITHDRAWN: _l("Your complaint was withdrawn."),
}
