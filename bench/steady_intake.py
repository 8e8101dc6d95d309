"""A steady intake load beside a measurement: complaints lodged at a fixed rate in another process.

`steady_intake(url, instance, rate)` starts a process (spawned, so it shares nothing with the
measuring one but the database and the instance folder) that builds the production app on the
same database and key ring and lodges one complaint every 1/rate seconds through the real intake
service (`lodge_complaint`, as the API does: routing, deadlines, sealed narrative and identity,
argon2id of the follow-up secret, report facts and rollups in the same transaction). It keeps to
a schedule rather than pausing between complaints, so a slow lodging is made up for when the
next ones are quicker; when the machine cannot keep up, the rate achieved says so. What it
managed is reported on exit: complaints lodged, failures, the rate achieved and the CPU the
process used.

    with steady_intake(url, instance, rate=2.0) as intake:
        ...measure...
    print(intake.summary())
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STARTUP_SECONDS = 60  # the app's start (imports, key ring) in the new process


@dataclass
class Intake:
    rate: float
    lodged: int = 0
    failed: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    first_error: str = ""

    def summary(self) -> str:
        if self.rate <= 0:
            return "no intake load"
        achieved = self.lodged / self.seconds if self.seconds else 0.0
        text = (
            f"intake load: {self.lodged} complaints lodged in {self.seconds:.0f} s "
            f"({achieved:.2f}/s against {self.rate:.2f}/s asked), {self.failed} failed, "
            f"{self.cpu_seconds / max(self.lodged, 1) * 1000:.0f} ms CPU per complaint "
            f"({self.cpu_seconds / self.seconds * 100 if self.seconds else 0:.0f} % of one core)"
        )
        return text + (f"; first failure: {self.first_error}" if self.first_error else "")


def _lodge_steadily(url: str, instance: str, rate: float, ready: Any, stop: Any, out: Any) -> None:
    """The intake process: lodge on schedule until `stop` is set, then report through `out`."""
    import logging
    import sys

    bench = Path(__file__).resolve().parent
    for folder in (str(bench.parent), str(bench)):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    logging.disable(logging.WARNING)  # alembic and intake chatter; failures are counted below
    from casework import create_app
    from casework.extensions import db
    from casework.services.intake.operations import lodge_complaint
    from tests.conftest import complaint_payload

    app = create_app(
        {"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "intake-bench"}
    )
    lodged = failed = 0
    first_error = ""
    with app.app_context():
        ready.set()
        started = time.perf_counter()
        cpu = time.process_time()
        while not stop.is_set():
            due = started + (lodged + failed) / rate
            pause = due - time.perf_counter()
            if pause > 0 and stop.wait(pause):
                break
            try:
                lodge_complaint(complaint_payload(), [], source="api")
                lodged += 1
            except Exception as error:  # noqa: BLE001 - counted and reported, the load goes on
                db.session.rollback()
                failed += 1
                first_error = first_error or f"{type(error).__name__}: {error}"[:200]
            finally:
                db.session.remove()
        out.put(
            (lodged, failed, time.perf_counter() - started, time.process_time() - cpu, first_error)
        )


@contextmanager
def steady_intake(url: str, instance: Path, rate: float) -> Iterator[Intake]:
    """Lodge `rate` complaints a second on `url` while the block runs (nothing when rate <= 0);
    the yielded Intake is filled in when the block ends."""
    intake = Intake(rate)
    if rate <= 0:
        yield intake
        return
    context = multiprocessing.get_context("spawn")
    ready, stop, out = context.Event(), context.Event(), context.Queue()
    process = context.Process(
        target=_lodge_steadily, args=(url, str(instance), rate, ready, stop, out), daemon=True
    )
    process.start()
    try:
        if not ready.wait(STARTUP_SECONDS):
            raise RuntimeError("the intake process did not start")
        yield intake
    finally:
        stop.set()
        if process.is_alive() or not out.empty():
            lodged, failed, seconds, cpu, error = out.get(timeout=STARTUP_SECONDS)
            intake.lodged, intake.failed, intake.seconds = lodged, failed, seconds
            intake.cpu_seconds, intake.first_error = cpu, error
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
