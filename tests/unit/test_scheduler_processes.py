"""The scheduler as real processes: one leads, a standby takes over as soon as the leader is
told to stop (SIGTERM from systemd or docker, SIGINT from Ctrl-C) rather than when its lease
would have expired."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from tests.shared_instance import prepare_shared_instance, process_env

# Generous: a process start on a busy machine takes seconds. The lease itself lasts 90 s, so
# a takeover inside this window is only possible if the leader gave its lease up.
TIMEOUT = 45.0


def _wait_for(what: str, found: Callable[[], int | None]) -> int:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        value = found()
        if value is not None:
            return value
        time.sleep(0.1)
    raise AssertionError(f"no {what} within {TIMEOUT:.0f} s")


def _leader_pid(engine: Engine) -> int | None:
    """The pid in the holder id (host:pid) of an unexpired lease, if any."""
    with engine.connect() as conn:
        row = conn.execute(text("SELECT holder, expires_at FROM scheduler_lease")).first()
    if row is None:
        return None
    expires = row.expires_at
    if isinstance(expires, str):  # SQLite hands the stored text back
        expires = datetime.fromisoformat(expires)
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return int(row.holder.rsplit(":", 1)[1]) if expires > datetime.now(UTC) else None


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[tuple[dict[str, str], Engine, Path]]:
    instance, database_url = prepare_shared_instance(tmp_path)
    engine = create_engine(database_url)
    try:
        yield process_env(instance, database_url), engine, tmp_path
    finally:
        engine.dispose()


def _scheduler(stack: ExitStack, env: dict[str, str], folder: Path) -> subprocess.Popen[bytes]:
    log = stack.enter_context((folder / f"scheduler-{time.monotonic_ns()}.log").open("wb"))
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "casework", "scheduler", "--tick", "1"],
        env=env,
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def _stop() -> None:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)

    stack.callback(_stop)
    return process


def test_a_standby_leads_at_once_when_the_leader_is_stopped(
    shared: tuple[dict[str, str], Engine, Path],
) -> None:
    env, engine, folder = shared
    with ExitStack() as stack:
        first = _scheduler(stack, env, folder)
        assert _wait_for("leader", lambda: _leader_pid(engine)) == first.pid
        second = _scheduler(stack, env, folder)
        time.sleep(2)  # the second has ticked by now: it stays a standby
        assert _leader_pid(engine) == first.pid and second.poll() is None

        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=TIMEOUT) == 0
        assert (
            _wait_for("takeover", lambda: p if (p := _leader_pid(engine)) != first.pid else None)
            == second.pid
        )

        # Ctrl-C (SIGINT) does the same for the next standby.
        third = _scheduler(stack, env, folder)
        time.sleep(2)
        second.send_signal(signal.SIGINT)
        assert second.wait(timeout=TIMEOUT) == 0
        assert (
            _wait_for("takeover", lambda: p if (p := _leader_pid(engine)) != second.pid else None)
            == third.pid
        )
        log_text = "".join(p.read_text(errors="replace") for p in folder.glob("scheduler-*.log"))
        assert "Traceback" not in log_text
