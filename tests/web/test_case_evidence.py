"""Staff add evidence on the case page (encrypted like the worker's, marked as from staff,
audited) and see photos, voice notes and videos in the browser without their metadata, from the
same audited evidence route whose download stays the original, byte for byte."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from casework.extensions import db
from tests import media_samples as media
from tests import samples
from tests.conftest import case_by_reference, login
from tests.web.desk import accepted_case, audit_rows


@pytest.fixture
def desk(app: Flask, make_org: Any, make_user: Any) -> dict[str, Any]:
    gefont = make_org("gefont", ["NP"], ["ne"])
    elsewhere = make_org("dhaka-desk", ["BD"], ["bn"])
    return {
        "asha": make_user(gefont, languages=["ne"], name="Asha"),
        "outsider": make_user(elsewhere, name="Outsider"),
    }


def _upload(client: Any, reference: str, files: list[tuple[str, bytes]]) -> Any:
    data = {"evidence": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(
        f"/cases/{reference}/evidence", data=data, content_type="multipart/form-data"
    )


def _files_under(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in folder.rglob("*") if p.is_file()]


def test_staff_upload_is_encrypted_marked_from_staff_and_audited(
    app: Flask, lodge: Any, desk: dict[str, Any], tmp_path: Path
) -> None:
    reference, client = accepted_case(app, lodge, desk["asha"])
    photo = media.jpeg_with_gps()
    response = _upload(client, reference, [("receipt-from-agent.jpg", photo)])
    assert response.status_code == 302
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "receipt-from-agent.jpg" in page
    case = case_by_reference(reference)
    [evidence] = case.evidence
    assert (evidence.uploaded_by, evidence.media_type, evidence.size) == (
        "staff",
        "image/jpeg",
        len(photo),
    )
    assert [e.actor_user_id for e in case.events if e.kind == "evidence_added"] == [desk["asha"].id]
    assert [row.detail for row in audit_rows(reference, "upload_evidence")] == [
        f"evidence {evidence.id}"
    ]
    # Nothing of the photo is on disk in the clear: not in the store, temp files or database.
    db.session.remove()
    stored = _files_under(tmp_path)
    assert stored and not any(media.GPS_MARK in blob or photo[200:260] in blob for blob in stored)
    # Refused types store nothing, and say why.
    response = _upload(client, reference, [("tool.exe", samples.exe())])
    assert len(case_by_reference(reference).evidence) == 1
    assert "not a type we accept" in client.get(f"/cases/{reference}").get_data(as_text=True)


SAMPLES = [
    ("photo.jpg", media.jpeg_with_gps(), "image/jpeg", [media.GPS_MARK, b"Exif"]),
    ("screen.png", media.png_with_text(), "image/png", [media.GPS_MARK, b"eXIf"]),
    ("clip.mp4", media.mp4_with_location(), "video/mp4", [b"+27.7172", media.CAMERA_MARK]),
    ("voice.opus", media.ogg_opus_with_tags(), "audio/ogg", [media.GPS_MARK]),
    ("call.mp3", media.mp3_with_tags(), "audio/mpeg", [media.GPS_MARK, media.CAMERA_MARK]),
]


def test_previews_show_no_metadata_and_downloads_are_the_originals(
    app: Flask, lodge: Any, desk: dict[str, Any]
) -> None:
    files = [(name, content) for name, content, _type, _leaks in SAMPLES]
    reference, client = accepted_case(app, lodge, desk["asha"], files=files)
    ids = [e.id for e in case_by_reference(reference).evidence]
    assert client.get(f"/cases/{reference}").get_data(as_text=True).count(">Show<") == len(SAMPLES)
    for evidence_id, (name, content, served_as, leaks) in zip(ids, SAMPLES, strict=True):
        url = f"/cases/{reference}/evidence/{evidence_id}"
        shown = client.get(f"{url}/show").get_data(as_text=True)
        assert f"{url}?view=preview" in shown and name in shown
        preview = client.get(url, query_string={"view": "preview"})
        assert preview.status_code == 200, name
        assert preview.mimetype == served_as
        assert preview.headers["Content-Disposition"] == "inline"
        assert "no-store" in preview.headers["Cache-Control"]
        assert "sandbox" in preview.headers["Content-Security-Policy"]
        assert all(leak in content for leak in leaks)  # the upload carried them ...
        assert not any(leak in preview.data for leak in leaks), name  # ... the preview not
        download = client.get(url)
        assert download.data == content  # the original, for chain of custody
        assert "attachment" in download.headers["Content-Disposition"]
    assert [r.detail for r in audit_rows(reference, "preview_evidence")] == [
        f"evidence {i}" for i in ids
    ]
    assert len(audit_rows(reference, "download_evidence")) == len(SAMPLES)
    # The photo's preview is the very image without its EXIF, XMP and comment segments.
    photo = client.get(f"/cases/{reference}/evidence/{ids[0]}", query_string={"view": "preview"})
    assert photo.data == media.PLAIN_JPEG


def test_no_preview_for_pdf_and_no_preview_for_other_organisations(
    app: Flask, lodge: Any, desk: dict[str, Any]
) -> None:
    reference, client = accepted_case(
        app,
        lodge,
        desk["asha"],
        files=[("contract.pdf", samples.pdf()), ("p.jpg", media.jpeg_with_gps())],
    )
    pdf_id, photo_id = (e.id for e in case_by_reference(reference).evidence)
    refused = client.get(f"/cases/{reference}/evidence/{pdf_id}", query_string={"view": "preview"})
    assert refused.status_code == 415
    assert b"%PDF" not in refused.data
    assert "Download the original" in refused.get_data(as_text=True)
    assert audit_rows(reference, "preview_evidence") == []
    outsider = app.test_client()
    login(outsider, desk["outsider"])
    for url in (
        f"/cases/{reference}/evidence/{photo_id}?view=preview",
        f"/cases/{reference}/evidence/{photo_id}/show",
    ):
        assert outsider.get(url).status_code == 404
    assert _upload(outsider, reference, [("x.png", samples.png())]).status_code == 404
    assert len(case_by_reference(reference).evidence) == 2
    assert audit_rows(reference, "preview_evidence") == []
