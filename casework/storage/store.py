"""The evidence-store interface and how a store is chosen from configuration."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit


class BlobNotFound(Exception):
    """The store holds no blob with that id."""


class StoreUnavailable(Exception):
    """The store cannot be reached or written to right now (a disk, a bucket, a network)."""


class EvidenceStore(Protocol):
    """Where encrypted evidence blobs live.

    A write is two-phase. The bytes arrive in a local temporary file (`temp_file`, always
    encrypted); `stage` makes them durable in the store under a fresh blob id; once the
    database row naming that id has committed, `publish` makes the blob final, and if the
    row does not commit, `abandon` removes it. A reader never sees half a blob. A crash
    leaves temporary files (`stale_temp_files`), staged blobs nobody published
    (`staged_blobs`) or blobs no row names (`blob_ids`), which the cleanup finds.
    """

    def temp_file(self) -> tuple[Path, BinaryIO]:
        """A new private temporary file (path, handle open for writing and reading)."""
        ...

    def stage(self, temp_path: Path) -> str:
        """Store the finished temporary file under a fresh blob id (removing the file)."""
        ...

    def publish(self, blob_id: str) -> None:
        """The row naming `blob_id` committed: make the staged blob final. Idempotent."""
        ...

    def abandon(self, blob_id: str) -> None:
        """The row naming `blob_id` did not commit: remove the staged blob. Idempotent."""
        ...

    def commit(self, temp_path: Path) -> str:
        """`stage` and `publish` at once, for blobs no row is waiting on (restores, imports)."""
        ...

    def open(self, blob_id: str) -> BinaryIO: ...

    def delete(self, blob_id: str) -> None: ...

    def discard_temp(self, temp_path: Path) -> None: ...

    def blob_ids(self) -> Iterator[tuple[str, datetime]]:
        """Every published blob and when it was last written."""
        ...

    def staged_blobs(self) -> Iterator[tuple[str, datetime]]:
        """Blobs staged but neither published nor abandoned, and when they were staged."""
        ...

    def stale_temp_files(self, older_than: datetime) -> Iterator[Path]:
        """Temporary files not written since `older_than`, or whose writer process is gone."""
        ...

    def check(self) -> None:
        """Raise StoreUnavailable unless the store can be written to now (cheap: readiness probes)."""
        ...

    # A temporary file held across requests (a worker's form shown again) must be reachable
    # from whichever node the next request reaches. A filesystem store's temporary folder is
    # on the volume every node shares, so these do nothing there; an object store keeps a
    # copy of the (encrypted) file under its own name until it is released.
    def share_temp(self, temp_path: Path) -> None:
        """Make this temporary file reachable from every node, as it is."""
        ...

    def fetch_temp(self, name: str) -> Path | None:
        """The shared temporary file `name`, copied into this node's folder; None if unknown."""
        ...

    def unshare_temp(self, name: str) -> None:
        """Forget the shared copy of `name` (idempotent)."""
        ...

    def shared_temps(self) -> Iterator[tuple[str, datetime]]:
        """Names of shared temporary files and when they were shared (for the cleanup)."""
        ...


def open_store(url: str, instance_path: str) -> EvidenceStore:
    """Build the store named by `CASEWORK_EVIDENCE_STORE`: `file:///path`, a plain path
    (relative to the instance folder), or `s3://bucket/prefix` (endpoint, region and
    credentials from boto3's standard `AWS_*` environment variables)."""
    from casework.storage.filesystem import FilesystemEvidenceStore

    if url.startswith("s3://"):
        from casework.storage.s3 import S3EvidenceStore

        parts = urlsplit(url)
        if not parts.netloc:
            raise ValueError("an s3:// evidence store needs a bucket: s3://bucket/prefix")
        # Uploads in progress are spooled (encrypted) on local disk before they are staged.
        return S3EvidenceStore(
            parts.netloc, parts.path.strip("/"), Path(instance_path) / "evidence-tmp"
        )
    if url.startswith("file://"):
        path = Path(url.removeprefix("file://"))
    elif "://" in url:
        raise ValueError(f"unsupported evidence store: {url.split('://', 1)[0]}")
    else:
        path = Path(url)
    if not path.is_absolute():
        path = Path(instance_path) / path
    return FilesystemEvidenceStore(path)
