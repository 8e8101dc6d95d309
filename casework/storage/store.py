"""The evidence-store interface and how a store is chosen from configuration."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol


class BlobNotFound(Exception):
    """The store holds no blob with that id."""


class StoreUnavailable(Exception):
    """The store cannot be reached or written to right now (a disk, a bucket, a network)."""


class EvidenceStore(Protocol):
    """Where encrypted evidence blobs live.

    Writes go to a temporary name first (`temp_file`), then `commit` moves them into place
    atomically, so a reader never sees half a blob and a crash leaves only temporary files that
    `stale_temp_files` finds.
    """

    def temp_file(self) -> tuple[Path, BinaryIO]: ...

    def commit(self, temp_path: Path) -> str: ...

    def open(self, blob_id: str) -> BinaryIO: ...

    def delete(self, blob_id: str) -> None: ...

    def discard_temp(self, temp_path: Path) -> None: ...

    def blob_ids(self) -> Iterator[tuple[str, datetime]]: ...

    def stale_temp_files(self, older_than: datetime) -> Iterator[Path]: ...

    def check(self) -> None:
        """Raise StoreUnavailable unless the store can be written to now (cheap: readiness probes)."""
        ...


def open_store(url: str, instance_path: str) -> EvidenceStore:
    """Build the store named by `CASEWORK_EVIDENCE_STORE` (`file:///path` or a plain path)."""
    from casework.storage.filesystem import FilesystemEvidenceStore

    if url.startswith("file://"):
        path = Path(url.removeprefix("file://"))
    elif "://" in url:
        raise ValueError(f"unsupported evidence store: {url.split('://', 1)[0]}")
    else:
        path = Path(url)
    if not path.is_absolute():
        path = Path(instance_path) / path
    return FilesystemEvidenceStore(path)
