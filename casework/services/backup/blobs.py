"""Evidence blobs out of the store into a backup folder, and back into a store.

Only the store's interface is used (`blob_ids`, `open`, `temp_file`, `commit`), so the same
code backs up the filesystem store and an object store. Blobs are encrypted already and are
copied byte for byte: nothing is decrypted, no key is needed. A store chooses a new id for
every blob it commits, so a restore returns the mapping from old ids to new ones (blob ids are
not part of any encryption's associated data; the file keys are bound to the case instead).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from casework.services.backup.manifest import (
    BLOB_FOLDER,
    blob_file_name,
    copy_hashing,
    create_private_file,
)
from casework.storage import BlobNotFound, EvidenceStore


def store_is_empty(store: EvidenceStore) -> bool:
    return next(iter(store.blob_ids()), None) is None


def copy_blobs_out(
    store: EvidenceStore, wanted: Iterable[str], folder: Path
) -> tuple[dict[str, dict[str, Any]], dict[str, str], list[str]]:
    """Copy each blob the database dump names into `folder/blobs/`.

    Returns the manifest entries of the files written, the blob id → file map, and the ids the
    store no longer holds (a case purged between the dump and the copy, or a damaged store).
    Blobs the dump does not name (uploads in flight, orphans) are not copied.
    """
    (folder / BLOB_FOLDER).mkdir(mode=0o700)
    present = {blob_id for blob_id, _ in store.blob_ids()}
    files: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    missing: list[str] = []
    for blob_id in sorted(set(wanted)):
        if blob_id not in present:
            missing.append(blob_id)
            continue
        name = blob_file_name(blob_id)
        try:
            source = store.open(blob_id)
        except BlobNotFound:
            missing.append(blob_id)
            continue
        try:
            with create_private_file(folder / name) as target:
                sha256, size = copy_hashing(source, target)
                target.flush()
                os.fsync(target.fileno())
        finally:
            source.close()
        files[name] = {"sha256": sha256, "size": size}
        names[blob_id] = name
    return files, names, missing


def copy_blobs_in(store: EvidenceStore, folder: Path, names: dict[str, str]) -> dict[str, str]:
    """Write each backed-up blob into `store` (temporary file, then commit, as uploads do).
    Returns old id → new id; on any failure the blobs committed so far are deleted again."""
    mapping: dict[str, str] = {}
    try:
        for old_id, name in sorted(names.items()):
            temp_path, handle = store.temp_file()
            try:
                with (folder / name).open("rb") as source, handle:
                    copy_hashing(source, handle)
                mapping[old_id] = store.commit(temp_path)
            except BaseException:
                store.discard_temp(temp_path)
                raise
    except BaseException:
        remove_blobs(store, mapping.values())
        raise
    return mapping


def remove_blobs(store: EvidenceStore, blob_ids: Iterable[str]) -> None:
    for blob_id in blob_ids:
        store.delete(blob_id)
