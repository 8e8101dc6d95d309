"""Data keys, key wrapping and field encryption, all AES-256-GCM.

A sealed value is `version (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes)`.
Callers pass associated data naming what the value is (for example `case:CW-7K3M-92XD:narrative`)
so a ciphertext copied to another case or another field fails to open.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
_VERSION = b"\x01"


class DecryptionError(Exception):
    """Raised when a ciphertext is damaged, truncated, reordered or opened with the wrong key."""


def new_data_key() -> bytes:
    """A fresh random 256-bit key."""
    return os.urandom(KEY_BYTES)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return _VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != _VERSION:
        raise DecryptionError("not a sealed value of a known version")
    nonce = sealed[1 : 1 + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, sealed[1 + NONCE_BYTES :], aad)
    except InvalidTag as exc:
        raise DecryptionError("wrong key or damaged ciphertext") from exc


def wrap_key(kek: bytes, key: bytes, aad: bytes) -> bytes:
    """Wrap a data key with a key-encryption key (AES-256-GCM, bound to `aad`)."""
    return seal(kek, key, b"wrap:" + aad)


def unwrap_key(kek: bytes, wrapped: bytes, aad: bytes) -> bytes:
    key = open_sealed(kek, wrapped, b"wrap:" + aad)
    if len(key) != KEY_BYTES:
        raise DecryptionError("unwrapped key has the wrong length")
    return key


def derive_key(material: bytes, info: bytes) -> bytes:
    """A 256-bit key derived from high-entropy `material` (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(material)
