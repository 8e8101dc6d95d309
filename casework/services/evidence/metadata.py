"""Metadata stripped from a copy of an evidence file, format by format, by hand.

A preview shows what the file shows, not where and with what it was made: EXIF (GPS position,
camera serial, time), XMP, text chunks, ID3 and Vorbis comments, QuickTime/MP4 user data (an
iPhone video's `©xyz` location) are left out. Each stripper keeps an allow-list of what a
browser needs to show the file and drops the rest; where removing bytes would move data that
other parts point at (MP4 sample offsets, Ogg pages), the metadata is overwritten in place
instead (MP4 boxes become `free` boxes of the same size; Ogg comments are blanked and the page
checksums recomputed). No decoder runs: nothing here interprets pixels or samples.

A file that does not parse as its type raises `MetadataUnreadable`: the caller shows no
preview rather than the original.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from casework.services.errors import DomainError


class MetadataUnreadable(DomainError):
    """The file's structure is not what its type says: no stripped copy can be made."""


# --- JPEG ------------------------------------------------------------------------------------
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0-7: markers without a length


def _keep_jpeg_segment(marker: int, payload: bytes) -> bool:
    if marker == 0xFE:  # COM
        return False
    if 0xE0 <= marker <= 0xEF:  # APPn: only what decoding needs
        if marker == 0xE0:  # JFIF without a thumbnail (JFXX thumbnails dropped)
            return payload[:5] == b"JFIF\x00" and payload[12:14] in (b"\x00\x00", b"")
        if marker == 0xE2:
            return payload.startswith(b"ICC_PROFILE\x00")
        if marker == 0xEE:
            return payload.startswith(b"Adobe")  # colour transform of CMYK/YCCK images
        return False
    return True


def _next_marker(data: bytes, pos: int) -> int:
    """Where the entropy-coded data starting at `pos` ends: the next 0xFF that is not a
    stuffed zero, a restart marker or fill."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos == -1 or pos + 1 >= len(data):
            raise MetadataUnreadable("JPEG without an end")
        following = data[pos + 1]
        if following == 0x00 or following == 0xFF or 0xD0 <= following <= 0xD7:
            pos += 1
            continue
        return pos


def strip_jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise MetadataUnreadable("not a JPEG")
    out = bytearray(b"\xff\xd8")
    pos, size = 2, len(data)
    while pos < size:
        if data[pos] != 0xFF:
            raise MetadataUnreadable("JPEG marker expected")
        while pos < size and data[pos] == 0xFF:
            pos += 1
        if pos >= size:
            break
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI: whatever trails it (maker trailers, MPF images) is left out
            out += b"\xff\xd9"
            return bytes(out)
        if marker in _STANDALONE:
            out += bytes((0xFF, marker))
            continue
        if pos + 2 > size:
            raise MetadataUnreadable("truncated JPEG segment")
        length = struct.unpack(">H", data[pos : pos + 2])[0]
        end = pos + length
        if length < 2 or end > size:
            raise MetadataUnreadable("bad JPEG segment length")
        if _keep_jpeg_segment(marker, data[pos + 2 : end]):
            out += bytes((0xFF, marker)) + data[pos:end]
        pos = end
        if marker == 0xDA:  # SOS: entropy-coded data up to the next real marker
            scan = _next_marker(data, pos)
            out += data[pos:scan]
            pos = scan
    raise MetadataUnreadable("JPEG without an end")


# --- PNG -------------------------------------------------------------------------------------
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
    b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip


def strip_png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise MetadataUnreadable("not a PNG")
    out = bytearray(_PNG_SIGNATURE)
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise MetadataUnreadable("truncated PNG chunk")
        if kind in _PNG_KEEP:  # tEXt, zTXt, iTXt, eXIf, tIME and private chunks are dropped
            out += data[pos:end]
        pos = end
        if kind == b"IEND":
            return bytes(out)
    raise MetadataUnreadable("PNG without an end")


# --- RIFF: WebP and WAV ----------------------------------------------------------------------
_RIFF_KEEP = {
    b"WEBP": {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"},
    b"WAVE": {b"fmt ", b"data", b"fact"},
}
_VP8X_EXIF_XMP = 0x08 | 0x04


def strip_riff(data: bytes) -> bytes:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] not in _RIFF_KEEP:
        raise MetadataUnreadable("not a WebP or WAV file")
    form = data[8:12]
    body = bytearray(form)
    pos, end = 12, min(len(data), 8 + struct.unpack("<I", data[4:8])[0])
    while pos + 8 <= end:
        kind, length = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        stop = pos + 8 + length + (length & 1)
        if pos + 8 + length > end:
            raise MetadataUnreadable("truncated RIFF chunk")
        if kind in _RIFF_KEEP[form]:  # EXIF, XMP, LIST/INFO, id3, bext, iXML ... dropped
            chunk = bytearray(data[pos:stop])
            if kind == b"VP8X" and length >= 1:
                chunk[8] &= ~_VP8X_EXIF_XMP & 0xFF
            body += chunk
        pos = stop
    return b"RIFF" + struct.pack("<I", len(body)) + bytes(body)


# --- ISO base media (MP4, M4A, MOV, 3GP) -----------------------------------------------------
_BMFF_DESCEND = {b"moov", b"trak", b"mdia", b"minf"}
_BMFF_FREE = {b"udta", b"meta", b"uuid", b"XMP_"}


def strip_bmff(data: bytes) -> bytes:
    out = bytearray(data)
    _free_boxes(out, 0, len(out), top=True)
    return bytes(out)


def _free_boxes(buf: bytearray, start: int, end: int, top: bool = False, depth: int = 0) -> None:
    if depth > 6:  # moov/trak/mdia/minf is four deep; a hostile file nests without end
        raise MetadataUnreadable("boxes nested too deep")
    pos, seen = start, False
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", buf[pos : pos + 8])
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise MetadataUnreadable("truncated box")
            size, header = struct.unpack(">Q", buf[pos + 8 : pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise MetadataUnreadable("bad box size")
        if top and not seen and kind != b"ftyp":
            raise MetadataUnreadable("not an ISO media file")
        seen = True
        if kind in _BMFF_FREE:
            # Same size, so every offset into the file (sample tables) stays right.
            buf[pos + 4 : pos + 8] = b"free"
            if header == 16:
                buf[pos + 8 : pos + 16] = struct.pack(">Q", size)
            buf[pos + header : pos + size] = bytes(size - header)
        elif kind in _BMFF_DESCEND:
            _free_boxes(buf, pos + header, pos + size, depth=depth + 1)
        pos += size


# --- MP3 and raw AAC: ID3v2 in front, APEv2 and ID3v1 behind --------------------------------
def strip_id3(data: bytes) -> bytes:
    start = 0
    while data[start : start + 3] == b"ID3" and start + 10 <= len(data):
        flags, raw = data[start + 5], data[start + 6 : start + 10]
        if any(b & 0x80 for b in raw):
            raise MetadataUnreadable("bad ID3 size")
        size = (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]
        start += 10 + size + (10 if flags & 0x10 else 0)
    end = len(data)
    if end - start >= 128 and data[end - 128 : end - 125] == b"TAG":
        end -= 128
    if end - start >= 32 and data[end - 32 : end - 24] == b"APETAGEX":
        size, flags = struct.unpack("<II", data[end - 20 : end - 12])
        end -= size + (32 if flags & 0x80000000 else 0)
    if end <= start:
        raise MetadataUnreadable("no audio left")
    return data[start:end]


# --- Ogg (Opus, Vorbis): comments blanked in place, page checksums recomputed ----------------
def _ogg_crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_OGG_CRC = _ogg_crc_table()


def _ogg_crc(page: bytes | bytearray) -> int:
    crc = 0
    for byte in page:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _OGG_CRC[(crc >> 24) ^ byte]
    return crc


def strip_ogg(data: bytes) -> bytes:
    buf = bytearray(data)
    pages: list[tuple[int, int]] = []  # (start, end) of every page
    packets: dict[int, int] = {}  # packets completed so far, per stream
    spans: dict[int, list[tuple[int, int, int]]] = {}  # serial -> (page no, start, end)
    pos = 0
    while pos < len(buf):
        if buf[pos : pos + 4] != b"OggS" or pos + 27 > len(buf):
            raise MetadataUnreadable("not an Ogg page")
        serial = struct.unpack("<I", buf[pos + 14 : pos + 18])[0]
        count = buf[pos + 26]
        lacing = buf[pos + 27 : pos + 27 + count]
        body = pos + 27 + count
        end = body + sum(lacing)
        if end > len(buf):
            raise MetadataUnreadable("truncated Ogg page")
        cursor = body
        for value in lacing:
            if packets.get(serial, 0) == 1:  # the second packet of a stream: its comments
                spans.setdefault(serial, []).append((len(pages), cursor, cursor + value))
            cursor += value
            if value < 255:
                packets[serial] = packets.get(serial, 0) + 1
        pages.append((pos, end))
        pos = end
    touched: set[int] = set()
    for parts in spans.values():
        packet = b"".join(bytes(buf[a:b]) for _page, a, b in parts)
        blank = _blank_comments(packet)
        offset = 0
        for page, a, b in parts:
            buf[a:b] = blank[offset : offset + (b - a)]
            offset += b - a
            touched.add(page)
    for page in touched:
        start, end = pages[page]
        buf[start + 22 : start + 26] = bytes(4)
        buf[start + 22 : start + 26] = struct.pack("<I", _ogg_crc(buf[start:end]))
    return bytes(buf)


def _blank_comments(packet: bytes) -> bytes:
    """The comment packet with its vendor string and every comment overwritten, same length."""
    if packet.startswith(b"OpusTags"):
        pos = 8
    elif packet.startswith(b"\x03vorbis"):
        pos = 7
    else:
        raise MetadataUnreadable("an Ogg stream this preview does not know")
    out = bytearray(packet)

    def field(at: int) -> int:
        if at + 4 > len(out):
            raise MetadataUnreadable("truncated comment header")
        length = struct.unpack("<I", out[at : at + 4])[0]
        if at + 4 + length > len(out):
            raise MetadataUnreadable("bad comment length")
        filler = (b"X=" + b"0" * length)[:length]
        out[at + 4 : at + 4 + length] = filler
        return at + 4 + length

    pos = field(pos)  # the vendor string
    if pos + 4 > len(out):
        raise MetadataUnreadable("truncated comment header")
    count = struct.unpack("<I", out[pos : pos + 4])[0]
    pos += 4
    for _n in range(count):
        pos = field(pos)
    return bytes(out)


STRIPPERS: dict[str, Callable[[bytes], bytes]] = {
    "image/jpeg": strip_jpeg,
    "image/png": strip_png,
    "image/webp": strip_riff,
    "audio/x-wav": strip_riff,
    "audio/mpeg": strip_id3,
    "audio/aac": strip_id3,
    "audio/ogg": strip_ogg,
    "audio/opus": strip_ogg,
    "audio/mp4": strip_bmff,
    "audio/x-m4a": strip_bmff,
    "audio/m4a": strip_bmff,
    "video/mp4": strip_bmff,
    "video/quicktime": strip_bmff,
    "video/3gpp": strip_bmff,
}


def strip_metadata(media_type: str, data: bytes) -> bytes:
    """A copy of `data` without its metadata; `MetadataUnreadable` if it cannot be made."""
    stripper = STRIPPERS.get(media_type)
    if stripper is None:
        raise MetadataUnreadable(f"no preview for {media_type}")
    return stripper(data)
