"""The default evidence store: files under a folder, written atomically."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from casework.storage.store import BlobNotFound, StoreUnavailable
from casework.storage.temp_files import TempFolder

_BLOB_ID_CHARS = set("0123456789abcdef")


class FilesystemEvidenceStore:
    """`root/blobs/ab/<blob id>` for stored blobs, `root/tmp/` for writes in progress.

    Staging renames the temporary file into place (atomic, fsynced); publishing has nothing
    left to do. A blob whose row never committed is an orphan that the cleanup removes.
    """

    def __init__(self, root: Path):
        self.root = root
        self.blobs = root / "blobs"
        self.tmp = root / "tmp"
        for folder in (self.root, self.blobs):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._temp = TempFolder(self.tmp)

    def temp_file(self) -> tuple[Path, BinaryIO]:
        return self._temp.new_file()

    def stage(self, temp_path: Path) -> str:
        """fsync the temporary file, rename it to a fresh blob id and fsync the folder."""
        blob_id = secrets.token_hex(16)
        target = self._path(blob_id)
        target.parent.mkdir(exist_ok=True, mode=0o700)
        fd = os.open(temp_path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        # The blob's time is when it was stored, not when its upload was last written to (a
        # held upload may wait hours): the cleanup's grace period runs from now.
        os.utime(temp_path)
        os.rename(temp_path, target)
        _fsync_dir(target.parent)
        return blob_id

    def publish(self, blob_id: str) -> None:
        """Nothing to do: the rename in `stage` was the atomic step."""
        if not self._path(blob_id).is_file():
            raise BlobNotFound(blob_id)

    def abandon(self, blob_id: str) -> None:
        self.delete(blob_id)

    def commit(self, temp_path: Path) -> str:
        blob_id = self.stage(temp_path)
        self.publish(blob_id)
        return blob_id

    def open(self, blob_id: str) -> BinaryIO:
        try:
            return self._path(blob_id).open("rb")
        except FileNotFoundError as exc:
            raise BlobNotFound(blob_id) from exc

    def delete(self, blob_id: str) -> None:
        try:
            self._path(blob_id).unlink()
        except FileNotFoundError:
            pass

    def discard_temp(self, temp_path: Path) -> None:
        self._temp.discard(temp_path)

    def blob_ids(self) -> Iterator[tuple[str, datetime]]:
        for shard in self.blobs.iterdir():
            if not shard.is_dir():
                continue  # a stray file is not ours to judge
            for path in shard.iterdir():
                try:
                    modified = path.stat().st_mtime
                except FileNotFoundError:
                    continue  # deleted meanwhile
                yield path.name, datetime.fromtimestamp(modified, UTC)

    def staged_blobs(self) -> Iterator[tuple[str, datetime]]:
        return iter(())  # staged blobs are already in place

    def stale_temp_files(self, older_than: datetime) -> Iterator[Path]:
        return self._temp.stale(older_than)

    # The temporary folder is under the store's root, which every node shares.
    def share_temp(self, temp_path: Path) -> None:
        return None

    def fetch_temp(self, name: str) -> Path | None:
        return None

    def unshare_temp(self, name: str) -> None:
        return None

    def shared_temps(self) -> Iterator[tuple[str, datetime]]:
        return iter(())

    def check(self) -> None:
        """Create and remove a file in the temporary folder: the store is writable now."""
        try:
            path, handle = self.temp_file()
            handle.close()
            path.unlink()
        except OSError as exc:
            raise StoreUnavailable(str(exc.strerror or exc)) from exc

    def _path(self, blob_id: str) -> Path:
        if len(blob_id) != 32 or not set(blob_id) <= _BLOB_ID_CHARS:
            raise BlobNotFound(blob_id)
        return self.blobs / blob_id[:2] / blob_id


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
