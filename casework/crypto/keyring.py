"""The master key ring.

Master keys never live in the database or the evidence store. They come either from the
environment (`CASEWORK_MASTER_KEYS="id1:base64key,id2:base64key"`, the last one current) or from
`<instance>/keys/keyring.json` (mode 0600 in a 0700 folder). Every wrapped key records the id of
the master key that wrapped it, so a rotation adds a key and re-wraps case keys; evidence blobs
are never touched.

The file ring records when each key was created: its epoch. A key's epoch ends when the next
key is created (it stops wrapping anything new then), which is what decides when it may be
destroyed. Every change to the file is made under an exclusive lock on the folder, after
re-reading the file, and written atomically (temporary file, fsync, rename, folder fsync), so
two processes changing the ring at once never lose each other's keys. A process holding the
ring notices a change on disk (a cheap stat) and re-reads it.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from casework.crypto.envelope import KEY_BYTES, DecryptionError, new_data_key, unwrap_key, wrap_key

KEYRING_FILE = "keyring.json"


class KeyRingError(Exception):
    """The key ring is missing, malformed or cannot open a wrapped key."""


class KeyRingMissing(KeyRingError):
    """There is no key ring file where one is expected."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii") + b"==="[: (4 - len(text) % 4) % 4])


def new_key_id() -> str:
    return "mk-" + secrets.token_hex(4)


def _now() -> datetime:
    return datetime.now(UTC)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _file_identity(path: Path) -> tuple[int, int, int, int] | None:
    """What changes when the file is replaced or rewritten: inode, device, mtime, size."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_dev, info.st_mtime_ns, info.st_size)


class KeyRing:
    """Master keys by id; `current_id` wraps new keys, every listed key can unwrap."""

    def __init__(
        self,
        keys: dict[str, bytes],
        current_id: str,
        path: Path | None = None,
        created: dict[str, datetime] | None = None,
    ):
        self._validate(keys, current_id)
        self._keys = dict(keys)
        self.current_id = current_id
        self.path = path
        self._created = {k: v for k, v in (created or {}).items() if k in self._keys}
        self._extra: dict[str, Any] = {}  # other top-level fields of the file, kept on save
        self._identity: tuple[int, int, int, int] | None = None
        self._reload_lock = threading.Lock()

    @staticmethod
    def _validate(keys: dict[str, bytes], current_id: str) -> None:
        if current_id not in keys:
            raise KeyRingError("the current key id is not in the key ring")
        for key_id, key in keys.items():
            if len(key) != KEY_BYTES:
                raise KeyRingError(f"master key {key_id} is not 256 bits")

    # --- loading -------------------------------------------------------------------------
    @classmethod
    def from_env_value(cls, value: str) -> KeyRing:
        keys: dict[str, bytes] = {}
        current = ""
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            key_id, sep, encoded = item.partition(":")
            if not sep or not key_id:
                raise KeyRingError("CASEWORK_MASTER_KEYS entries must look like id:base64key")
            if key_id in keys:
                raise KeyRingError(f"master key {key_id} is listed twice in CASEWORK_MASTER_KEYS")
            try:
                keys[key_id] = _unb64(encoded)
            except ValueError as exc:
                raise KeyRingError(f"master key {key_id} is not valid base64") from exc
            current = key_id
        if not keys:
            raise KeyRingError("CASEWORK_MASTER_KEYS is empty")
        return cls(keys, current)

    @classmethod
    def load(cls, directory: Path) -> KeyRing:
        """Open `directory/keyring.json`; `KeyRingMissing` if there is none (never creates one)."""
        path = directory / KEYRING_FILE
        if not path.exists():
            raise KeyRingMissing(f"there is no key ring at {path}")
        os.chmod(directory, 0o700)  # tighten a folder someone loosened
        ring = cls._load_file(path)
        return ring

    @classmethod
    def create(cls, directory: Path) -> KeyRing:
        """Create a first key ring in `directory` (0700) with one key (file 0600); if another
        process created one meanwhile, open that one instead. Callers decide whether creating
        one is safe (no wrapped key anywhere needs an older ring)."""
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(directory, 0o700)
        with _folder_lock(directory):
            path = directory / KEYRING_FILE
            if path.exists():
                return cls._load_file(path)
            key_id = new_key_id()
            ring = cls({key_id: new_data_key()}, key_id, path, {key_id: _now()})
            ring._write()
            return ring

    @classmethod
    def load_or_create(cls, directory: Path) -> KeyRing:
        """Open `directory/keyring.json`, creating the folder (0700) and file (0600) if absent."""
        try:
            return cls.load(directory)
        except KeyRingMissing:
            return cls.create(directory)

    @classmethod
    def _load_file(cls, path: Path) -> KeyRing:
        identity = _file_identity(path)
        try:
            data = json.loads(path.read_text(encoding="ascii"))
            keys = {key_id: _unb64(value) for key_id, value in data["keys"].items()}
            created = {
                key_id: datetime.fromisoformat(value)
                for key_id, value in dict(data.get("created") or {}).items()
            }
            ring = cls(keys, data["current"], path, created)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyRingError(f"cannot read the key ring at {path}") from exc
        ring._extra = {k: v for k, v in data.items() if k not in {"current", "keys", "created"}}
        ring._identity = identity
        return ring

    def _adopt(self, other: KeyRing) -> None:
        self._keys, self.current_id = other._keys, other.current_id
        self._created, self._extra = other._created, other._extra
        self._identity = other._identity

    def reload(self) -> None:
        """Re-read the file (file-backed rings; an environment ring never changes)."""
        if self.path is None:
            return
        with self._reload_lock:
            self._adopt(self._load_file(self.path))

    def reload_if_changed(self) -> bool:
        """Re-read the file if it changed on disk since this process read or wrote it (one
        stat: cheap enough for every use). True if it was re-read."""
        if self.path is None or _file_identity(self.path) == self._identity:
            return False
        self.reload()
        return True

    @contextmanager
    def locked(self) -> Iterator[KeyRing]:
        """Hold the folder's exclusive lock, with the ring freshly re-read from disk: the only
        safe way to change a file ring. Environment rings are yielded as they are."""
        if self.path is None:
            yield self
            return
        with _folder_lock(self.path.parent):
            self.reload()
            yield self

    def save(self) -> None:
        """Write the key ring atomically with mode 0600 (file-backed rings only). Call it inside
        `locked()` so that no other process's change is overwritten."""
        self._write()

    def _write(self) -> None:
        if self.path is None:
            raise KeyRingError("this key ring comes from the environment and cannot be saved")
        document = {
            **self._extra,
            "current": self.current_id,
            "keys": {k: _b64(v) for k, v in self._keys.items()},
            "created": {k: v.isoformat() for k, v in self._created.items()},
        }
        payload = json.dumps(document, indent=1).encode("ascii")
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            try:
                view = memoryview(payload)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_directory(self.path.parent)
        self._identity = _file_identity(self.path)

    # --- use -----------------------------------------------------------------------------
    @property
    def key_ids(self) -> list[str]:
        return list(self._keys)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def created_at(self, key_id: str) -> datetime | None:
        """When the key was created (None for keys from the environment or older files)."""
        return self._created.get(key_id)

    def retired_at(self, key_id: str) -> datetime | None:
        """When the key stopped being current: the creation of the key after it. None for the
        current key, or when that is not known."""
        ids = self.key_ids
        if key_id == self.current_id or key_id not in self._keys:
            return None
        later = ids[ids.index(key_id) + 1 :]
        return self._created.get(later[0]) if later else None

    def add_key(self, now: datetime | None = None) -> str:
        """Add a fresh master key and make it current; returns its id."""
        key_id = new_key_id()
        while key_id in self._keys:
            key_id = new_key_id()
        self._keys[key_id] = new_data_key()
        self._created[key_id] = now or _now()
        self.current_id = key_id
        return key_id

    def destroy_key(self, key_id: str) -> None:
        """Forget a master key (never the current one). Whatever it wrapped is lost for good:
        callers check first that nothing they keep still needs it."""
        if key_id == self.current_id:
            raise KeyRingError(f"master key {key_id} is current and cannot be destroyed")
        self._keys.pop(key_id, None)
        self._created.pop(key_id, None)

    def wrap(self, key: bytes, aad: bytes) -> tuple[str, bytes]:
        """Wrap a data key with the current master key: returns (key id, wrapped key)."""
        keys, current = self._keys, self.current_id  # one consistent view if reloaded meanwhile
        return current, wrap_key(keys[current], key, aad)

    def unwrap(self, key_id: str, wrapped: bytes, aad: bytes) -> bytes:
        master = self._keys.get(key_id)
        if master is None and self.path is not None:
            self.reload()  # another process may have rotated since we read the ring
            master = self._keys.get(key_id)
        if master is None:
            raise KeyRingError(f"master key {key_id} is not in the key ring")
        try:
            return unwrap_key(master, wrapped, aad)
        except DecryptionError as exc:
            raise KeyRingError(f"master key {key_id} cannot unwrap this key") from exc


@contextmanager
def _folder_lock(directory: Path) -> Iterator[None]:
    """An exclusive `flock` on the folder itself (no lock file to leave behind)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def generate_env_entry() -> str:
    """A fresh `id:base64key` entry for CASEWORK_MASTER_KEYS."""
    return f"{new_key_id()}:{_b64(new_data_key())}"
