"""Field sealing and key wrapping (casework/crypto/envelope.py).

A worker's narrative and identity are sealed under the case key with associated data naming the
case and the field; a value copied to another case or field, or altered in any way, must not open.
"""

from __future__ import annotations

import os

import pytest

from casework.crypto import (
    DecryptionError,
    new_data_key,
    open_sealed,
    seal,
    unwrap_key,
    wrap_key,
)
from casework.crypto.envelope import KEY_BYTES, NONCE_BYTES

NARRATIVE_AAD = b"case:CW-7K3M-92XD:narrative"
NARRATIVE = "एजेन्टले मेरो राहदानी लियो र १५०००० रुपैयाँ लियो।".encode()
OVERHEAD = 1 + NONCE_BYTES + 16


@pytest.fixture
def key() -> bytes:
    return new_data_key()


def test_new_data_keys_are_256_bit_and_never_repeat() -> None:
    keys = {new_data_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(len(k) == KEY_BYTES == 32 for k in keys)


@pytest.mark.parametrize(
    "plaintext",
    [b"", b"x", NARRATIVE, os.urandom(1024 * 1024)],
    ids=["empty", "one-byte", "nepali-narrative", "one-megabyte"],
)
def test_a_sealed_field_opens_to_the_same_text(key: bytes, plaintext: bytes) -> None:
    sealed = seal(key, plaintext, NARRATIVE_AAD)
    assert len(sealed) == len(plaintext) + OVERHEAD
    assert sealed[:1] == b"\x01"
    assert open_sealed(key, sealed, NARRATIVE_AAD) == plaintext


def test_sealing_the_same_text_twice_gives_different_values(key: bytes) -> None:
    first, second = seal(key, NARRATIVE, NARRATIVE_AAD), seal(key, NARRATIVE, NARRATIVE_AAD)
    assert first != second
    assert first[1 : 1 + NONCE_BYTES] != second[1 : 1 + NONCE_BYTES]


def test_a_sealed_value_does_not_contain_its_plaintext(key: bytes) -> None:
    assert b"passport" not in seal(key, b"my passport number is N1234567", NARRATIVE_AAD)


@pytest.mark.parametrize(
    "aad",
    [
        b"case:CW-7K3M-92XE:narrative",  # another case
        b"case:CW-7K3M-92XD:identity",  # another field of the same case
        b"",
        NARRATIVE_AAD + b"\x00",
    ],
    ids=["other-case", "other-field", "empty", "extended"],
)
def test_a_sealed_field_moved_to_another_case_or_field_fails(key: bytes, aad: bytes) -> None:
    sealed = seal(key, NARRATIVE, NARRATIVE_AAD)
    with pytest.raises(DecryptionError):
        open_sealed(key, sealed, aad)


def test_a_sealed_field_opened_with_another_key_fails(key: bytes) -> None:
    sealed = seal(key, NARRATIVE, NARRATIVE_AAD)
    with pytest.raises(DecryptionError, match="wrong key"):
        open_sealed(new_data_key(), sealed, NARRATIVE_AAD)


def test_every_flipped_bit_of_a_sealed_field_fails(key: bytes) -> None:
    sealed = seal(key, b"Ram Bahadur, +977 9812345678", NARRATIVE_AAD)
    for offset in range(len(sealed)):
        for bit in (0, 7):
            damaged = bytearray(sealed)
            damaged[offset] ^= 1 << bit
            with pytest.raises(DecryptionError):
                open_sealed(key, bytes(damaged), NARRATIVE_AAD)


def test_a_truncated_or_extended_sealed_field_fails(key: bytes) -> None:
    sealed = seal(key, b"identity", NARRATIVE_AAD)
    for length in range(len(sealed)):
        with pytest.raises(DecryptionError):
            open_sealed(key, sealed[:length], NARRATIVE_AAD)
    with pytest.raises(DecryptionError):
        open_sealed(key, sealed + b"\x00", NARRATIVE_AAD)


def test_a_sealed_value_of_an_unknown_version_is_refused(key: bytes) -> None:
    sealed = seal(key, b"identity", NARRATIVE_AAD)
    with pytest.raises(DecryptionError, match="known version"):
        open_sealed(key, b"\x02" + sealed[1:], NARRATIVE_AAD)


# --- wrapping ------------------------------------------------------------------------------

CASE_KEY_AAD = b"case-key:CW-7K3M-92XD"


def test_a_wrapped_key_unwraps_to_the_same_key(key: bytes) -> None:
    case_key = new_data_key()
    wrapped = wrap_key(key, case_key, CASE_KEY_AAD)
    assert case_key not in wrapped
    assert unwrap_key(key, wrapped, CASE_KEY_AAD) == case_key


def test_a_key_wrapped_twice_gives_different_values(key: bytes) -> None:
    case_key = new_data_key()
    assert wrap_key(key, case_key, CASE_KEY_AAD) != wrap_key(key, case_key, CASE_KEY_AAD)


def test_a_wrapped_key_does_not_unwrap_with_another_master_key(key: bytes) -> None:
    wrapped = wrap_key(key, new_data_key(), CASE_KEY_AAD)
    with pytest.raises(DecryptionError):
        unwrap_key(new_data_key(), wrapped, CASE_KEY_AAD)


def test_a_wrapped_key_copied_to_another_case_does_not_unwrap(key: bytes) -> None:
    wrapped = wrap_key(key, new_data_key(), CASE_KEY_AAD)
    with pytest.raises(DecryptionError):
        unwrap_key(key, wrapped, b"case-key:CW-AAAA-BBBB")


def test_a_tampered_wrapped_key_does_not_unwrap(key: bytes) -> None:
    wrapped = bytearray(wrap_key(key, new_data_key(), CASE_KEY_AAD))
    wrapped[-1] ^= 1
    with pytest.raises(DecryptionError):
        unwrap_key(key, bytes(wrapped), CASE_KEY_AAD)


def test_wrapped_keys_and_sealed_fields_are_not_interchangeable(key: bytes) -> None:
    """Key wrapping is domain-separated: a sealed field is never accepted as a wrapped key."""
    data_key = new_data_key()
    sealed = seal(key, data_key, CASE_KEY_AAD)
    with pytest.raises(DecryptionError):
        unwrap_key(key, sealed, CASE_KEY_AAD)
    wrapped = wrap_key(key, data_key, CASE_KEY_AAD)
    with pytest.raises(DecryptionError):
        open_sealed(key, wrapped, CASE_KEY_AAD)


@pytest.mark.parametrize("length", [0, 16, 31, 33, 64])
def test_an_unwrapped_value_that_is_not_a_256_bit_key_is_refused(key: bytes, length: int) -> None:
    forged = seal(key, os.urandom(length), b"wrap:" + CASE_KEY_AAD)
    with pytest.raises(DecryptionError, match="wrong length"):
        unwrap_key(key, forged, CASE_KEY_AAD)
