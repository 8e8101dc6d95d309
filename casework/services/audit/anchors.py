"""Anchors: the audit chain's head (position and MAC), published outside the database after
every commit that adds audit events.

Each head is appended as one line to an append-only file (`AUDIT_ANCHOR_PATH`, 0600) and
written to the log (logger `casework.audit.anchor`). The line is written before the request
answers; the file is fsynced by a background thread within `FLUSH_SECONDS` (an fsync costs
2-20 ms, and every page that reads a story or an identity adds a head). A power cut can
therefore lose the newest second of anchor lines: `audit verify` then checks against the older
ones, which still pin everything before them, and the log stream holds the lost lines too. With
several app nodes each appends to its own file, and the shared log stream holds them all. A
line carries no personal data:

    2026-12-02T21:00:00Z audit-anchor v1 pos=1042 mac=<64 hex> key=<16 hex>

`key` names the audit key that sealed the head (a MAC of a constant, not the key). `audit
verify` reads any file holding such lines, whatever comes before them on the line (so a log
export works as well as the anchor file).
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger("casework.audit.anchor")

_PENDING = "casework.audit.head"
ANCHOR_LINE = re.compile(r"audit-anchor v1 pos=(\d+) mac=([0-9a-f]{64})(?: key=([0-9a-f]{16}))?")


@dataclass(frozen=True)
class Head:
    position: int
    mac: str
    key_id: str
    path: str  # the anchor file ("" = log only)

    def text(self) -> str:
        return f"audit-anchor v1 pos={self.position} mac={self.mac} key={self.key_id}"


@dataclass(frozen=True)
class Anchor:
    position: int
    mac: str
    key_id: str | None
    source: str  # "file:line", for messages


def remember_head(session: Session, head: Head) -> None:
    """Called by `record_audit`: the head to publish once this transaction commits (the last
    one recorded wins: appends are serialised, so it is the head at commit time)."""
    session.info[_PENDING] = head


FLUSH_SECONDS = 1.0


class _Flusher:
    """fsyncs the anchor files written since the last pass, once per `FLUSH_SECONDS`, on a
    daemon thread started by the first write in each process (a fork does not inherit it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dirty: set[str] = set()
        self._wake = threading.Event()
        self._pid = 0

    def mark(self, path: str) -> None:
        with self._lock:
            self._dirty.add(path)
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="audit-anchor-fsync", daemon=True).start()
        self._wake.set()

    def flush(self) -> None:
        """fsync every file written since the last pass (also called at exit)."""
        with self._lock:
            paths, self._dirty = self._dirty, set()
        for path in paths:
            try:
                fd = os.open(path, os.O_WRONLY | os.O_APPEND)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as error:
                log.error("could not fsync the audit anchors in %s: %s", path, error.strerror)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            self.flush()
            time.sleep(FLUSH_SECONDS)  # at most one fsync per file per period


_flusher = _Flusher()
atexit.register(_flusher.flush)


def publish(head: Head) -> None:
    """Write the head to the log and append it to the anchor file (fsynced within
    `FLUSH_SECONDS`). The transaction has already committed, so a failure here is logged, never
    raised (the log line still stands)."""
    log.info("%s", head.text())
    if not head.path:
        return
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = f"{stamp} {head.text()}\n".encode("ascii")
    try:
        # One write() of one short line with O_APPEND: lines from several processes never
        # interleave, and nothing before them can be overwritten by this code.
        fd = os.open(head.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError as error:
        log.error("could not append the audit anchor to %s: %s", head.path, error.strerror)
        return
    _flusher.mark(head.path)


def _after_commit(session: Session) -> None:
    head = session.info.pop(_PENDING, None)
    if isinstance(head, Head):
        publish(head)


def _after_soft_rollback(session: Session, _previous: SessionTransaction) -> None:
    # The events may be gone with the rollback; publishing their head would accuse the database
    # of losing them. The next commit publishes a head that covers whatever did commit.
    session.info.pop(_PENDING, None)


def install() -> None:
    """Publish heads after every commit. Session listeners are global to the process, so this
    is idempotent (`create_app` calls it for every app; tests create many)."""
    listeners: list[tuple[str, Any]] = [
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_soft_rollback),
    ]
    for name, listener in listeners:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def read_anchors(paths: Iterable[str]) -> list[Anchor]:
    """Every anchor line in the given files (missing files hold none)."""
    anchors = []
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                for number, line in enumerate(handle, 1):
                    for match in ANCHOR_LINE.finditer(line):
                        position, mac, key = match.groups()
                        anchors.append(Anchor(int(position), mac, key, f"{path}:{number}"))
        except FileNotFoundError:
            continue
    return anchors


def last_key_id(path: str) -> str | None:
    """The audit key id of the newest line in an anchor file (its tail only is read)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 4096))
            tail = handle.read().decode("ascii", errors="replace")
    except FileNotFoundError:
        return None
    found = [m.group(3) for m in ANCHOR_LINE.finditer(tail) if m.group(3)]
    return found[-1] if found else None
