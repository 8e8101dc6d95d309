"""The names of audited actions (stored in `AuditEvent.action`, at most 40 characters)."""

from __future__ import annotations

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
VIEW_IDENTITY = "view_identity"
VIEW_NARRATIVE = "view_narrative"
DOWNLOAD_EVIDENCE = "download_evidence"
STATUS_CHANGE = "status_change"
ASSIGNMENT = "assignment"
OUTCOME = "outcome"
EXPORT = "export"
PASSWORD_CHANGE = "password_change"  # noqa: S105 - an action name
TOTP_ENROLLED = "totp_enrolled"
ADMIN_CHANGE = "admin_change"
AUDIT_SEALED = "audit_sealed"
GROUP_CHANGE = "group_change"  # a case group created, changed or closed
