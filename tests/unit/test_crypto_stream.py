"""The evidence blob format (casework/crypto/stream.py).

Every way a stored blob can be damaged or tampered with must end in `DecryptionError`, never in
silently shorter, reordered or foreign evidence: a caseworker relies on the file being exactly
what the worker sent.
"""

from __future__ import annotations

import array
import hashlib
import io
import os
import struct
from typing import BinaryIO, cast

import pytest

from casework.crypto import (
    DecryptionError,
    StreamDecryptor,
    StreamEncryptor,
    decrypt_blob,
    new_data_key,
    read_header,
)
from casework.crypto.stream import (
    DEFAULT_CHUNK_SIZE,
    FORMAT_VERSION,
    HEADER_BYTES,
    MAGIC,
    MAX_CHUNK_SIZE,
    MIN_CHUNK_SIZE,
    TAG_BYTES,
)

CHUNK = MIN_CHUNK_SIZE  # small chunks keep multi-chunk blobs cheap
RECORD = CHUNK + TAG_BYTES
KEY_ID = bytes(range(16))
OTHER_KEY_ID = bytes(range(16, 32))


def encrypt(
    data: bytes,
    key: bytes,
    key_id: bytes = KEY_ID,
    chunk_size: int = CHUNK,
    write_sizes: list[int] | None = None,
) -> tuple[bytes, str]:
    """The blob for `data` and the SHA-256 the encryptor reported."""
    out = io.BytesIO()
    encryptor = StreamEncryptor(key, key_id, out, chunk_size)
    if write_sizes is None:
        encryptor.write(data)
    else:
        position, turn = 0, 0
        while position < len(data):
            size = write_sizes[turn % len(write_sizes)]
            encryptor.write(data[position : position + size])
            position += size
            turn += 1
    digest = encryptor.finish()
    assert encryptor.size == len(data)
    return out.getvalue(), digest


def decrypt(blob: bytes, key: bytes, expected_key_id: bytes | None = None) -> bytes:
    return b"".join(decrypt_blob(key, io.BytesIO(blob), expected_key_id))


def chunk_offset(index: int) -> int:
    return HEADER_BYTES + index * RECORD


def flip_bit(blob: bytes, offset: int, bit: int = 0) -> bytes:
    damaged = bytearray(blob)
    damaged[offset] ^= 1 << bit
    return bytes(damaged)


@pytest.fixture
def key() -> bytes:
    return new_data_key()


@pytest.fixture
def evidence() -> bytes:
    """Three full chunks and a short final one."""
    return os.urandom(3 * CHUNK + 100)


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size",
    [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK, 5 * CHUNK + 17],
    ids=["empty", "one-byte", "chunk-1", "chunk", "chunk+1", "two-chunks", "three-chunks", "odd"],
)
def test_evidence_of_any_size_decrypts_to_exactly_what_was_written(key: bytes, size: int) -> None:
    data = os.urandom(size)
    blob, _ = encrypt(data, key)
    assert decrypt(blob, key, KEY_ID) == data
    full, rest = divmod(size, CHUNK)
    # Full chunks, then a final chunk that is always present, even when empty.
    assert len(blob) == HEADER_BYTES + full * RECORD + rest + TAG_BYTES


@pytest.mark.parametrize(
    "write_sizes",
    [
        [1],
        [7, 13, 4093],
        [CHUNK - 1, 2],
        [CHUNK + 3, 1, 2 * CHUNK + 5],
        [0, 5, 0, CHUNK, 0],
        [3 * CHUNK],
    ],
    ids=["bytewise", "primes", "straddling", "larger-than-chunks", "with-empty-writes", "one-go"],
)
def test_writes_of_odd_sizes_give_the_same_plaintext(key: bytes, write_sizes: list[int]) -> None:
    data = os.urandom(4 * CHUNK + 333)
    if write_sizes == [1]:
        data = data[: CHUNK + 50]  # byte-by-byte is slow in Python; still crosses a chunk
    blob, digest = encrypt(data, key, write_sizes=write_sizes)
    assert decrypt(blob, key, KEY_ID) == data
    assert digest == hashlib.sha256(data).hexdigest()


def test_the_default_chunk_size_round_trips_around_its_boundaries(key: bytes) -> None:
    for size in (DEFAULT_CHUNK_SIZE - 1, DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_SIZE + 1):
        data = os.urandom(size)
        blob, _ = encrypt(data, key, chunk_size=DEFAULT_CHUNK_SIZE)
        assert read_header(io.BytesIO(blob)).chunk_size == DEFAULT_CHUNK_SIZE
        assert decrypt(blob, key) == data


def test_writes_accept_bytearray_and_memoryviews_of_any_item_size(key: bytes) -> None:
    words = array.array("I", range(3000))  # 12 000 bytes in 4-byte items
    raw = words.tobytes()
    out = io.BytesIO()
    encryptor = StreamEncryptor(key, KEY_ID, out, CHUNK)
    assert encryptor.write(memoryview(words)) == len(raw)
    assert encryptor.write(bytearray(b"tail")) == 4
    digest = encryptor.finish()
    assert encryptor.size == len(raw) + 4
    assert digest == hashlib.sha256(raw + b"tail").hexdigest()
    assert decrypt(out.getvalue(), key) == raw + b"tail"


def test_encryptor_reuses_no_caller_buffer_after_write(key: bytes) -> None:
    """A caller (Werkzeug) may reuse its read buffer as soon as `write` returns."""
    buffer = bytearray(b"A" * (CHUNK + 10))
    out = io.BytesIO()
    encryptor = StreamEncryptor(key, KEY_ID, out, CHUNK)
    encryptor.write(buffer)
    buffer[:] = b"B" * len(buffer)
    encryptor.write(buffer[:5])
    encryptor.finish()
    assert decrypt(out.getvalue(), key) == b"A" * (CHUNK + 10) + b"B" * 5


def test_sha256_reported_by_the_encryptor_is_that_of_the_plaintext(key: bytes) -> None:
    for data in (b"", b"x", os.urandom(2 * CHUNK + 1)):
        out = io.BytesIO()
        encryptor = StreamEncryptor(key, KEY_ID, out, CHUNK)
        encryptor.write(data)
        assert encryptor.finish() == hashlib.sha256(data).hexdigest()
        assert encryptor.sha256 == hashlib.sha256(data).hexdigest()


def test_decryption_works_from_a_source_with_short_reads(key: bytes, evidence: bytes) -> None:
    """A socket or pipe returns fewer bytes than asked; that is not truncation."""

    class Trickle(io.RawIOBase):
        def __init__(self, data: bytes):
            self._data = io.BytesIO(data)
            self._turn = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self._turn += 1
            return self._data.read(min(size, 1 + self._turn % 977))

    blob, _ = encrypt(evidence, key)
    assert b"".join(StreamDecryptor(key, cast(BinaryIO, Trickle(blob)), KEY_ID)) == evidence


def test_the_same_file_encrypted_twice_gives_unrelated_blobs(key: bytes, evidence: bytes) -> None:
    first, _ = encrypt(evidence, key)
    second, _ = encrypt(evidence, key)
    assert (
        read_header(io.BytesIO(first)).nonce_prefix != read_header(io.BytesIO(second)).nonce_prefix
    )
    assert first[HEADER_BYTES : HEADER_BYTES + 64] != second[HEADER_BYTES : HEADER_BYTES + 64]


def test_a_blob_never_contains_its_plaintext(key: bytes) -> None:
    marker = b"PASSPORT-NP-09876543 " * 500
    blob, _ = encrypt(marker, key)
    assert b"PASSPORT" not in blob


def test_the_header_names_key_id_and_chunk_size_without_any_key(key: bytes) -> None:
    blob, _ = encrypt(b"hello", key, chunk_size=2 * CHUNK)
    header = read_header(io.BytesIO(blob))
    assert blob.startswith(MAGIC + bytes([FORMAT_VERSION]))
    assert header.key_id == KEY_ID
    assert header.chunk_size == 2 * CHUNK
    assert len(header.nonce_prefix) == 8
    assert header.pack() == blob[:HEADER_BYTES]


# --- misuse --------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [0, MIN_CHUNK_SIZE - 1, MAX_CHUNK_SIZE + 1])
def test_encryptor_refuses_impossible_chunk_sizes(key: bytes, chunk_size: int) -> None:
    with pytest.raises(ValueError, match="chunk size"):
        StreamEncryptor(key, KEY_ID, io.BytesIO(), chunk_size)


@pytest.mark.parametrize("key_id", [b"", b"short", bytes(17)])
def test_encryptor_refuses_key_ids_that_are_not_16_bytes(key: bytes, key_id: bytes) -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        StreamEncryptor(key, key_id, io.BytesIO(), CHUNK)


def test_a_finished_stream_refuses_more_data_and_a_second_finish(key: bytes) -> None:
    encryptor = StreamEncryptor(key, KEY_ID, io.BytesIO(), CHUNK)
    encryptor.write(b"statement")
    encryptor.finish()
    with pytest.raises(ValueError, match="finished"):
        encryptor.write(b"more")
    with pytest.raises(ValueError, match="finished"):
        encryptor.finish()


# --- wrong keys ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 10, 3 * CHUNK + 100])
def test_evidence_opened_with_the_wrong_key_fails(key: bytes, size: int) -> None:
    blob, _ = encrypt(os.urandom(size), key)
    with pytest.raises(DecryptionError):
        decrypt(blob, new_data_key())


def test_a_blob_moved_under_another_key_id_fails(key: bytes, evidence: bytes) -> None:
    blob, _ = encrypt(evidence, key, key_id=KEY_ID)
    with pytest.raises(DecryptionError, match="another key"):
        decrypt(blob, key, expected_key_id=OTHER_KEY_ID)


def test_a_blob_relabelled_with_another_key_id_fails(key: bytes, evidence: bytes) -> None:
    """Rewriting the key id in the header to match a different row must not help."""
    blob, _ = encrypt(evidence, key, key_id=KEY_ID)
    relabelled = blob[:5] + OTHER_KEY_ID + blob[21:]
    assert read_header(io.BytesIO(relabelled)).key_id == OTHER_KEY_ID
    with pytest.raises(DecryptionError):
        decrypt(relabelled, key, expected_key_id=OTHER_KEY_ID)


# --- tampering -----------------------------------------------------------------------------

HEADER_FIELDS = {
    "magic": 0,
    "version": 4,
    "key-id-first": 5,
    "key-id-last": 20,
    "nonce-prefix-first": 21,
    "nonce-prefix-last": 28,
    "chunk-size-high": 29,
    "chunk-size-low": 32,
}


@pytest.mark.parametrize("offset", HEADER_FIELDS.values(), ids=HEADER_FIELDS.keys())
@pytest.mark.parametrize("bit", [0, 7])
def test_a_flipped_bit_in_the_header_fails(
    key: bytes, evidence: bytes, offset: int, bit: int
) -> None:
    blob, _ = encrypt(evidence, key)
    with pytest.raises(DecryptionError):
        decrypt(flip_bit(blob, offset, bit), key)


def test_every_header_byte_is_authenticated(key: bytes) -> None:
    blob, _ = encrypt(b"short statement", key)
    for offset in range(HEADER_BYTES):
        with pytest.raises(DecryptionError):
            decrypt(flip_bit(blob, offset), key)


@pytest.mark.parametrize(
    "offset",
    [
        chunk_offset(0),
        chunk_offset(1) + CHUNK // 2,
        chunk_offset(2) + CHUNK - 1,
        chunk_offset(3),  # the final, short chunk
    ],
    ids=["first-chunk", "middle-chunk", "last-byte-of-a-chunk", "final-chunk"],
)
def test_a_flipped_bit_in_a_chunk_fails(key: bytes, evidence: bytes, offset: int) -> None:
    blob, _ = encrypt(evidence, key)
    with pytest.raises(DecryptionError, match="failed authentication"):
        decrypt(flip_bit(blob, offset), key)


@pytest.mark.parametrize(
    "offset",
    [chunk_offset(0) + CHUNK, chunk_offset(1) - 1, chunk_offset(3) + 100, chunk_offset(3) + 115],
    ids=["first-tag-start", "first-tag-end", "final-tag-start", "final-tag-end"],
)
def test_a_flipped_bit_in_a_tag_fails(key: bytes, evidence: bytes, offset: int) -> None:
    blob, _ = encrypt(evidence, key)
    assert len(blob) == chunk_offset(3) + 100 + TAG_BYTES
    with pytest.raises(DecryptionError, match="failed authentication"):
        decrypt(flip_bit(blob, offset), key)


def test_a_flipped_bit_anywhere_in_a_small_blob_fails(key: bytes) -> None:
    blob, _ = encrypt(os.urandom(CHUNK + 40), key)
    for offset in range(len(blob)):
        with pytest.raises(DecryptionError):
            decrypt(flip_bit(blob, offset, offset % 8), key)


# --- truncation ----------------------------------------------------------------------------


def test_truncated_evidence_blob_without_its_final_chunk_fails_loudly(
    key: bytes, evidence: bytes
) -> None:
    blob, _ = encrypt(evidence, key)
    with pytest.raises(DecryptionError, match="truncated"):
        decrypt(blob[: chunk_offset(3)], key)


def test_evidence_of_whole_chunks_cut_before_its_empty_final_chunk_fails(key: bytes) -> None:
    data = os.urandom(3 * CHUNK)
    blob, _ = encrypt(data, key)
    assert len(blob) == chunk_offset(3) + TAG_BYTES
    with pytest.raises(DecryptionError, match="truncated"):
        decrypt(blob[: chunk_offset(3)], key)


@pytest.mark.parametrize("boundary", [1, 2, 3])
def test_evidence_cut_exactly_at_a_chunk_boundary_fails(
    key: bytes, evidence: bytes, boundary: int
) -> None:
    blob, _ = encrypt(evidence, key)
    with pytest.raises(DecryptionError):
        decrypt(blob[: chunk_offset(boundary)], key)


@pytest.mark.parametrize(
    "cut",
    [
        chunk_offset(0) + 1,
        chunk_offset(1) + CHUNK // 2,
        chunk_offset(2) - 1,  # inside the tag of chunk 1
        chunk_offset(2) - TAG_BYTES,  # the tag of chunk 1 missing entirely
        chunk_offset(3) + 50,  # inside the final chunk
        chunk_offset(3) + 100 + TAG_BYTES - 1,  # the last byte of the final tag
    ],
)
def test_evidence_cut_inside_a_chunk_fails(key: bytes, evidence: bytes, cut: int) -> None:
    blob, _ = encrypt(evidence, key)
    with pytest.raises(DecryptionError):
        decrypt(blob[:cut], key)


@pytest.mark.parametrize("length", [0, 1, 4, HEADER_BYTES - 1, HEADER_BYTES])
def test_evidence_cut_inside_or_right_after_its_header_fails(key: bytes, length: int) -> None:
    blob, _ = encrypt(b"statement", key)
    with pytest.raises(DecryptionError):
        decrypt(blob[:length], key)


def test_every_truncation_of_a_blob_fails(key: bytes) -> None:
    data = os.urandom(2 * CHUNK + 5)
    blob, _ = encrypt(data, key)
    for length in range(len(blob)):
        with pytest.raises(DecryptionError):
            decrypt(blob[:length], key)
    assert decrypt(blob, key) == data


# --- reordering, splicing and appending ----------------------------------------------------


def _records(blob: bytes) -> list[bytes]:
    return [blob[start : start + RECORD] for start in range(HEADER_BYTES, len(blob), RECORD)]


def test_two_swapped_chunks_fail(key: bytes, evidence: bytes) -> None:
    blob, _ = encrypt(evidence, key)
    records = _records(blob)
    records[0], records[1] = records[1], records[0]
    with pytest.raises(DecryptionError, match="chunk 0"):
        decrypt(blob[:HEADER_BYTES] + b"".join(records), key)


def test_a_repeated_chunk_fails(key: bytes, evidence: bytes) -> None:
    blob, _ = encrypt(evidence, key)
    records = _records(blob)
    records[2] = records[1]
    with pytest.raises(DecryptionError, match="chunk 2"):
        decrypt(blob[:HEADER_BYTES] + b"".join(records), key)


def test_a_dropped_middle_chunk_fails(key: bytes, evidence: bytes) -> None:
    blob, _ = encrypt(evidence, key)
    records = _records(blob)
    del records[1]
    with pytest.raises(DecryptionError):
        decrypt(blob[:HEADER_BYTES] + b"".join(records), key)


def test_a_chunk_spliced_in_from_another_blob_under_the_same_key_fails(
    key: bytes, evidence: bytes
) -> None:
    blob, _ = encrypt(evidence, key)
    other, _ = encrypt(os.urandom(len(evidence)), key)
    records = _records(blob)
    records[1] = _records(other)[1]
    with pytest.raises(DecryptionError, match="chunk 1"):
        decrypt(blob[:HEADER_BYTES] + b"".join(records), key)


def test_the_header_of_another_blob_under_the_same_key_fails(key: bytes, evidence: bytes) -> None:
    blob, _ = encrypt(evidence, key)
    other, _ = encrypt(evidence, key)
    with pytest.raises(DecryptionError):
        decrypt(other[:HEADER_BYTES] + blob[HEADER_BYTES:], key)


@pytest.mark.parametrize("size", [3 * CHUNK + 100, 3 * CHUNK, 0])
@pytest.mark.parametrize(
    "extra",
    ["one-byte", "a-tag", "a-whole-chunk", "the-blob-again"],
)
def test_data_appended_to_a_blob_fails(key: bytes, size: int, extra: str) -> None:
    blob, _ = encrypt(os.urandom(size), key)
    appended = {
        "one-byte": b"\x00",
        "a-tag": blob[-TAG_BYTES:],
        "a-whole-chunk": os.urandom(RECORD),
        "the-blob-again": blob[HEADER_BYTES:],
    }[extra]
    with pytest.raises(DecryptionError):
        decrypt(blob + appended, key)


def test_damage_is_reported_only_after_the_authentic_chunks_before_it(
    key: bytes, evidence: bytes
) -> None:
    """A reader streaming to a client gets authentic chunks, then a loud error, never junk."""
    blob, _ = encrypt(evidence, key)
    chunks = StreamDecryptor(key, io.BytesIO(flip_bit(blob, chunk_offset(2) + 7)), KEY_ID)
    received = []
    with pytest.raises(DecryptionError, match="chunk 2"):
        for chunk in chunks:
            received.append(chunk)
    assert b"".join(received) == evidence[: 2 * CHUNK]


def test_a_header_with_an_impossible_chunk_size_is_refused(key: bytes) -> None:
    blob, _ = encrypt(b"statement", key)
    for size in (0, MIN_CHUNK_SIZE - 1, MAX_CHUNK_SIZE + 1, 2**32 - 1):
        forged = blob[:29] + struct.pack(">I", size) + blob[HEADER_BYTES:]
        with pytest.raises(DecryptionError, match="chunk size"):
            decrypt(forged, key)


def test_a_file_that_is_not_a_blob_is_refused(key: bytes) -> None:
    with pytest.raises(DecryptionError, match="known version"):
        decrypt(b"\x89PNG\r\n\x1a\n" + bytes(HEADER_BYTES + 100), key)
