"""Per-case keys and field sealing.

Every case has its own random key, stored only wrapped by a master key. Sealed fields carry
associated data naming the case and the field, so a ciphertext moved elsewhere will not open.
"""

from __future__ import annotations

from casework.crypto import new_data_key, open_sealed, seal
from casework.models import Case
from casework.services.errors import DomainError
from casework.services.runtime import keyring


def _wrap_aad(reference: str) -> bytes:
    return f"case-key:{reference}".encode()


def issue_case_key(case: Case) -> bytes:
    """Give a new case its key; returns the plaintext key for use within this request only."""
    key = new_data_key()
    case.key_id, case.wrapped_key = keyring().wrap(key, _wrap_aad(case.reference))
    return key


class CasePurged(DomainError):
    """The case key was destroyed (retention): its sealed data is gone for good."""


def case_key(case: Case) -> bytes:
    if case.wrapped_key is None:
        raise CasePurged(case.reference)
    return keyring().unwrap(case.key_id, case.wrapped_key, _wrap_aad(case.reference))


def rewrap_case_key(case: Case) -> bool:
    """Re-wrap the case key with the current master key; False if it already was."""
    ring = keyring()
    if case.key_id == ring.current_id or case.wrapped_key is None:
        return False
    key = case_key(case)
    case.key_id, case.wrapped_key = ring.wrap(key, _wrap_aad(case.reference))
    return True


def seal_text(key: bytes, case: Case, field: str, text: str) -> bytes:
    return seal(key, text.encode("utf-8"), f"case:{case.reference}:{field}".encode())


def open_text(key: bytes, case: Case, field: str, sealed: bytes) -> str:
    return open_sealed(key, sealed, f"case:{case.reference}:{field}".encode()).decode("utf-8")
