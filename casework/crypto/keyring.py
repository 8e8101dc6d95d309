"""The master key ring.

Master keys never live in the database or the evidence store. They come either from the
environment (`CASEWORK_MASTER_KEYS="id1:base64key,id2:base64key"`, the last one current) or from
`<instance>/keys/keyring.json`, created with mode 0600 on first run. Every wrapped case key
records the id of the master key that wrapped it, so a rotation adds a key and re-wraps case
keys; evidence blobs are never touched.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from casework.crypto.envelope import KEY_BYTES, DecryptionError, new_data_key, unwrap_key, wrap_key

KEYRING_FILE = "keyring.json"


class KeyRingError(Exception):
    """The key ring is missing, malformed or cannot open a wrapped key."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii") + b"==="[: (4 - len(text) % 4) % 4])


def new_key_id() -> str:
    return "mk-" + secrets.token_hex(4)


class KeyRing:
    """Master keys by id; `current_id` wraps new keys, every listed key can unwrap."""

    def __init__(self, keys: dict[str, bytes], current_id: str, path: Path | None = None):
        if current_id not in keys:
            raise KeyRingError("the current key id is not in the key ring")
        for key_id, key in keys.items():
            if len(key) != KEY_BYTES:
                raise KeyRingError(f"master key {key_id} is not 256 bits")
        self._keys = dict(keys)
        self.current_id = current_id
        self.path = path

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
    def load_or_create(cls, directory: Path) -> KeyRing:
        """Open `directory/keyring.json`, creating the folder (0700) and file (0600) if absent."""
        path = directory / KEYRING_FILE
        if path.exists():
            os.chmod(directory, 0o700)  # tighten a folder someone loosened
            return cls._load_file(path)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        key_id = new_key_id()
        ring = cls({key_id: new_data_key()}, key_id, path)
        ring.save()
        return ring

    @classmethod
    def _load_file(cls, path: Path) -> KeyRing:
        try:
            data = json.loads(path.read_text(encoding="ascii"))
            keys = {key_id: _unb64(value) for key_id, value in data["keys"].items()}
            return cls(keys, data["current"], path)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyRingError(f"cannot read the key ring at {path}") from exc

    def save(self) -> None:
        """Write the key ring atomically with mode 0600 (file-backed rings only)."""
        if self.path is None:
            raise KeyRingError("this key ring comes from the environment and cannot be saved")
        payload = json.dumps(
            {"current": self.current_id, "keys": {k: _b64(v) for k, v in self._keys.items()}},
            indent=1,
        ).encode("ascii")
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        os.chmod(self.path, 0o600)

    # --- use -----------------------------------------------------------------------------
    @property
    def key_ids(self) -> list[str]:
        return list(self._keys)

    def add_key(self) -> str:
        """Add a fresh master key and make it current; returns its id."""
        key_id = new_key_id()
        while key_id in self._keys:
            key_id = new_key_id()
        self._keys[key_id] = new_data_key()
        self.current_id = key_id
        return key_id

    def wrap(self, key: bytes, aad: bytes) -> tuple[str, bytes]:
        """Wrap a data key with the current master key: returns (key id, wrapped key)."""
        return self.current_id, wrap_key(self._keys[self.current_id], key, aad)

    def unwrap(self, key_id: str, wrapped: bytes, aad: bytes) -> bytes:
        master = self._keys.get(key_id)
        if master is None:
            raise KeyRingError(f"master key {key_id} is not in the key ring")
        try:
            return unwrap_key(master, wrapped, aad)
        except DecryptionError as exc:
            raise KeyRingError(f"master key {key_id} cannot unwrap this key") from exc


def generate_env_entry() -> str:
    """A fresh `id:base64key` entry for CASEWORK_MASTER_KEYS."""
    return f"{new_key_id()}:{_b64(new_data_key())}"
