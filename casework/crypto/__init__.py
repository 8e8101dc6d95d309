"""Encryption for casework: the only package that imports `cryptography`.

- `keyring`: master keys with ids, kept outside the database and the evidence store.
- `envelope`: random data keys, key wrapping and field encryption (AES-256-GCM).
- `stream`: the chunked evidence blob format.
It imports nothing from the rest of casework.
"""

from casework.crypto.envelope import (
    DecryptionError,
    derive_key,
    new_data_key,
    open_sealed,
    seal,
    unwrap_key,
    wrap_key,
)
from casework.crypto.keyring import KeyRing, KeyRingError, KeyRingMissing
from casework.crypto.stream import (
    BlobHeader,
    StreamDecryptor,
    StreamEncryptor,
    decrypt_blob,
    read_header,
)

__all__ = [
    "BlobHeader",
    "DecryptionError",
    "KeyRing",
    "KeyRingError",
    "KeyRingMissing",
    "StreamDecryptor",
    "StreamEncryptor",
    "decrypt_blob",
    "derive_key",
    "new_data_key",
    "open_sealed",
    "read_header",
    "seal",
    "unwrap_key",
    "wrap_key",
]
