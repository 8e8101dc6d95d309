"""Identify an evidence file by its first bytes, never by its name or the browser's claim."""

from __future__ import annotations

import filetype

from casework.vocabulary.media import ALLOWED_MEDIA_TYPES


def sniff_media_type(head: bytes) -> str | None:
    """The media type of a file from its first bytes, or None if it is not one we accept."""
    if not head:
        return None
    kind = filetype.guess(head)
    if kind is not None:
        mime = str(kind.mime)
        if mime == "audio/ogg" and b"OpusHead" in head[:128]:
            mime = "audio/opus"
        return mime if mime in ALLOWED_MEDIA_TYPES else None
    if _is_plain_text(head):
        return "text/plain"
    return None


def _is_plain_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        # The head may end in the middle of a multi-byte character.
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:
            return False
    return not head.lstrip().startswith((b"<", b"%!", b"#!"))
