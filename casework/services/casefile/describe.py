"""The timeline in plain words: who acted and what happened, never codes or ids.

Case events keep a short, non-personal `detail` in a fixed shape ("offered to gefont / user 3
(origin)", "triaged → in_progress", "NO_ACTIVITY level 2"). Here those shapes are read back and
said as staff would say them ("Offered to GEFONT Migrant Workers Desk · Asha Gurung, origin
side"), with organisations and people looked up once for the whole timeline. A detail in a
shape this module does not know is shown as it is rather than hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from flask_babel import gettext as _
from sqlalchemy import select

from casework.extensions import db
from casework.models import Organisation, User
from casework.services.casefile.facts import FACT_LABELS
from casework.vocabulary.labels import label

OFFERED = re.compile(
    r"^offered to (?P<org>[\w-]+)(?: / user (?P<user>\d+)| \(unassigned\)) \((?P<side>\w+)\)$"
)
ANSWERED = re.compile(
    r"^(?P<what>accepted|declined|reassigned|routed from triage) \((?P<side>\w+)\)$"
)
STATUS = re.compile(r"^(?P<before>\w+) → (?P<after>\w+)$")
OUTCOME = re.compile(r"^(?P<code>[A-Z_]+)(?: (?P<amount>[\d.]+) (?P<currency>[A-Z]{3}))?$")
FLAG = re.compile(r"^(?P<rule>[A-Z_]+) level (?P<level>\d)$")
REFERRAL = re.compile(
    r"^referral (?:\d+ (?P<what>.+?)|proposed by the (?P<scheduler>scheduler)) "
    r"\((?P<country>[A-Z]{2}) (?P<forum>[A-Z_]+)\)$"
)
LODGED = re.compile(r"^via (?P<source>\w+); (?P<files>\d+) file\(s\)$")
FILES = re.compile(r"^(?P<files>\d+) file\(s\)$")
FACTS = re.compile(r"^changed: (?P<fields>[a-z_, ]+)$")
LINKED = re.compile(r"^duplicate of (?P<reference>[A-Z0-9-]+)$")
MERGED_HERE = re.compile(r"^merged (?P<reference>[A-Z0-9-]+) into this case$")
MERGED_AWAY = re.compile(r"^merged into (?P<reference>[A-Z0-9-]+)$")
GROUP_NOTE = re.compile(r"^group_note:\d+$")  # services/groups/notes.py


@dataclass(frozen=True)
class Names:
    """Organisations (by id and by slug) and people named by a set of events."""

    organisations: dict[int | str, Organisation]
    users: dict[int, User]

    def organisation(self, key: int | str | None) -> str:
        org = self.organisations.get(key) if key is not None else None
        return org.name if org is not None else str(key or "")

    def user(self, user_id: int | None) -> str:
        user = self.users.get(user_id) if user_id is not None else None
        return user.name if user is not None else ""


class EventFacts(Protocol):
    """What describing one event needs (a CaseEvent has these)."""

    @property
    def kind(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def actor_kind(self) -> str: ...
    @property
    def actor_user_id(self) -> int | None: ...
    @property
    def organisation_id(self) -> int | None: ...


def names_for(events: Iterable[EventFacts]) -> Names:
    """Look up, in two queries, every organisation and person the events name."""
    user_ids: set[int] = set()
    org_ids: set[int] = set()
    slugs: set[str] = set()
    for event in events:
        if event.actor_user_id is not None:
            user_ids.add(event.actor_user_id)
        if event.organisation_id is not None:
            org_ids.add(event.organisation_id)
        if match := OFFERED.match(split_moved(event.detail)[1]):
            slugs.add(match["org"])
            if match["user"]:
                user_ids.add(int(match["user"]))
    organisations: dict[int | str, Organisation] = {}
    if org_ids or slugs:
        for org in db.session.scalars(
            select(Organisation).where(Organisation.id.in_(org_ids) | Organisation.slug.in_(slugs))
        ):
            organisations[org.id] = org
            organisations[org.slug] = org
    users = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    return Names(organisations, users)


def who(event: EventFacts, names: Names) -> str:
    """Who acted: a person and their organisation, the worker, or the scheduler."""
    if event.actor_kind == "worker":
        return _("the worker")
    if event.actor_kind == "system":
        return _("the scheduler")
    person = names.user(event.actor_user_id)
    organisation = names.organisation(event.organisation_id)
    return " · ".join(part for part in (organisation, person) if part)


MOVED = re.compile(r"^from (?P<reference>[A-Z0-9-]+): (?P<detail>.*)$", re.DOTALL)


def split_moved(detail: str) -> tuple[str, str]:
    """(the case an event was merged in from, or "", the event's own detail): links.py marks
    the events a merge moves with "from CW-…: " before their detail."""
    if match := MOVED.match(detail):
        return match["reference"], match["detail"]
    return "", detail


def describe(event: EventFacts, names: Names) -> str:
    """What happened, in words (empty when the event kind's label says it all)."""
    moved_from, detail = split_moved(event.detail)
    text = _describe(event, names, detail)
    if moved_from:
        return _("%(what)s (from %(reference)s)", what=text, reference=moved_from).strip()
    return text


def _describe(event: EventFacts, names: Names, detail: str) -> str:
    if match := OFFERED.match(detail):
        target = names.organisation(match["org"])
        person = names.user(int(match["user"])) if match["user"] else _("anyone there")
        return _(
            "offered to %(target)s · %(person)s (%(side)s)",
            target=target,
            person=person,
            side=label(match["side"], "side"),
        )
    if match := ANSWERED.match(detail):
        words = {
            "accepted": _("accepted"),
            "declined": _("declined"),
            "reassigned": _("offered to someone else"),
            "routed from triage": _("routed from triage"),
        }
        return f"{words[match['what']]} ({label(match['side'], 'side')})"
    if event.kind == "status_change" and (match := STATUS.match(detail)):
        return f"{label(match['before'], 'status')} → {label(match['after'], 'status')}"
    if event.kind == "outcome" and (match := OUTCOME.match(detail)):
        text = label(match["code"], "outcome")
        return f"{text}: {match['amount']} {match['currency']}" if match["amount"] else text
    if event.kind == "flag" and (match := FLAG.match(detail)):
        return f"{label(match['rule'], 'flag_rule')} · {label(match['level'], 'flag_level')}"
    if event.kind == "referral" and (match := REFERRAL.match(detail)):
        return _referral(match)
    if match := LODGED.match(detail):
        sources = {"web": _("the web form"), "api": _("a partner app"), "demo": _("demo data")}
        return _(
            "through %(source)s, with %(files)s file(s)",
            source=sources.get(match["source"], match["source"]),
            files=match["files"],
        )
    if match := FILES.match(detail):
        return _("%(files)s file(s)", files=match["files"])
    return _work(event.kind, detail)


def _work(kind: str, detail: str) -> str:
    """Facts changed, duplicates linked, cases merged (casefile/facts.py, links.py)."""
    if kind == "facts_edited" and (match := FACTS.match(detail)):
        return ", ".join(
            str(FACT_LABELS.get(name.strip(), name.strip())) for name in match["fields"].split(",")
        )
    if match := LINKED.match(detail):
        return _("duplicate of %(reference)s", reference=match["reference"])
    if match := MERGED_HERE.match(detail):
        return _("%(reference)s was merged into this case", reference=match["reference"])
    if match := MERGED_AWAY.match(detail):
        return _("merged into %(reference)s and closed", reference=match["reference"])
    if GROUP_NOTE.match(detail):
        return _("a note for the whole group of cases")
    return detail


def _referral(match: re.Match[str]) -> str:
    forum = label(match["forum"], "forum")
    if match["scheduler"]:
        what = _("proposed by the deadline check")
    else:
        what = _referral_step(match["what"])
    return f"{what} · {forum}"


def _referral_step(what: str) -> str:
    step, _space, rest = what.partition(" ")
    if step == "decided" and rest:
        return f"{label('decided', 'referral')}: {label(rest, 'outcome')}"
    words = {
        "proposed": _("proposed"),
        "consent recorded": _("the worker's consent recorded"),
        "consent recorded with identity": _("the worker's consent recorded, identity shared"),
        "worker agreed": _("the worker agreed"),
        "worker agreed with identity": _("the worker agreed, identity shared"),
        "worker said no": _("the worker said no"),
    }
    return words.get(what) or label(what, "referral")


AUDIT_STATUS = re.compile(r"^(?P<before>\w+)->(?P<after>\w+)$")
AUDIT_ASSIGNMENT = re.compile(r"^(?P<what>accepted|declined|reassigned) \d+$")
AUDIT_EVIDENCE = re.compile(r"^evidence (?P<id>\d+)$")


def describe_audit_detail(action: str, detail: str) -> str:
    """An access-log detail in words (the audit trail keeps its short codes)."""
    if action == "status_change" and (match := AUDIT_STATUS.match(detail)):
        return f"{label(match['before'], 'status')} → {label(match['after'], 'status')}"
    if action == "outcome":
        return label(detail, "outcome")
    if action == "assignment":
        if match := AUDIT_ASSIGNMENT.match(detail):
            return {
                "accepted": _("accepted"),
                "declined": _("declined"),
                "reassigned": _("offered to someone else"),
            }[match["what"]]
        if detail.startswith("triage -> org"):
            return _("routed from triage")
    if action in ("download_evidence", "preview_evidence", "upload_evidence") and (
        match := AUDIT_EVIDENCE.match(detail)
    ):
        return _("file %(n)s", n=match["id"])
    if action == "referral" and (match := REFERRAL.match(detail)):
        return _referral(match)
    return detail
