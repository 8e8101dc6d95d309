"""A process lodges at most INTAKE_CONCURRENCY complaints at once; the others wait their turn,
and one that waits longer than INTAKE_QUEUE_SECONDS is refused honestly: 503 with
`Retry-After`, "NOT received", in the worker's language, and nothing stored.

Lodgings are slowed down in the evidence store (the real store, whose `stage` is made to wait),
so that several are in progress at the same moment, from several threads, as under gunicorn.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from casework.error_pages import NOT_RECEIVED
from casework.extensions import db
from casework.models import Case, Evidence
from tests import samples
from tests.conftest import complaint_payload, make_app, reset_schema


@pytest.fixture
def slots_app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    slots, queue_seconds = request.param
    app = make_app(
        tmp_path,
        WTF_CSRF_ENABLED=False,
        REQUIRE_2FA=False,
        INTAKE_CONCURRENCY=slots,
        INTAKE_QUEUE_SECONDS=queue_seconds,
    )
    reset_schema(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _api_lodge(app: Flask) -> Any:
    data = {
        "complaint": json.dumps(complaint_payload()),
        "evidence": [(io.BytesIO(samples.png()), "receipt.png")],
    }
    return app.test_client().post(
        "/api/v1/complaints", data=data, content_type="multipart/form-data"
    )


def _slow_store(app: Flask, monkeypatch: pytest.MonkeyPatch, wait: Callable[[], None]) -> None:
    """The app's evidence store, each file's staging held up by `wait()` first."""
    store = app.extensions["casework.evidence_store"]
    stage = store.stage

    def held_up(temp_path: Path) -> str:
        wait()
        return str(stage(temp_path))

    monkeypatch.setattr(store, "stage", held_up)


def _cases() -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count(Case.id))) or 0)


def _in_threads(count: int, work: Callable[[], Any]) -> list[Any]:
    answers: list[Any] = [None] * count

    def run(position: int) -> None:
        answers[position] = work()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.mark.parametrize("slots_app", [(2, 30.0)], indirect=True)
def test_no_more_than_the_slots_are_lodged_at_once_and_every_complaint_is_lodged(
    slots_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = threading.Lock()
    now_in, most_in = [0], [0]

    def wait() -> None:
        with lock:
            now_in[0] += 1
            most_in[0] = max(most_in[0], now_in[0])
        time.sleep(0.25)  # long enough for every other request to arrive meanwhile
        with lock:
            now_in[0] -= 1

    _slow_store(slots_app, monkeypatch, wait)

    answers = _in_threads(5, lambda: _api_lodge(slots_app))

    assert [a.status_code for a in answers] == [201] * 5
    assert most_in[0] == 2  # five at the door, two at work
    assert _cases() == 5
    assert len({a.get_json()["reference"] for a in answers}) == 5


@pytest.mark.parametrize("slots_app", [(1, 0.3)], indirect=True)
def test_a_complaint_that_waits_too_long_is_refused_honestly_and_nothing_is_kept(
    slots_app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    inside, release = threading.Event(), threading.Event()

    def wait() -> None:
        inside.set()
        assert release.wait(timeout=30)

    _slow_store(slots_app, monkeypatch, wait)
    first: list[Any] = []
    holder = threading.Thread(target=lambda: first.append(_api_lodge(slots_app)))
    holder.start()
    try:
        assert inside.wait(timeout=30)  # the one slot is taken by a lodging in progress

        refused = _api_lodge(slots_app)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "120"
        assert refused.headers["Cache-Control"] == "no-store"
        with force_locale("ne"):  # the complaint's language
            expected = str(NOT_RECEIVED["api.create_complaint"])
        assert refused.get_json()["error"]["message"] == expected

        browser = slots_app.test_client()
        browser.set_cookie("cw_lang", "ne")
        page = browser.post(
            "/complaint",
            data={
                "language": "ne",
                "origin_country": "NP",
                "destination_country": "QA",
                "abuse_categories": ["RA_FEES"],
                "narrative": "The agent kept my passport.",
            },
        )
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "120"
        with force_locale("ne"):
            expected_page = str(NOT_RECEIVED["intake.complaint"])
        assert expected_page in page.get_data(as_text=True)
        assert _cases() == 0  # the first is still at work; neither refused one was kept
    finally:
        release.set()
        holder.join(timeout=30)

    assert first[0].status_code == 201
    assert _cases() == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Evidence.id))) == 1
    assert _api_lodge(slots_app).status_code == 201  # the slot is free again
    assert "lodging_capacity unavailable" in caplog.text
    assert "passport" not in caplog.text
