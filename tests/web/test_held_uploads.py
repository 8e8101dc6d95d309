"""Files chosen on the complaint form survive the form being shown again: an error elsewhere,
"Add another payment" or a removed file loses none of them, and only the form they came with
can send them."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import Case, Evidence, HeldUpload
from casework.models.columns import utcnow
from casework.services.evidence.cleanup import clean_evidence_store
from casework.services.evidence.held import discard_expired_holds, held_temp_names
from tests import samples

TOKEN = "held-form-token-7f3a9c2e1b5d-4e8f"
OTHER_TOKEN = "other-form-token-2c9e4a7f1d3b-6a0e"
COMPLETE = {
    "language": "en",
    "origin_country": "NP",
    "destination_country": "QA",
    "abuse_categories": ["RA_FEES"],
    "submission": TOKEN,
}
# The same form with a mistake: no countries chosen.
INCOMPLETE = {**COMPLETE, "origin_country": "", "destination_country": ""}


def _post(client: FlaskClient, data: dict[str, Any], *files: tuple[bytes, str]) -> Any:
    body: dict[str, Any] = dict(data)
    if files:
        body["evidence"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post("/complaint", data=body, content_type="multipart/form-data")


def _held_names(page: str) -> list[str]:
    return re.findall(r'<span class="filename" dir="auto">([^<]*)</span>', page)


def _handles(page: str) -> list[str]:
    return re.findall(r'name="remove_file" value="([0-9a-f]+)"', page)


def _temp_files(app: Flask) -> list[str]:
    return sorted(path.name for path in app.extensions["casework.evidence_store"].tmp.iterdir())


def _only_case() -> Case:
    db.session.expire_all()
    return db.session.scalars(select(Case)).one()


def _receipt(client: FlaskClient) -> str:
    return str(client.get("/complaint/receipt").get_data(as_text=True))


def test_error_on_another_field_keeps_the_chosen_file(client: FlaskClient, app: Flask) -> None:
    client.get("/complaint")
    response = _post(client, INCOMPLETE, (samples.png(), "receipt.png"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Everything you wrote is still here." in page
    assert _held_names(page) == ["receipt.png"]
    assert "We kept the file you chose." in page
    assert "Files are not kept" not in page
    assert db.session.scalar(select(func.count(Case.id))) == 0

    # The worker fixes the countries and sends, without choosing the file again.
    assert _post(client, COMPLETE).status_code == 303
    case = _only_case()
    assert [e.media_type for e in case.evidence] == ["image/png"]
    assert "We received 1 file with your complaint." in _receipt(client)
    assert _temp_files(app) == []
    assert db.session.scalar(select(func.count(HeldUpload.id))) == 0


def test_held_and_newly_chosen_files_are_sent_together(client: FlaskClient) -> None:
    client.get("/complaint")
    _post(client, INCOMPLETE, (samples.png(), "receipt.png"))
    # "Add another payment" keeps the files too, and shows the first one still held.
    again = _post(client, {**INCOMPLETE, "add_fee": "1"}, (samples.pdf(), "contract.pdf"))
    assert _held_names(again.get_data(as_text=True)) == ["receipt.png", "contract.pdf"]
    response = _post(client, COMPLETE, (samples.ogg_opus_voice_note(), "voice.ogg"))
    assert response.status_code == 303
    media = sorted(e.media_type for e in _only_case().evidence)
    assert media == ["application/pdf", "audio/opus", "image/png"]
    assert "We received 3 files with your complaint." in _receipt(client)


def test_remove_button_drops_a_held_file_without_javascript(
    client: FlaskClient, app: Flask
) -> None:
    client.get("/complaint")
    page = _post(
        client, INCOMPLETE, (samples.png(), "receipt.png"), (samples.pdf(), "contract.pdf")
    ).get_data(as_text=True)
    assert _held_names(page) == ["receipt.png", "contract.pdf"]
    assert len(_temp_files(app)) == 2
    receipt_handle = _handles(page)[0]

    removed = _post(client, {**INCOMPLETE, "remove_file": receipt_handle})
    assert removed.status_code == 200
    assert _held_names(removed.get_data(as_text=True)) == ["contract.pdf"]
    assert len(_temp_files(app)) == 1

    assert _post(client, COMPLETE).status_code == 303
    assert [e.media_type for e in _only_case().evidence] == ["application/pdf"]


def test_a_refused_file_is_named_and_the_others_are_kept(client: FlaskClient) -> None:
    client.get("/complaint")
    response = _post(client, COMPLETE, (samples.png(), "receipt.png"), (samples.exe(), "photo.jpg"))
    assert response.status_code == 415
    page = response.get_data(as_text=True)
    assert "File 2 is not a type we accept." in page
    assert _held_names(page) == ["receipt.png"]
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_another_submission_token_cannot_claim_a_held_file(client: FlaskClient, app: Flask) -> None:
    client.get("/complaint")
    _post(client, INCOMPLETE, (samples.png(), "receipt.png"))
    # Another form in the same browser: its own token, nothing held for it.
    other = _post(client, {**INCOMPLETE, "submission": OTHER_TOKEN})
    assert _held_names(other.get_data(as_text=True)) == []
    assert _post(client, {**COMPLETE, "submission": OTHER_TOKEN}).status_code == 303
    assert _only_case().evidence == []
    # The file is still held for its own form, which can still send it.
    assert len(_temp_files(app)) == 1
    assert _post(client, COMPLETE).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Evidence.id))) == 1


def test_another_browser_with_the_token_cannot_see_or_send_the_file(
    client: FlaskClient, app: Flask
) -> None:
    client.get("/complaint")
    _post(client, INCOMPLETE, (samples.png(), "receipt.png"))
    stranger = app.test_client()
    stranger.get("/complaint")  # its own form cookie
    page = _post(stranger, INCOMPLETE).get_data(as_text=True)
    assert _held_names(page) == [] and "receipt.png" not in page
    assert _post(stranger, COMPLETE).status_code == 303
    assert _only_case().evidence == []


def test_held_files_expire_and_are_discarded(client: FlaskClient, app: Flask) -> None:
    client.get("/complaint")
    _post(client, INCOMPLETE, (samples.png(), "receipt.png"))
    (name,) = _temp_files(app)
    assert held_temp_names() == {name}
    # Just before the hold ends nothing is discarded; after it, row and file go.
    with time_machine.travel(utcnow() + timedelta(hours=23, minutes=59), tick=False):
        assert discard_expired_holds() == 0
    with time_machine.travel(utcnow() + timedelta(hours=24, minutes=1), tick=False):
        assert held_temp_names() == set()
        assert discard_expired_holds() == 1
    assert _temp_files(app) == []
    assert db.session.scalar(select(func.count(HeldUpload.id))) == 0
    page = _post(client, INCOMPLETE).get_data(as_text=True)
    assert _held_names(page) == []


def test_the_store_cleanup_keeps_held_files_and_removes_expired_ones(
    client: FlaskClient, app: Flask
) -> None:
    """The scheduled cleanup treats an untouched temporary file older than its grace period as
    a leftover — except a held one, until its hold ends."""
    client.get("/complaint")
    _post(client, INCOMPLETE, (samples.png(), "receipt.png"))
    (name,) = _temp_files(app)
    with time_machine.travel(utcnow() + timedelta(hours=23), tick=False):
        report = clean_evidence_store(remove=True)
    assert report.stale_temp_files == 0 and _temp_files(app) == [name]
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        clean_evidence_store(remove=True)
    assert _temp_files(app) == []
    assert db.session.scalar(select(func.count(HeldUpload.id))) == 0


def test_held_file_names_and_keys_are_not_stored_in_the_clear(client: FlaskClient) -> None:
    client.get("/complaint")
    _post(client, INCOMPLETE, (samples.png(), "receipt-from-agent.png"))
    row = db.session.scalars(select(HeldUpload)).one()
    assert b"receipt-from-agent" not in row.filename_sealed
    assert TOKEN not in row.token_hash
    assert len(row.wrapped_file_key) > 32  # sealed, not a bare 32-byte key


def test_choosing_a_kept_file_again_does_not_send_it_twice(client: FlaskClient) -> None:
    client.get("/complaint")
    _post(client, INCOMPLETE, (samples.png(), "receipt.png"))
    page = _post(client, INCOMPLETE, (samples.png(), "receipt.png")).get_data(as_text=True)
    assert _held_names(page) == ["receipt.png"]
    assert _post(client, COMPLETE, (samples.png(), "receipt.png")).status_code == 303
    assert len(_only_case().evidence) == 1
