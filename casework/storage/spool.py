"""Encrypted spooling of uploads: no plaintext evidence touches the disk, ever.

Werkzeug normally buffers uploaded files over 500 KB in plaintext temporary files. Our request
class hands it an `EncryptedSpool` instead: every byte is encrypted with a fresh file key, in the
evidence blob format, directly into the evidence store's temporary folder. When the complaint is
accepted the temporary file is committed as the blob (no second encryption pass) and the file key
is wrapped by the case key; when it is rejected the temporary file is discarded.

When the complaint form is shown again (an error in another field), `hold_spool` keeps the
sealed temporary file for a later request and `HeldSpool` opens it again then.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from casework.crypto import StreamDecryptor, StreamEncryptor, new_data_key

if TYPE_CHECKING:
    from casework.storage.store import EvidenceStore

HEAD_BYTES = 8192


class EncryptedSpool(io.RawIOBase):
    """A write-then-read file object whose contents are only ever on disk encrypted.

    Werkzeug writes the part, then calls `seek(0)`, which seals the stream. Afterwards the
    object exposes `size`, `sha256` and `head` (the first 8 KiB, kept in memory for content
    sniffing) and can be read back decrypted. Past `max_bytes` it stops storing anything, marks
    itself `oversize` and keeps counting, so the request can finish and answer with a clear error.
    """

    def __init__(self, store: EvidenceStore, max_bytes: int, chunk_size: int):
        super().__init__()
        self.store = store
        self.max_bytes = max_bytes
        self.file_key = new_data_key()
        self.key_id = os.urandom(16)
        self.temp_path: Path | None
        self.temp_path, self._file = store.temp_file()
        self._encryptor: StreamEncryptor | None = StreamEncryptor(
            self.file_key, self.key_id, self._file, chunk_size
        )
        self._head = bytearray()
        self._reader: Iterator[bytes] | None = None
        self._pending = b""
        self.size = 0
        self.sha256 = ""
        self.oversize = False
        self.committed = False

    # --- writing (Werkzeug) --------------------------------------------------------------
    def writable(self) -> bool:
        return self._encryptor is not None

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        length = len(data)
        self.size += length
        if self.oversize:
            return length
        if self.size > self.max_bytes:
            self._drop_contents()
            return length
        if self._encryptor is None:
            raise ValueError("spool is sealed")
        if len(self._head) < HEAD_BYTES:
            self._head += bytes(data[: HEAD_BYTES - len(self._head)])
        self._encryptor.write(data)
        return length

    def seal(self) -> None:
        if self._encryptor is not None:
            self.sha256 = self._encryptor.finish()
            self._encryptor = None
            self._file.flush()

    @property
    def head(self) -> bytes:
        return bytes(self._head)

    # --- reading back --------------------------------------------------------------------
    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if offset != 0 or whence != io.SEEK_SET:
            raise io.UnsupportedOperation("an encrypted spool can only rewind")
        self.seal()
        self._reader = None
        self._pending = b""
        return 0

    def readable(self) -> bool:
        return not self.oversize and self.temp_path is not None

    def read(self, size: int = -1) -> bytes:
        if not self.readable():
            return b""
        self.seal()
        if self._reader is None:
            self._file.seek(0)
            self._reader = iter(StreamDecryptor(self.file_key, self._file, self.key_id))
        out = bytearray(self._pending)
        while size < 0 or len(out) < size:
            chunk = next(self._reader, None)
            if chunk is None:
                break
            out += chunk
        if size >= 0:
            self._pending = bytes(out[size:])
            return bytes(out[:size])
        self._pending = b""
        return bytes(out)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    # --- ending --------------------------------------------------------------------------
    def commit(self) -> str:
        """Move the encrypted temporary file into the store; returns the blob id."""
        if self.oversize or self.temp_path is None:
            raise ValueError("nothing to commit")
        self.seal()
        self._file.close()
        blob_id = self.store.stage(self.temp_path)  # published when the row commits
        self.temp_path = None
        self.committed = True
        return blob_id

    def discard(self) -> None:
        """Remove the temporary file unless it was committed. Safe to call twice."""
        if not self._file.closed:
            self._file.close()
        if self.temp_path is not None:
            self.store.discard_temp(self.temp_path)
            self.temp_path = None

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
        super().close()

    def _drop_contents(self) -> None:
        self.oversize = True
        self._encryptor = None
        self._head = bytearray()
        self.discard()


def spool_bytes(
    store: EvidenceStore, data: bytes, max_bytes: int, chunk_size: int
) -> EncryptedSpool:
    """Spool an in-memory file (demo data, partner imports, tests) exactly as an upload would be."""
    spool = EncryptedSpool(store, max_bytes, chunk_size)
    for start in range(0, len(data), 1 << 16):
        spool.write(data[start : start + (1 << 16)])
    spool.seek(0)
    return spool


# --- holding a spool across requests (the complaint form shown again) ---------------------
def hold_spool(spool: EncryptedSpool) -> str:
    """Keep the sealed temporary file after this request; returns its name in the store's
    temporary folder. From now on `discard` leaves it alone: the hold owns it."""
    if spool.oversize or spool.temp_path is None or spool.committed:
        raise ValueError("nothing to hold")
    spool.seal()
    spool._file.close()  # noqa: SLF001 - the spool's own module
    spool.store.share_temp(spool.temp_path)  # the next request may reach another node
    name = spool.temp_path.name
    spool.temp_path = None
    return name


def find_temp_file(store: EvidenceStore, name: str) -> Path | None:
    """The temporary file called `name`, if it is still in this node's temporary folder or
    shared by the node that received it (then copied here)."""
    for path in store.stale_temp_files(_FAR_FUTURE):
        if path.name == name:
            return path
    return store.fetch_temp(name)


def release_temp_file(store: EvidenceStore, name: str) -> None:
    """A held temporary file is no longer needed: remove it here and its shared copy."""
    path = find_local_temp_file(store, name)
    if path is not None:
        store.discard_temp(path)
    store.unshare_temp(name)


def find_local_temp_file(store: EvidenceStore, name: str) -> Path | None:
    for path in store.stale_temp_files(_FAR_FUTURE):
        if path.name == name:
            return path
    return None


class HeldSpool(EncryptedSpool):
    """A held temporary file opened again in a later request, read-only and already sealed.

    It behaves as the upload did (`head`, `size`, `sha256`, `commit`), except that `discard`
    keeps the file: only the hold's release or expiry removes it (see
    services/evidence/held.py)."""

    def __init__(  # noqa: PLR0913 - what the hold recorded
        self,
        store: EvidenceStore,
        temp_path: Path,
        file_key: bytes,
        key_id: bytes,
        size: int,
        sha256: str,
        max_bytes: int,
    ):
        io.RawIOBase.__init__(self)
        self.store = store
        self.max_bytes = max_bytes
        self.file_key = file_key
        self.key_id = key_id
        self.temp_path = temp_path
        self._file = temp_path.open("rb")
        self._encryptor = None
        self._reader = None
        self._pending = b""
        self.size = size
        self.sha256 = sha256
        self.oversize = False
        self.committed = False
        self._head = bytearray(self._read_head())

    def _read_head(self) -> bytes:
        head = bytearray()
        self._file.seek(0)
        for chunk in StreamDecryptor(self.file_key, self._file, self.key_id):
            head += chunk[: HEAD_BYTES - len(head)]
            if len(head) >= HEAD_BYTES:
                break
        self._file.seek(0)
        return bytes(head)

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()


_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
