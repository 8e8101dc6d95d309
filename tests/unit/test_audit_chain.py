"""The audit trail is tamper-evident: an HMAC chain under a key of its own, whose head is
published outside the database after every commit. An insider with the database (but not the
audit key or the anchors) who deletes the newest events, edits a row, or rewrites the chain is
caught by `flask audit verify`."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from casework.extensions import db
from casework.models import AuditEvent, OutboxMessage
from casework.models.audit import SCHEME_HMAC, SCHEME_SHA256
from casework.models.columns import utcnow
from casework.services.audit.anchors import FLUSH_SECONDS, Head, publish, read_anchors
from casework.services.audit.chain import GENESIS, legacy_digest
from casework.services.audit.key import AuditKeyError
from casework.services.notifications.digests import build_daily_digests
from tests.conftest import ON_POSTGRES, POSTGRES_URL, login, make_app

ROOT = Path(__file__).resolve().parents[2]
ANCHOR = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ audit-anchor v1 pos=(\d+) mac=([0-9a-f]{64}) "
    r"key=[0-9a-f]{16}$"
)
WORKER_FACING = {"Asha Gurung", "asha@gefont.example.org"}


@pytest.fixture
def staff(app: Flask, make_org: Any, make_user: Any) -> Any:
    return make_user(make_org("gefont", ["NP"], ["ne"]), name="Asha Gurung")


def _sign_in_and_out(app: Flask, user: Any, times: int = 3) -> None:
    """Audited acts through the real login form: each request commits its own events."""
    client = app.test_client()
    for _ in range(times):
        login(client, user)
        client.post("/logout")
    client.post("/login", data={"email": user.email, "password": "not the password"})


def _events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _verify(runner: Any, *args: str) -> Any:
    db.session.expire_all()
    return runner.invoke(args=["audit", "verify", *args])


def _anchor_lines(app: Flask) -> list[str]:
    return Path(app.config["AUDIT_ANCHOR_PATH"]).read_text(encoding="ascii").splitlines()


def _rewrite(events: list[AuditEvent], seal: Any, scheme: str) -> None:
    """What an insider without the audit key can do: re-link every event from the first one
    given, under a MAC function they can compute (the public SHA-256 link, or a guessed key)."""
    previous = (
        db.session.scalar(select(AuditEvent.mac).where(AuditEvent.id == events[0].id - 1))
        or GENESIS
    )
    for event in events:
        event.prev_mac = previous
        event.scheme = scheme
        event.mac = seal(event)
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.id == event.id)
            .values(action=event.action, scheme=scheme, prev_mac=event.prev_mac, mac=event.mac)
        )
        previous = event.mac
    db.session.commit()


def _guessed_key_mac(event: AuditEvent) -> str:
    fields = [
        event.id,
        event.at.isoformat(),
        event.actor_user_id,
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        event.detail,
        event.prev_mac,
    ]
    payload = b"casework audit event v1\x00" + json.dumps(fields, separators=(",", ":")).encode()
    return hmac.new(b"a key the insider made up " * 2, payload, hashlib.sha256).hexdigest()


SEALS = {
    "sha256 links": (legacy_digest, SCHEME_SHA256),
    "guessed key": (_guessed_key_mac, SCHEME_HMAC),
}


def test_every_commit_publishes_the_chain_head_outside_the_database(
    app: Flask, runner: Any, staff: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="casework.audit.anchor")
    _sign_in_and_out(app, staff)
    events = _events()
    assert len(events) == 7 and all(e.scheme == SCHEME_HMAC for e in events)
    assert [e.id for e in events] == list(range(1, 8))  # positions without gaps
    lines = _anchor_lines(app)
    heads = [ANCHOR.match(line) for line in lines]
    assert all(heads), lines
    # One line per committing request; the last names the newest event and its MAC.
    assert len(lines) == 7
    assert heads[-1] is not None and heads[-1].groups() == (str(events[-1].id), events[-1].mac)
    mode = stat.S_IMODE(Path(app.config["AUDIT_ANCHOR_PATH"]).stat().st_mode)
    assert mode == 0o600
    logged = [r.getMessage() for r in caplog.records if r.name == "casework.audit.anchor"]
    assert [line.split(" ", 1)[1] for line in lines] == logged
    assert not any(word in line for line in lines + logged for word in WORKER_FACING)
    result = _verify(runner)
    assert result.exit_code == 0 and "intact: 7 event(s)" in result.output, result.output


def test_deleting_the_newest_events_fails_verification(app: Flask, runner: Any, staff: Any) -> None:
    _sign_in_and_out(app, staff)
    events = _events()
    assert _verify(runner).exit_code == 0
    # An insider removes the last sign-ins; what is left still links perfectly.
    db.session.execute(delete(AuditEvent).where(AuditEvent.id > events[-3].id))
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"BROKEN at event {events[-2].id}: is missing" in result.output, result.output


@pytest.mark.parametrize("seal", SEALS, ids=list(SEALS))
def test_editing_a_row_and_recomputing_the_chain_fails_verification(
    app: Flask, runner: Any, staff: Any, seal: str
) -> None:
    _sign_in_and_out(app, staff)
    events = _events()
    victim = events[2]
    assert victim.action == "login"
    # Editing alone breaks the MAC ...
    db.session.execute(update(AuditEvent).where(AuditEvent.id == victim.id).values(action="logout"))
    db.session.commit()
    edited = _verify(runner)
    assert edited.exit_code == 1 and f"BROKEN at event {victim.id}" in edited.output
    # ... and re-linking every later event, without the audit key, does not repair it.
    victim.action = "logout"
    function, scheme = SEALS[seal]
    _rewrite(events[2:], function, scheme)
    result = _verify(runner)
    assert result.exit_code == 1, result.output
    assert f"BROKEN at event {victim.id}" in result.output, result.output


@pytest.mark.parametrize("seal", SEALS, ids=list(SEALS))
def test_rewriting_the_whole_chain_without_the_key_fails_verification(
    app: Flask, runner: Any, staff: Any, seal: str
) -> None:
    _sign_in_and_out(app, staff)
    events = _events()
    # The insider rewrites the trail from the genesis on, keeping only the events they like,
    # renumbered so that the positions run without a gap.
    kept = [e for e in events if e.action != "login_failed"]
    db.session.execute(delete(AuditEvent))
    db.session.commit()
    function, scheme = SEALS[seal]
    previous = GENESIS
    for position, event in enumerate(kept, 1):
        forged = AuditEvent(
            id=position,
            at=event.at,
            actor_user_id=event.actor_user_id,
            actor_label=event.actor_label,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            detail=event.detail,
            scheme=scheme,
            prev_mac=previous,
        )
        forged.mac = function(forged)
        previous = forged.mac
        db.session.add(forged)
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1, result.output
    assert "BROKEN at event 1:" in result.output, result.output


def test_a_node_without_an_anchor_file_is_checked_against_the_log_stream(
    tmp_path: Path, staff: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Several app nodes: this one keeps no anchor file; the shared log stream is the anchor.
    node = make_app(tmp_path, AUDIT_ANCHOR_PATH="", WTF_CSRF_ENABLED=False, REQUIRE_2FA=False)
    caplog.set_level(logging.INFO, logger="casework.audit.anchor")
    _sign_in_and_out(node, staff)  # each request in its own app context, as in production
    with node.app_context():
        events = _events()
        export = tmp_path / "log-export.txt"
        export.write_text(
            "".join(
                f"2026-12-02 21:00:00,000 INFO {r.name}: {r.getMessage()}\n" for r in caplog.records
            ),
            encoding="utf-8",
        )
        runner = node.test_cli_runner()
        assert _verify(runner, "--anchors", str(export)).exit_code == 0
        db.session.execute(delete(AuditEvent).where(AuditEvent.id == events[-1].id))
        db.session.commit()
        blind = _verify(runner)
        assert blind.exit_code == 1 and "has no anchor to check against" in blind.output
        result = _verify(runner, "--anchors", str(export))
        assert result.exit_code == 1
        assert f"BROKEN at event {events[-1].id}: is missing" in result.output
        db.session.remove()
        db.engine.dispose()


def test_the_admins_daily_digest_carries_the_chain_head_and_nothing_else(
    app: Flask, runner: Any, staff: Any, make_org: Any, make_user: Any, tmp_path: Path
) -> None:
    admin = make_user(make_org("platform", ["NP"]), role="admin")
    _sign_in_and_out(app, staff)
    events = _events()
    build_daily_digests(datetime.now(UTC).date())
    mail = db.session.scalars(select(OutboxMessage)).one()  # the admin's only: no news for others
    assert mail.user_id == admin.id
    assert f"audit-anchor v1 pos={events[-1].id} mac={events[-1].mac} key=" in mail.body
    assert not any(word in mail.body for word in WORKER_FACING)
    # The insider deletes the newest events and the server's anchor file too; the copy in the
    # admin's mailbox still tells.
    saved = tmp_path / "digest.eml"
    saved.write_text(f"Subject: {mail.subject}\n\n{mail.body}\n", encoding="utf-8")
    db.session.execute(delete(AuditEvent).where(AuditEvent.id >= events[-2].id))
    db.session.commit()
    Path(app.config["AUDIT_ANCHOR_PATH"]).unlink()
    assert "has no anchor to check against" in _verify(runner).output
    result = _verify(runner, "--anchors", str(saved))
    assert result.exit_code == 1
    assert f"BROKEN at event {events[-1].id}: is missing" in result.output, result.output


def test_anchor_lines_from_several_processes_never_interleave(tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.log"
    script = (
        "import sys\n"
        "from casework.services.audit.anchors import Head, publish\n"
        "for n in range(200):\n"
        "    publish(Head(int(sys.argv[1]) * 1000 + n, sys.argv[1] * 64, 'f' * 16, sys.argv[2]))\n"
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", script, str(digit), str(anchors)])
        for digit in range(1, 5)
    ]
    assert [writer.wait(timeout=300) for writer in writers] == [0, 0, 0, 0]
    lines = anchors.read_text(encoding="ascii").splitlines()
    assert len(lines) == 800 and all(ANCHOR.match(line) for line in lines)
    assert stat.S_IMODE(anchors.stat().st_mode) == 0o600
    assert {a.position for a in read_anchors([str(anchors)])} == {
        digit * 1000 + n for digit in range(1, 5) for n in range(200)
    }


def test_anchor_lines_reach_the_disk_within_a_second_without_the_request_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anchors = tmp_path / "anchors.log"
    synced: list[tuple[str, str]] = []  # (thread name, file) of each fsync
    real_fsync = os.fsync

    def watched_fsync(fd: int) -> None:
        synced.append((threading.current_thread().name, os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", watched_fsync)
    publish(Head(1, "a" * 64, "f" * 16, str(anchors)))
    assert ANCHOR.match(anchors.read_text(encoding="ascii"))  # written before publish returns
    assert not [s for s in synced if s[0] == threading.current_thread().name]
    deadline = time.monotonic() + 3 * FLUSH_SECONDS
    while (("audit-anchor-fsync", str(anchors)) not in synced) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ("audit-anchor-fsync", str(anchors)) in synced


@pytest.fixture
def file_key_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The app as production runs it: no CASEWORK_AUDIT_KEY, so the key lives in the key
    folder (the `app` fixture has just emptied the database)."""
    keyed = make_app(tmp_path, AUDIT_KEY="", WTF_CSRF_ENABLED=False, REQUIRE_2FA=False)
    with keyed.app_context():
        yield keyed
        db.session.remove()
        db.engine.dispose()


def test_the_audit_key_is_its_own_file_and_survives_key_rotation(
    file_key_app: Flask, staff: Any
) -> None:
    keys = Path(file_key_app.config["KEYS_PATH"])
    key_file = keys / "audit_key"
    key = key_file.read_bytes()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key) >= 32
    assert key not in (keys / "keyring.json").read_bytes()
    _sign_in_and_out(file_key_app, staff)
    runner = file_key_app.test_cli_runner()
    rotated = runner.invoke(args=["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    assert key_file.read_bytes() == key
    assert _verify(runner).exit_code == 0


def test_a_missing_audit_key_stops_the_app_once_events_are_sealed(
    file_key_app: Flask, tmp_path: Path, staff: Any
) -> None:
    _sign_in_and_out(file_key_app, staff, times=1)
    key_file = Path(file_key_app.config["KEYS_PATH"]) / "audit_key"
    key_file.unlink()
    with pytest.raises(AuditKeyError, match="restore the audit key from its backup"):
        make_app(tmp_path, AUDIT_KEY="")
    assert not key_file.exists()  # no new key was made in its place


def test_a_wrong_audit_key_stops_the_app(file_key_app: Flask, tmp_path: Path, staff: Any) -> None:
    _sign_in_and_out(file_key_app, staff, times=1)
    with pytest.raises(AuditKeyError, match="is not the one that sealed the audit anchors"):
        make_app(tmp_path, AUDIT_KEY="another-key-another-key-another-key-!")


def test_a_trail_from_before_the_audit_key_is_verified_and_then_pinned(
    app: Flask, runner: Any, staff: Any
) -> None:
    # Events as the unkeyed SHA-256 chain wrote them, before this version.
    previous = GENESIS
    for position, action in enumerate(["login", "view_identity", "logout"], 1):
        old = AuditEvent(
            id=position,
            actor_user_id=staff.id,
            actor_label=f"user:{staff.id}",
            action=action,
            object_type="case",
            object_id="1",
            detail="",
            scheme=SCHEME_SHA256,
            prev_mac=previous,
        )
        old.at = utcnow()
        old.mac = legacy_digest(old)
        previous = old.mac
        db.session.add(old)
    db.session.commit()
    unkeyed = _verify(runner)
    assert unkeyed.exit_code == 0 and "not keyed yet" in unkeyed.output
    sealed = runner.invoke(args=["audit", "seal"])
    assert sealed.exit_code == 0 and "keyed from event 4" in sealed.output, sealed.output
    # From now on the old part is pinned: hiding the identity view and re-linking the old
    # chain (which anyone can compute) breaks the link into the keyed chain.
    old_events = _events()[:3]
    old_events[1].action = "login"
    _rewrite(old_events, legacy_digest, SCHEME_SHA256)
    result = _verify(runner)
    assert result.exit_code == 1 and "BROKEN at event 4: does not link" in result.output


@pytest.mark.skipif(not ON_POSTGRES, reason="the role split is PostgreSQL's")
def test_the_app_role_may_only_insert_and_select_audit_events(
    app: Flask, tmp_path: Path, staff: Any
) -> None:
    script = (ROOT / "deploy" / "postgresql-audit-roles.sql").read_text(encoding="utf-8")
    with db.engine.begin() as owner:
        owner.exec_driver_sql(script)
    url = make_url(POSTGRES_URL).set(username="casework_app")
    role_app = make_app(
        tmp_path,
        INSTANCE_PATH=str(tmp_path / "app-role"),
        SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False),
        WTF_CSRF_ENABLED=False,
        REQUIRE_2FA=False,
    )
    try:
        _sign_in_and_out(role_app, staff, times=1)  # the app still audits as usual
        with role_app.app_context():
            assert db.session.scalar(text("SELECT current_user")) == "casework_app"
            assert len(_events()) == 3
            for statement in (
                "UPDATE audit_events SET action = 'logout' WHERE id = 1",
                "DELETE FROM audit_events WHERE id = 3",
                "TRUNCATE audit_events",
            ):
                with pytest.raises(ProgrammingError, match="permission denied"):
                    db.session.execute(text(statement))
                db.session.rollback()
            assert _verify(role_app.test_cli_runner()).exit_code == 0
            db.session.remove()
            db.engine.dispose()
    finally:
        with db.engine.begin() as owner:
            owner.exec_driver_sql("DROP OWNED BY casework_app; DROP ROLE casework_app")
