"""The metadata strippers behind evidence previews: what phones put in is left out, what a
browser needs stays, and a damaged or hostile file is refused (`MetadataUnreadable`), never a
crash and never the original."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.services.evidence.metadata import (
    STRIPPERS,
    MetadataUnreadable,
    _ogg_crc,
    strip_metadata,
)
from tests import media_samples as media

SAMPLES = {
    "image/jpeg": media.jpeg_with_gps(),
    "image/png": media.png_with_text(),
    "video/mp4": media.mp4_with_location(),
    "audio/mpeg": media.mp3_with_tags(),
    "audio/opus": media.ogg_opus_with_tags(),
}


def test_ogg_checksum_is_the_one_ogg_uses() -> None:
    # CRC-32 with polynomial 0x04C11DB7, no reflection, initial value and final XOR 0: the
    # POSIX cksum CRC (0x765E7680 for "123456789") before its final inversion.
    assert _ogg_crc(b"123456789") == 0x765E7680 ^ 0xFFFFFFFF


def test_mp4_keeps_its_length_and_media_offsets() -> None:
    original = SAMPLES["video/mp4"]
    stripped = strip_metadata("video/mp4", original)
    assert len(stripped) == len(original)
    mdat = original.index(b"mdat")
    assert stripped[mdat:] == original[mdat:]  # the media data, and every offset into it
    assert b"+27.7172" not in stripped and media.CAMERA_MARK not in stripped


def test_ogg_pages_stay_valid_after_the_comments_are_blanked() -> None:
    stripped = strip_metadata("audio/opus", SAMPLES["audio/opus"])
    pos = 0
    while pos < len(stripped):
        segments = stripped[pos + 26]
        end = pos + 27 + segments + sum(stripped[pos + 27 : pos + 27 + segments])
        page = bytearray(stripped[pos:end])
        crc = int.from_bytes(page[22:26], "little")
        page[22:26] = bytes(4)
        assert _ogg_crc(page) == crc
        pos = end
    assert media.GPS_MARK not in stripped and b"OpusTags" in stripped


@settings(max_examples=150, deadline=None)
@given(
    media_type=st.sampled_from(sorted(SAMPLES)),
    cut=st.integers(min_value=0, max_value=400),
    flips=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=4),
)
def test_damaged_files_are_refused_or_stripped_never_a_crash(
    media_type: str, cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(SAMPLES[media_type][: max(1, len(SAMPLES[media_type]) - cut)])
    for position, value in flips:
        data[position % len(data)] = value
    try:
        out = strip_metadata(media_type, bytes(data))
    except MetadataUnreadable:
        return
    assert isinstance(out, bytes)


@pytest.mark.parametrize("media_type", sorted(STRIPPERS))
@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_are_refused_or_stripped(media_type: str, data: bytes) -> None:
    try:
        strip_metadata(media_type, data)
    except MetadataUnreadable:
        pass


def test_boxes_nested_without_end_are_refused() -> None:
    ftyp = media._box(b"ftyp", b"isom\x00\x00\x02\x00isom")
    nested = b""
    for _level in range(2000):
        nested = media._box(b"moov", nested)
    with pytest.raises(MetadataUnreadable):
        strip_metadata("video/mp4", ftyp + nested)
