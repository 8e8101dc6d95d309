"""Evidence blob stores. Blobs are already encrypted when they arrive here."""

from casework.storage.filesystem import FilesystemEvidenceStore
from casework.storage.store import BlobNotFound, EvidenceStore, open_store

__all__ = ["BlobNotFound", "EvidenceStore", "FilesystemEvidenceStore", "open_store"]
