"""Previews: an evidence file as a browser shows it, without its metadata, made on the fly.

The preview is derived in memory from the verified plaintext for one response and never
stored; the original blob, its SHA-256 and the download stay as uploaded (chain of custody).
Only the types a browser plays and `metadata.py` can strip have one.
"""

from __future__ import annotations

from casework.models import Case, Evidence
from casework.services.evidence.metadata import STRIPPERS, MetadataUnreadable, strip_metadata
from casework.services.evidence.operations import open_verified_evidence

# Chromium shows these; the rest (HEIC, AMR, PDF, 3GP audio ...) is downloaded.
PREVIEW_KINDS = {
    "image/jpeg": "image",
    "image/png": "image",
    "image/webp": "image",
    "audio/mpeg": "audio",
    "audio/aac": "audio",
    "audio/x-wav": "audio",
    "audio/ogg": "audio",
    "audio/opus": "audio",
    "audio/mp4": "audio",
    "audio/x-m4a": "audio",
    "audio/m4a": "audio",
    "video/mp4": "video",
    "video/quicktime": "video",
}
# What the browser is told (it plays Opus in Ogg, and QuickTime's H.264 as MP4).
SERVED_AS = {"audio/opus": "audio/ogg", "audio/x-m4a": "audio/mp4", "audio/m4a": "audio/mp4"}


def preview_kind(media_type: str) -> str | None:
    """ "image", "audio" or "video" when the type has a preview, else None."""
    kind = PREVIEW_KINDS.get(media_type)
    return kind if kind is not None and media_type in STRIPPERS else None


def preview_bytes(case: Case, key: bytes, evidence: Evidence) -> tuple[str, bytes]:
    """(media type to serve, the file without its metadata). The blob is verified in full
    first (`EvidenceDamaged` otherwise); `MetadataUnreadable` when no preview can be made."""
    if preview_kind(evidence.media_type) is None:
        raise MetadataUnreadable(f"no preview for {evidence.media_type}")
    plain = b"".join(open_verified_evidence(case, key, evidence))
    stripped = strip_metadata(evidence.media_type, plain)
    return SERVED_AS.get(evidence.media_type, evidence.media_type), stripped
