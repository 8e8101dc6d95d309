"""Evidence blob stores. Blobs are already encrypted when they arrive here."""

from casework.storage.filesystem import FilesystemEvidenceStore
from casework.storage.store import BlobNotFound, EvidenceStore, StoreUnavailable, open_store

__all__ = [
    "BlobNotFound",
    "EvidenceStore",
    "FilesystemEvidenceStore",
    "StoreUnavailable",
    "open_store",
]
