"""A few complaints lodged at once per process; the rest wait their turn, briefly.

Lodging is mostly CPU: argon2id for the follow-up secret, sealing, the ORM's rows. A gunicorn
node serves many connections on threads (deploy/gunicorn.conf.py: slow phones hold a thread for
their whole upload), and when fifteen of them lodge at once they take turns at the interpreter
lock hundreds of times each: the CPU per complaint went up by half (bench/load_nodes.py). So a
request reads its body first (a slow upload waits outside), then takes one of
`INTAKE_CONCURRENCY` lodging slots for the work itself.

A slot frees in tens of milliseconds. A request that cannot get one within
`INTAKE_QUEUE_SECONDS` (the database or the evidence store hangs, or the node is far beyond
its capacity) is refused with 503 and "nothing was kept", like a dependency that is down:
before anything was stored, and the worker is told to send again in a few minutes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app

from casework.outages import DependencyUnavailable

# The dependency a refused lodging names in the log (casework.outages).
LODGING_CAPACITY = "lodging_capacity"
_EXTENSION = "casework.lodging_slots"


def _slots(app: Flask) -> threading.BoundedSemaphore:
    slots = app.extensions.get(_EXTENSION)
    if slots is None:
        count = int(app.config["INTAKE_CONCURRENCY"])
        if count < 1:
            raise ValueError("INTAKE_CONCURRENCY must be 1 or more")
        # setdefault is atomic: two first lodgings at once still share one semaphore.
        slots = app.extensions.setdefault(_EXTENSION, threading.BoundedSemaphore(count))
    return slots


@contextmanager
def lodging_slot() -> Iterator[None]:
    """Hold one of this process's lodging slots for the block; `DependencyUnavailable`
    (LODGING_CAPACITY) if none frees within `INTAKE_QUEUE_SECONDS`."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    slots = _slots(app)
    if not slots.acquire(timeout=float(app.config["INTAKE_QUEUE_SECONDS"])):
        raise DependencyUnavailable(LODGING_CAPACITY)
    try:
        yield
    finally:
        slots.release()
