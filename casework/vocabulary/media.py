"""The evidence file types accepted, identified by content, never by name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ALLOWED_MEDIA_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "image/heif",
        "application/pdf",
        "audio/ogg",
        "audio/opus",
        "audio/mp4",
        "audio/x-m4a",
        "audio/m4a",
        "audio/aac",
        "audio/mpeg",
        "audio/amr",
        "audio/x-wav",
        "video/mp4",
        "video/3gpp",
        "video/quicktime",
        "text/plain",
    }
)

# What staff read instead of a media type: the kind of file, then its format.
MEDIA_KINDS = {
    "image": _l("Photo or image"),
    "audio": _l("Audio or voice note"),
    "video": _l("Video"),
    "application/pdf": _l("PDF document"),
    "text/plain": _l("Text"),
}


def media_label(media_type: str) -> str:
    """ "image/jpeg" → "Photo or image (JPEG)"; an unknown type as it is."""
    kind = MEDIA_KINDS.get(media_type) or MEDIA_KINDS.get(media_type.partition("/")[0])
    if kind is None:
        return media_type
    if media_type in MEDIA_KINDS:
        return str(kind)
    subtype = media_type.partition("/")[2].removeprefix("x-").upper()
    return f"{kind} ({subtype})"
