"""Evidence files with metadata in them (EXIF GPS, PNG text, MP4 location, ID3, Ogg tags),
built in code, for the preview tests: what a phone puts in, the preview must leave out."""

from __future__ import annotations

import base64
import struct
import zlib

from casework.services.evidence.metadata import _ogg_crc

# A 160x100 JPEG drawn by Chromium's canvas (a real, decodable image; no metadata of its own).
PLAIN_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAA"
    "AABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAA"
    "ABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAA"
    "AAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAA"
    "AAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAA"
    "AABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAA0JCgsK"
    "CA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYV"
    "FSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT0//wAARCABkAKADASIAAhEB"
    "AxEB/8QAGwABAQEAAwEBAAAAAAAAAAAAAAYFAQMEAgf/xAA5EAABAwMBBAcFBwQDAAAAAAABAAIDBAUREhMWIdEGMUFRVGGj"
    "FDVxgrIiQkSBkaHCFVJTsSNDov/EABoBAQACAwEAAAAAAAAAAAAAAAADBAECBQb/xAAhEQADAAMAAgIDAQAAAAAAAAAAAQID"
    "ERMEMhJBFCExUf/aAAwDAQACEQMRAD8Av0RSV8vNwpLtPBT1GiNunA0NOMtB7QpYh29IiqlK2ytRQe8N28X6bOSbw3bxfps5"
    "KXhRp2kvEUHvDdvF+mzkm8N28X6bOScKHaS8RQe8N28X6bOSbw3bxfps5JwodpLxFB7w3bxfps5JvDdvF+mzknCh2kvEUHvD"
    "dvF+mzkm8N28X6bOScKHaS8RYPRi41df7T7XLtNno0/ZAxnOeoeS3lFUuXpkkv5LaCIi1MhERAEREAUH0l9/VPy/SFeKD6S+"
    "/qn5fpCnwexFm9TLREVsrBERAEREAREQBERAVHQv8b8n8lUKX6F/jfk/kqhUc3uy3i9UERFGbhERAEREAUH0l9/VPy/SFeKD"
    "6S+/qn5fpCnwexFm9TLREVsrBERAEREAREQBERAVHQv8b8n8lr3K9UVuy2V5fL/jZxP59yjaK5zUFNUR05LZJi37f9oGc/nx"
    "Xgc4ucXOJJJySe1cnys/xtqTt+D4PSFd/wAKSbpfOXHYUsbR2ayXf6wkPS+cOG3pY3N7dBLT++VNIqfa/wDTqfh4Na+J+hW2"
    "9UVxw2J5ZL/jfwP5d60V+WtcWuDmkgg5BHYrPo1eXVrDS1TszsGWuP3xzVjFm+T0zn+V4XNfOP4b6IisHOCg+kvv6p+X6Qrx"
    "QfSX39U/L9IU+D2Is3qZaIitlYIiIAiIgCIiAIiHqWG9LZmVukj4REXm223tntpSlaQREWDIXfRVL6SsiqGE5jcD8R2j9F0I"
    "ieg0mtM/UmuDmhzTkEZBXK89uz/TaXV17Fmf0C9C6a/aPLUtNoKSvlmuFXdp56en1xu04OtozhoHaVWot4tw9o0qVS0yD3eu"
    "3hPUZzTd67eE9RnNXiKXvRpxkg93rt4T1Gc03eu3hPUZzV4vjaR7URa27Qt1BmeOO/Hcsd6HGSG3eu3hPUZzTd67eE9RnNXi"
    "LPehxkg93rt4T1Gc03eu3hPUZzV4id6HGSD3eu3hPUZzTd67eE9RnNXiLHehxk/MaiCWlnfBOwskYcEFdStOktndWxiqpm5n"
    "YMOaPvt5qMIIJBBBHAgrk5IcUeo8bOs0J/f2cIiKMnC76KmfV1kVOwHMjgPgO0/oukAkgAEk9QCs+jVmdRRmqqW4neMBp+4O"
    "a3xw7eiDyc6wxv7+jeY0MYGtGGtGAFyiLonnAs29TVMUdIykmET5qlkTnFod9kg54H4LSXVPTxVBjMrNWyeJGcSMOHUf3QGH"
    "NU3I3Caip31kgpmMJkiZBqeXZOXai0Y7PsjsPFd0VRcaysZSSy+wyR0rJphG1rnF7iRgE5Gkaf361oVNupaqYTSscJQ3Trjk"
    "dG4juJaRkeS+ZrVRTNiD4nAxM0McyVzHBvdqBBx+awZM6rq7g65voqf2kiCFjnPp2w5e52eJ2hGBw6h58Qgq60VLPaY2w1At"
    "0kj2hrSQ8OHbx4eWcLSmtlHMYnOjc10TNDHskcxwb3ZBBI+K4kt0GydsWaZRA6Bji4nDT2fqBx60BmUlVcGRWmeeuM4uADXs"
    "2bRoJjLg5uB2Y45z1rv6LwyR2pr31U0rXPkAY8Mw3/kdxGGg8fMrutlmpqGKncYwaiKIM1a3Oa04w4tBOBnyAXqpqGnpHyPg"
    "D27QlxbtHFoJOThpOBxPYAgM280sAudqqxGNu6sawv7dOzfw/ZL1ZpK+ujqmMopRHEWbOqjLgSTnIweHx4r2Vtooq+Zs1UyV"
    "z2Y06Z5GAHjxAaQM8TxX1U2qjqiwzskdoYGDEz25b3HB4/mgMhksN0NjifA1lHLFI8054s1MDQ1vmBk4+C6GDVsrc8k0X9Uf"
    "DpJ4FgYXBnw1cMeWFQz2+kngigfCAyHBj0EsLMDH2S3BHDuXBttEaIUewGwadQAJBDs5znrznjnOUBgVWaaO50VOTFSCqp2Y"
    "YcCNshbrA7hx/wDS8fSC1UkFTXikhEIjoRNiLgGu1EZx5jP6Krjt1HHSSUggBhlJMgeS4vJ6ySeJPmlPbqSmZK2OLImGJDI4"
    "vLxjGCXEkjyRpP8ATMzbl7lkbP0WfT3anpaOojcJonvOQRgN08TjP93WvfD0QnLht6qNo7dALv8AeFR0dtpKJ5fTxEOLQzU5"
    "7nkNHUBknA8gvWo3hhvbLK83NK0mZtusdFbyHxsMko/7H8SPh3LSRFIkktIrXdW909hERZNQiIgCIiAIiIAiIgCIiAIiIAiI"
    "gCIiAIiIAiIgP//Z"
)
# What a phone writes: where the photo was taken. The preview must carry none of it.
GPS_MARK = b"GPS 27.7172N 85.3240E"
CAMERA_MARK = b"Phone-Serial-0042"


def _exif_app1() -> bytes:
    """An APP1 EXIF segment (a little-endian TIFF header, then the data phones put there)."""
    body = b"Exif\x00\x00" + b"II*\x00\x08\x00\x00\x00" + GPS_MARK + b"\x00" + CAMERA_MARK
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def jpeg_with_gps() -> bytes:
    """The plain JPEG with EXIF (GPS, camera serial) and XMP after its APP0, and a comment."""
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + GPS_MARK + b"</x:xmpmeta>"
    comment = b"taken at " + GPS_MARK
    app0_end = 2 + 2 + struct.unpack(">H", PLAIN_JPEG[4:6])[0]
    return (
        PLAIN_JPEG[:app0_end]
        + _exif_app1()
        + b"\xff\xe1"
        + struct.pack(">H", len(xmp) + 2)
        + xmp
        + b"\xff\xfe"
        + struct.pack(">H", len(comment) + 2)
        + comment
        + PLAIN_JPEG[app0_end:]
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_text(width: int = 4, height: int = 3) -> bytes:
    raw = b"".join(b"\x00" + b"\x20\x60\xa0" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _png_chunk(b"tEXt", b"Location\x00" + GPS_MARK)
        + _png_chunk(b"eXIf", b"II*\x00" + CAMERA_MARK)
        + _png_chunk(b"IDAT", zlib.compress(raw))
        + _png_chunk(b"IEND", b"")
    )


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload) + 8) + kind + payload


def mp4_with_location() -> bytes:
    """An MP4 whose movie header sits before the media data (fast start), with the location
    an iPhone writes (`udta/©xyz`) and a `meta` box; `stco` points into `mdat`."""
    mdat_payload = b"\x00\x00\x00\x10frame-one-bytes!" * 4
    udta = _box(b"udta", _box(b"\xa9xyz", b"\x00\x12\x15\xc7+27.7172+085.3240/"))
    meta = _box(b"meta", b"\x00\x00\x00\x00" + _box(b"ilst", CAMERA_MARK))
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")

    def moov(offset: int) -> bytes:
        stco = _box(b"stco", b"\x00\x00\x00\x00" + struct.pack(">II", 1, offset))
        trak = _box(b"trak", _box(b"mdia", _box(b"minf", _box(b"stbl", stco))))
        return _box(b"moov", _box(b"mvhd", bytes(100)) + trak + udta + meta)

    first = len(ftyp) + len(moov(0)) + 8  # where mdat's payload starts
    return ftyp + moov(first) + _box(b"mdat", mdat_payload)


def mp3_with_tags() -> bytes:
    frames = (b"\xff\xfb\x90\x64" + bytes(413)) * 3
    id3_body = b"TXXX\x00\x00\x00\x16\x00\x00\x00GPS\x00" + GPS_MARK
    size = len(id3_body)
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    id3v1 = b"TAG" + CAMERA_MARK.ljust(125, b"\x00")
    return b"ID3\x04\x00\x00" + syncsafe + id3_body + frames + id3v1


def _ogg_page(serial: int, sequence: int, packet: bytes, header_type: int) -> bytes:
    lacing = [255] * (len(packet) // 255) + [len(packet) % 255]
    page = bytearray(
        b"OggS"
        + bytes([0, header_type])
        + bytes(8)
        + struct.pack("<III", serial, sequence, 0)
        + bytes([len(lacing), *lacing])
        + packet
    )
    page[22:26] = struct.pack("<I", _ogg_crc(page))
    return bytes(page)


def ogg_opus_with_tags() -> bytes:
    """Three Ogg pages: OpusHead, OpusTags (vendor and a location comment), one audio packet."""
    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    comment = b"LOCATION=" + GPS_MARK
    tags = (
        b"OpusTags"
        + struct.pack("<I", len(CAMERA_MARK))
        + CAMERA_MARK
        + struct.pack("<I", 1)
        + struct.pack("<I", len(comment))
        + comment
    )
    return (
        _ogg_page(7, 0, head, 2)
        + _ogg_page(7, 1, tags, 0)
        + _ogg_page(7, 2, b"\xfc" + bytes(40), 4)
    )
