"""The preview answer of the evidence route: the same URL, the same load and audit, `?view=
preview` asks for the file as the browser shows it, without its metadata (services/evidence/
previews.py). The download (no `view`) stays the original, byte for byte."""

from __future__ import annotations

from flask import Response, render_template, request

from casework.models import Case, User
from casework.services.casefile.reading import preview_evidence
from casework.services.evidence.metadata import MetadataUnreadable
from casework.services.evidence.operations import EvidenceDamaged


def wants_preview() -> bool:
    return request.args.get("view") == "preview"


def preview_response(actor: User, case: Case, evidence_id: int) -> Response | tuple[str, int]:
    try:
        preview = preview_evidence(actor, case, evidence_id)
    except EvidenceDamaged:
        return render_template("cases/evidence_damaged.html", case=case), 500
    except MetadataUnreadable:
        return render_template("cases/no_preview.html", case=case, evidence_id=evidence_id), 415
    response = Response(preview.data, mimetype=preview.media_type)
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "no-store"
    # Shown, never run: no script, no plugin, not framed elsewhere, whatever the bytes are.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; sandbox; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
