"""Moving an evidence file to another case (a merge) without touching its blob: the file key is
unwrapped with the old case's key and wrapped again with the new one's, and the sealed file
name re-sealed; the encrypted bytes, their SHA-256 and the blob id stay as uploaded, so the
chain of custody is unbroken."""

from __future__ import annotations

from casework.crypto import unwrap_key, wrap_key
from casework.models import Case, Evidence
from casework.services.evidence.operations import _file_key_aad, evidence_filename
from casework.services.keys.case_keys import seal_text


def rehome_evidence(
    evidence: Evidence, source: Case, source_key: bytes, target: Case, target_key: bytes
) -> None:
    """Move `evidence` from `source` to `target` (within the caller's transaction)."""
    key_id = evidence.file_key_id
    file_key = unwrap_key(source_key, evidence.wrapped_file_key, _file_key_aad(source, key_id))
    filename = evidence_filename(source, source_key, evidence)
    evidence.wrapped_file_key = wrap_key(target_key, file_key, _file_key_aad(target, key_id))
    evidence.filename_sealed = seal_text(target_key, target, f"evidence-name:{key_id}", filename)
    evidence.case = target
