"""The audit trail: append-only, chained by an HMAC under a key of its own, anchored outside
the database, verifiable (`flask --app casework audit verify`).

actions.py   the names of audited actions
chain.py     appending events (`record_audit`) and the MACs that link them
anchors.py   publishing the chain head after each commit (anchor file and log), reading anchors
key.py       the audit key: loaded at start, kept apart from the master key ring
verify.py    checking chain and anchors; sealing a trail that predates the audit key
presentation.py  a case's access log as supervisors read it: names, repeats collapsed
"""

from casework.services.audit.actions import (
    ADMIN_CHANGE,
    ASSIGNMENT,
    AUDIT_SEALED,
    DOWNLOAD_EVIDENCE,
    EXPORT,
    GROUP_CHANGE,
    LOGIN,
    LOGIN_FAILED,
    LOGOUT,
    OUTCOME,
    PASSWORD_CHANGE,
    STATUS_CHANGE,
    TOTP_ENROLLED,
    VIEW_IDENTITY,
    VIEW_NARRATIVE,
)
from casework.services.audit.chain import (
    GENESIS,
    case_access_log,
    chain_head,
    head_anchor,
    record_audit,
)
from casework.services.audit.verify import ChainReport, seal_audit_chain, verify_audit_chain

__all__ = [
    "ADMIN_CHANGE",
    "ASSIGNMENT",
    "AUDIT_SEALED",
    "DOWNLOAD_EVIDENCE",
    "EXPORT",
    "GENESIS",
    "GROUP_CHANGE",
    "LOGIN",
    "LOGIN_FAILED",
    "LOGOUT",
    "OUTCOME",
    "PASSWORD_CHANGE",
    "STATUS_CHANGE",
    "TOTP_ENROLLED",
    "VIEW_IDENTITY",
    "VIEW_NARRATIVE",
    "ChainReport",
    "case_access_log",
    "chain_head",
    "head_anchor",
    "record_audit",
    "seal_audit_chain",
    "verify_audit_chain",
]
