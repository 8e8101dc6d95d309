"""Who is acting: a staff user, the worker, or the system (jobs, CLI)."""

from __future__ import annotations

from dataclasses import dataclass

from casework.models import User


@dataclass(frozen=True)
class SystemActor:
    label: str = "system"


@dataclass(frozen=True)
class WorkerActor:
    label: str = "worker"


Actor = User | SystemActor | WorkerActor


def actor_label(actor: Actor) -> str:
    if isinstance(actor, User):
        return f"user:{actor.id}"
    return actor.label


def actor_user_id(actor: Actor) -> int | None:
    return actor.id if isinstance(actor, User) else None
