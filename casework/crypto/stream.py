"""The evidence blob format: a header followed by AES-256-GCM chunks.

    header = b"CWEV" | version (1) | key id (16) | nonce prefix (8) | chunk size (u32, big-endian)
    chunk  = ciphertext of up to `chunk size` bytes || tag (16)

Every chunk but the last holds exactly `chunk size` plaintext bytes; the last holds fewer (possibly
none) and is marked final. Chunk `i` uses nonce `prefix || i (u32)` and associated data
`header || i (u64) || final flag`, so a reordered, dropped, appended or truncated chunk, a swapped
header, or a flipped bit fails decryption loudly. The key id ties a blob to the row holding its
wrapped file key, which lets a cleanup match blobs and rows without any key.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casework.crypto.envelope import DecryptionError

MAGIC = b"CWEV"
FORMAT_VERSION = 1
TAG_BYTES = 16
DEFAULT_CHUNK_SIZE = 256 * 1024
MIN_CHUNK_SIZE = 4 * 1024
MAX_CHUNK_SIZE = 4 * 1024 * 1024
_HEADER = struct.Struct(">4sB16s8sI")
HEADER_BYTES = _HEADER.size


@dataclass(frozen=True)
class BlobHeader:
    key_id: bytes
    nonce_prefix: bytes
    chunk_size: int
    version: int = FORMAT_VERSION

    def pack(self) -> bytes:
        return _HEADER.pack(MAGIC, self.version, self.key_id, self.nonce_prefix, self.chunk_size)

    @classmethod
    def unpack(cls, raw: bytes) -> BlobHeader:
        if len(raw) != HEADER_BYTES:
            raise DecryptionError("blob is shorter than its header")
        magic, version, key_id, prefix, chunk_size = _HEADER.unpack(raw)
        if magic != MAGIC or version != FORMAT_VERSION:
            raise DecryptionError("not an evidence blob of a known version")
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise DecryptionError("blob header has an impossible chunk size")
        return cls(key_id=key_id, nonce_prefix=prefix, chunk_size=chunk_size, version=version)


def _nonce(prefix: bytes, index: int) -> bytes:
    if index >= 2**32:
        raise ValueError("too many chunks for one blob")
    return prefix + index.to_bytes(4, "big")


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


class StreamEncryptor:
    """Encrypts a byte stream into `out` chunk by chunk, into reused buffers.

    Also counts the plaintext bytes and computes their SHA-256 (chain of custody), so callers
    never need a second pass over the plaintext. Call `finish()` exactly once at the end.
    """

    def __init__(
        self,
        key: bytes,
        key_id: bytes,
        out: BinaryIO,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ):
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError("chunk size out of range")
        if len(key_id) != 16:
            raise ValueError("key id must be 16 bytes")
        self.header = BlobHeader(key_id=key_id, nonce_prefix=os.urandom(8), chunk_size=chunk_size)
        self._header_bytes = self.header.pack()
        self._aead = AESGCM(key)
        self._out = out
        self._chunk_size = chunk_size
        self._plain = bytearray(chunk_size)
        self._plain_view = memoryview(self._plain)
        self._cipher = bytearray(chunk_size + TAG_BYTES)
        self._fill = 0
        self._index = 0
        self._sha256 = hashlib.sha256()
        self.size = 0
        self.finished = False
        out.write(self._header_bytes)

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self.finished:
            raise ValueError("stream already finished")
        view = memoryview(data).cast("B")
        total = len(view)
        self._sha256.update(view)
        self.size += total
        size = self._chunk_size
        while len(view):
            if self._fill == 0 and len(view) >= size:
                # Whole chunks straight from the caller's buffer: no copy.
                self._emit(view[:size], size, final=False)
                view = view[size:]
                continue
            take = min(len(view), size - self._fill)
            self._plain_view[self._fill : self._fill + take] = view[:take]
            self._fill += take
            view = view[take:]
            if self._fill == size:
                self._emit(self._plain_view, size, final=False)
                self._fill = 0
        return total

    def finish(self) -> str:
        """Write the final chunk; returns the SHA-256 (hex) of all plaintext written."""
        if self.finished:
            raise ValueError("stream already finished")
        self._emit(self._plain_view[: self._fill], self._fill, final=True)
        self._fill = 0
        self.finished = True
        return self.sha256

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    def _emit(self, plain: memoryview, length: int, final: bool) -> None:
        nonce = _nonce(self.header.nonce_prefix, self._index)
        out_view = memoryview(self._cipher)[: length + TAG_BYTES]
        self._aead.encrypt_into(
            nonce, plain, _aad(self._header_bytes, self._index, final), out_view
        )
        self._out.write(out_view)
        self._index += 1


def read_header(src: BinaryIO) -> BlobHeader:
    return BlobHeader.unpack(_read_exactly(src, HEADER_BYTES))


class StreamDecryptor:
    """Iterates over the plaintext chunks of a blob, verifying each one.

    Raises `DecryptionError` on any tampering, truncation, reordering or trailing data. A caller
    streaming to a client must treat that as fatal: the bytes already sent are authentic, but the
    file is incomplete.
    """

    def __init__(self, key: bytes, src: BinaryIO, expected_key_id: bytes | None = None):
        raw = _read_exactly(src, HEADER_BYTES)
        self.header = BlobHeader.unpack(raw)
        if expected_key_id is not None and self.header.key_id != expected_key_id:
            raise DecryptionError("blob belongs to another key")
        self._header_bytes = raw
        self._aead = AESGCM(key)
        self._src = src

    def __iter__(self) -> Iterator[bytes]:
        record = self.header.chunk_size + TAG_BYTES
        index = 0
        while True:
            chunk = _read_exactly(self._src, record)
            final = len(chunk) < record
            if final and len(chunk) < TAG_BYTES:
                raise DecryptionError("blob is truncated")
            try:
                plain = self._aead.decrypt(
                    _nonce(self.header.nonce_prefix, index),
                    chunk,
                    _aad(self._header_bytes, index, final),
                )
            except InvalidTag as exc:
                raise DecryptionError(f"chunk {index} failed authentication") from exc
            index += 1
            if plain:
                yield plain
            if final:
                if self._src.read(1):
                    raise DecryptionError("data after the final chunk")
                return


def _read_exactly(src: BinaryIO, size: int) -> bytes:
    parts = []
    remaining = size
    while remaining:
        part = src.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def decrypt_blob(
    key: bytes, src: BinaryIO, expected_key_id: bytes | None = None
) -> Iterator[bytes]:
    """Plaintext chunks of the blob in `src` (see `StreamDecryptor`)."""
    return iter(StreamDecryptor(key, src, expected_key_id))
