"""Per-case keys and field sealing.

Every case has its own random key, stored only wrapped by a master key. Sealed fields carry
associated data naming the case and the field, so a ciphertext moved elsewhere will not open.
"""

from __future__ import annotations

from casework.crypto import DecryptionError, new_data_key, open_sealed, seal
from casework.models import Case, CaseEvent
from casework.services.errors import DomainError
from casework.services.runtime import keyring


def wrap_aad(reference: str) -> bytes:
    return f"case-key:{reference}".encode()


def issue_case_key(case: Case) -> bytes:
    """Give a new case its key; returns the plaintext key for use within this request only."""
    key = new_data_key()
    case.key_id, case.wrapped_key = keyring().wrap(key, wrap_aad(case.reference))
    return key


class CasePurged(DomainError):
    """The case key was destroyed (retention): its sealed data is gone for good."""


def case_key(case: Case) -> bytes:
    if case.wrapped_key is None:
        raise CasePurged(case.reference)
    return keyring().unwrap(case.key_id, case.wrapped_key, wrap_aad(case.reference))


def rewrap_case_key(case: Case) -> bool:
    """Re-wrap the case key with the current master key; False if it already was."""
    ring = keyring()
    if case.key_id == ring.current_id or case.wrapped_key is None:
        return False
    key = case_key(case)
    case.key_id, case.wrapped_key = ring.wrap(key, wrap_aad(case.reference))
    return True


def seal_text(key: bytes, case: Case, field: str, text: str) -> bytes:
    return seal(key, text.encode("utf-8"), f"case:{case.reference}:{field}".encode())


def open_text(key: bytes, case: Case, field: str, sealed: bytes) -> str:
    return open_sealed(key, sealed, f"case:{case.reference}:{field}".encode()).decode("utf-8")


# --- timeline bodies ---------------------------------------------------------------------------
# A note's or message's body is bound to the event that carries it: its id, kind, visibility,
# organisation and author. Moved to another event, or re-labelled (an internal note flipped to
# "partners", given to another organisation or author), it no longer opens.
UNBOUND_EVENT_SEAL = 1  # sealed before issue 12: bound to the case and the kind only
BOUND_EVENT_SEAL = 2


class EventBodyUnverified(DomainError):
    """A timeline body does not open for its event: moved, re-labelled or altered."""

    def __init__(self, event_id: int):
        super().__init__(f"event {event_id}")
        self.event_id = event_id


def _event_field(event: CaseEvent, binding: int) -> str:
    if binding == UNBOUND_EVENT_SEAL:
        return f"event:{event.kind}"
    return (
        f"event:{event.kind}:id={event.id}:visibility={event.visibility}"
        f":organisation={event.organisation_id or ''}:actor={event.actor_kind}"
        f":{event.actor_user_id or ''}"
    )


def seal_event_body(key: bytes, case: Case, event: CaseEvent, text: str) -> None:
    """Seal `text` as the body of `event`, which must be flushed already (its id is bound)."""
    if event.id is None:
        raise ValueError("flush the event before sealing its body")
    event.body_sealed = seal_text(key, case, _event_field(event, BOUND_EVENT_SEAL), text)
    event.body_binding = BOUND_EVENT_SEAL


def open_event_body(key: bytes, case: Case, event: CaseEvent) -> str | None:
    """The body of `event` (None if it has none); raises `EventBodyUnverified` if the sealed
    body does not belong to this event as it stands."""
    if event.body_sealed is None:
        return None
    try:
        return open_text(key, case, _event_field(event, event.body_binding), event.body_sealed)
    except DecryptionError as exc:
        raise EventBodyUnverified(event.id) from exc


def reseal_event_body(key: bytes, case: Case, event: CaseEvent) -> bool:
    """Re-seal an old, unbound body bound to its event; False if there was nothing to do.
    Raises `EventBodyUnverified` if the old body does not open."""
    if event.body_sealed is None or event.body_binding == BOUND_EVENT_SEAL:
        return False
    text = open_event_body(key, case, event)
    seal_event_body(key, case, event, text or "")
    return True
