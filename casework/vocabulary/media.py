"""The evidence file types accepted, identified by content, never by name."""

from __future__ import annotations

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
