"""Staff account changes a supervisor of the organisation must approve (issue 12, item 7).

Admins manage the directory but never see who the workers are, so they must not be able to make
themselves caseworkers. When a signed-in admin creates an account with access to cases
(caseworker or supervisor), moves an account into such a role or into another organisation, or
resets a password or a second factor of such an account, nothing takes effect until a supervisor
of *that* organisation approves it:

- a new or moved account cannot sign in (`User.awaiting_approval`);
- a reset password is kept aside (its argon2id hash) and the old password and second factor keep
  working; on approval it replaces the old one and every session of the account ends.

The organisation's supervisors are told in the app and, through the daily digest, by a
content-free e-mail; the account holder is told both when the change is asked for (so a reset
they did not ask for does not go unnoticed) and when it is approved. No one approves a change to
their own account, and a supervisor of another organisation cannot even see it.

The CLI is not subject to this: whoever runs `flask users ...` on the server can read the key
ring and the database anyway. It is also how an organisation gets its first supervisor, whom no
one else could approve: created with `flask users create`, or created on the web and approved
with `flask users approve`.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from casework.extensions import db
from casework.models import StaffApproval, User
from casework.models import staff_approval as sa
from casework.models.columns import utcnow
from casework.services import audit
from casework.services.actors import Actor, SystemActor, actor_label, actor_user_id
from casework.services.directory.sessions import end_all_sessions
from casework.services.errors import NotFound, NotPermitted
from casework.services.notifications.notify import notify

log = logging.getLogger(__name__)

CASE_ROLES = frozenset({"caseworker", "supervisor"})
APPROVAL_NEEDED = "staff_approval_needed"
CHANGE_REQUESTED = "staff_change_requested"
CHANGE_APPROVED = "staff_change_approved"


def needs_approval(actor: Actor, role: str) -> bool:
    """Whether a change by `actor` to an account with `role` waits for a supervisor: every
    change a signed-in admin makes to an account with access to cases. The CLI's changes (an
    operator on the server) take effect at once."""
    return isinstance(actor, User) and role in CASE_ROLES


def approvers(organisation_id: int, exclude_user_id: int | None = None) -> list[User]:
    """The supervisors who may approve a change in this organisation: active, approved, signed
    up in it, not the account concerned."""
    users = db.session.scalars(
        select(User)
        .where(
            User.organisation_id == organisation_id,
            User.role == "supervisor",
            User.active.is_(True),
            User.awaiting_approval.is_(False),
        )
        .order_by(User.id)
    )
    return [user for user in users if user.id != exclude_user_id and user.is_active]


def request_change(
    actor: Actor, user: User, kind: str, password_hash: str | None = None
) -> StaffApproval:
    """Record a change to `user` that waits for a supervisor (a newer request of the same kind
    replaces an older one) and tell the organisation's supervisors and the account holder.
    Adds to the current transaction; the caller commits."""
    if kind not in sa.KINDS:
        raise ValueError(f"unknown approval kind: {kind}")
    _supersede(user, kind)
    approval = StaffApproval(
        user_id=user.id,
        organisation_id=user.organisation_id,
        kind=kind,
        role=user.role,
        password_hash=password_hash,
        requested_by_id=actor_user_id(actor),
        requested_by_label=actor_label(actor),
    )
    db.session.add(approval)
    db.session.flush()
    supervisors = approvers(user.organisation_id, exclude_user_id=user.id)
    notify(supervisors, None, APPROVAL_NEEDED)
    notify([user], None, CHANGE_REQUESTED)
    if not supervisors:
        log.warning(
            "staff change %s waits for approval but organisation %s has no supervisor who can "
            "approve it: an operator can, with `flask users approve`",
            approval.id,
            user.organisation_id,
        )
    return approval


def _supersede(user: User, kind: str) -> None:
    for old in pending_for_user(user):
        if old.kind == kind:
            _close(old, sa.SUPERSEDED, None)


def _close(approval: StaffApproval, status: str, decided_by: Actor | None) -> None:
    approval.status = status
    approval.password_hash = None  # nothing secret outlives the decision
    approval.decided_at = utcnow()
    approval.decided_by_id = actor_user_id(decided_by) if decided_by is not None else None


def account_settled(actor: Actor, user: User) -> None:
    """After an account's role or organisation changed: everything pending for it is void (it
    was asked of the old organisation's supervisors, for the old role); the account waits for a
    new approval if `actor` needs it (and its sessions end), or it is settled at once (CLI;
    roles without access to cases). The caller commits."""
    for old in pending_for_user(user):
        _close(old, sa.SUPERSEDED, None)
    if needs_approval(actor, user.role):
        user.awaiting_approval = True
        end_all_sessions([user])
        request_change(actor, user, sa.ACCOUNT)
    else:
        user.awaiting_approval = False


# --- reading -----------------------------------------------------------------------------------
def pending_for_user(user: User) -> list[StaffApproval]:
    return list(
        db.session.scalars(
            select(StaffApproval)
            .where(StaffApproval.user_id == user.id, StaffApproval.status == sa.PENDING)
            .order_by(StaffApproval.id)
        )
    )


def pending_for_supervisor(actor: User) -> list[StaffApproval]:
    """The changes waiting in the supervisor's own organisation (their own account's left out:
    someone else approves those)."""
    if actor.role != "supervisor":
        raise NotPermitted("approvals")
    return list(
        db.session.scalars(
            select(StaffApproval)
            .where(
                StaffApproval.organisation_id == actor.organisation_id,
                StaffApproval.status == sa.PENDING,
                StaffApproval.user_id != actor.id,
            )
            .order_by(StaffApproval.id)
        )
    )


def _pending_for_approver(actor: User, approval_id: int) -> StaffApproval:
    """The pending change `actor` may decide; any other is simply not found (a supervisor of
    another organisation learns nothing about it)."""
    approval = db.session.get(StaffApproval, approval_id)
    if (
        approval is None
        or approval.status != sa.PENDING
        or actor.role != "supervisor"
        or not actor.is_active
        or approval.organisation_id != actor.organisation_id
    ):
        raise NotFound(f"approval {approval_id}")
    if approval.user_id == actor.id:
        raise NotPermitted("a change to one's own account")
    return approval


# --- deciding ----------------------------------------------------------------------------------
def approve(actor: User, approval_id: int) -> StaffApproval:
    """A supervisor of the organisation approves a pending change: it takes effect now and the
    account holder is told. Commits."""
    approval = _pending_for_approver(actor, approval_id)
    _apply(actor, approval)
    db.session.commit()
    return approval


def reject(actor: User, approval_id: int) -> StaffApproval:
    """A supervisor of the organisation refuses a pending change: nothing of it takes effect (a
    new or moved account stays unable to sign in). Commits."""
    approval = _pending_for_approver(actor, approval_id)
    _close(approval, sa.REJECTED, actor)
    audit.record_audit(
        actor, audit.ADMIN_CHANGE, "user", str(approval.user_id), f"reject {approval.kind}"
    )
    db.session.commit()
    return approval


def approve_all_by_operator(actor: SystemActor, user: User) -> int:
    """The CLI approves every pending change of `user` (bootstrap: an organisation's first
    supervisor). Commits; returns how many were approved."""
    pending = pending_for_user(user)
    for approval in pending:
        _apply(actor, approval)
    db.session.commit()
    return len(pending)


def _apply(actor: Actor, approval: StaffApproval) -> None:
    user = approval.user
    if user.organisation_id != approval.organisation_id:  # moved meanwhile: asked of others
        _close(approval, sa.SUPERSEDED, actor)
        return
    if approval.kind == sa.ACCOUNT:
        user.awaiting_approval = False
    elif approval.kind == sa.PASSWORD:
        if approval.password_hash is None:
            raise ValueError("a password approval without a password")
        user.password_hash = approval.password_hash
        end_all_sessions([user])
    else:
        user.totp_key_id = None
        user.totp_wrapped = None
        user.totp_confirmed = False
        end_all_sessions([user])
    _close(approval, sa.APPROVED, actor)
    audit.record_audit(actor, audit.ADMIN_CHANGE, "user", str(user.id), f"approve {approval.kind}")
    notify([user], None, CHANGE_APPROVED)
