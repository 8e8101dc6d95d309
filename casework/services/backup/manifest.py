"""The backup manifest: what a backup folder holds and the SHA-256 of every file in it.

The manifest is written last, so a folder without one is an unfinished backup and is refused.
Checksums catch a damaged or altered file before anything is restored; they are not a
signature (whoever can rewrite a file can rewrite the manifest too), which is one more reason
the key ring stays apart from the backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, BinaryIO

from casework.services.errors import DomainError

FORMAT = "casework-backup/1"
MANIFEST = "manifest.json"
BLOB_FOLDER = "blobs"
_CHUNK = 1 << 20
# Only these names are ever read back: nothing in a manifest can point outside the folder.
_FILE_NAME = re.compile(r"^(database\.(dump|sqlite3)|blobs/[A-Za-z0-9_-]{1,200})$")
_SAFE_BLOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")

NOT_INCLUDED = {
    "key_ring": "The master key ring is deliberately NOT in this backup: it is kept separately "
    "(instance/keys/keyring.json or CASEWORK_MASTER_KEYS). Without it nothing here can be "
    "decrypted; restore it from its own backup before restoring this one.",
    "followup_pepper": "Kept with the key ring (instance/keys/pepper or CASEWORK_FOLLOWUP_PEPPER).",
    "audit_key": "Kept with the key ring (instance/keys/audit_key or CASEWORK_AUDIT_KEY).",
    "audit_anchors": "The audit anchor file stays outside the database and outside backups.",
}


class BackupError(DomainError):
    """A backup cannot be made or restored; the message says why and what to do."""


def blob_file_name(blob_id: str) -> str:
    """Where a blob goes in the folder: its id when that is a plain name, else its id in hex."""
    name = blob_id if _SAFE_BLOB_ID.match(blob_id) else "x" + blob_id.encode().hex()
    return f"{BLOB_FOLDER}/{name}"


def create_private_file(path: Path) -> BinaryIO:
    """A new file, 0600 from its first byte; refuses to replace anything."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def copy_hashing(source: BinaryIO, target: BinaryIO) -> tuple[str, int]:
    """Copy `source` into `target`; the SHA-256 and size of what was copied."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def file_entry(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    with create_private_file(folder / MANIFEST) as handle:
        handle.write(json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the backup in `folder`; refuses a folder that is not a whole backup."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{folder} holds no {MANIFEST}: it is not a backup, or the backup did not finish."
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is damaged: it is not valid JSON.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a {FORMAT} manifest.")
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise BackupError(f"{path} lists no files.")
    return manifest


def verify_files(folder: Path, manifest: dict[str, Any]) -> int:
    """Check every file the manifest lists against its size and SHA-256, before anything is
    restored; raises `BackupError` naming the first file that is missing or differs."""
    for name, expected in sorted(manifest["files"].items()):
        if not _FILE_NAME.match(name):
            raise BackupError(f"the manifest names an unexpected file {name!r}: refusing it.")
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from the backup: nothing was restored.")
        found = file_entry(path)
        if found != {"sha256": expected.get("sha256"), "size": expected.get("size")}:
            raise BackupError(
                f"{name} does not match its checksum in the manifest (damaged or altered): "
                "nothing was restored."
            )
    blobs = manifest.get("evidence", {}).get("blobs", {})
    if not isinstance(blobs, dict) or not set(blobs.values()) <= set(manifest["files"]):
        raise BackupError("the manifest names evidence files it does not checksum: refusing it.")
    return len(manifest["files"])
