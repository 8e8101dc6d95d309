"""`could_see` narrows a list of cases in SQL before `case_access` decides: it may let through
cases the check then refuses, but never leaves out one the check would let an actor see."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from casework.extensions import db
from casework.models import Case
from casework.services.casefile.access import Access, case_access, could_see


def test_no_case_an_actor_may_see_is_left_out(
    app: Flask, lodge: Any, make_org: Any, make_user: Any
) -> None:
    union = make_org("gefont", ["NP"], ["ne", "en"])
    other = make_org("mfa", ["PH"], ["en"])
    qatar = make_org("qatar-desk", ["QA"], ["en"])
    caseworker, colleague = make_user(union, languages=["ne"]), make_user(union)
    actors = [
        caseworker,
        colleague,
        make_user(union, "supervisor"),
        make_user(other),
        make_user(other, "supervisor"),
        make_user(qatar, "supervisor"),
        make_user(make_org("platform", [], ["en"]), "admin"),
    ]
    cases = [case_by(lodge()) for _ in range(6)]
    cases.append(case_by(lodge(origin_country="PH")))
    cases.append(
        case_by(lodge(consent={"share_with_partners": True, "share_across_borders": True}))
    )
    # every state an assignment can be in, on one case each
    _assign(cases[0], "accepted", caseworker.id)
    _assign(cases[1], "offered", colleague.id)
    _assign(cases[2], "offered", None)
    _assign(cases[3], "declined", caseworker.id)
    for assignment in cases[4].assignments:  # unrouted: no live assignment at all
        assignment.status = "declined"
    _assign(cases[5], "accepted", caseworker.id, organisation_id=other.id)
    db.session.commit()
    seen_somewhere, sizes = 0, []
    for actor in actors:
        condition = could_see(actor)
        narrowed = set(
            db.session.scalars(select(Case.id).where(*([] if condition is None else [condition])))
        )
        for case in cases:
            if case_access(actor, case) > Access.NONE:
                seen_somewhere += 1
                assert case.id in narrowed, (actor.role, actor.organisation.slug, case.id)
        sizes.append(len(narrowed))
    assert seen_somewhere >= len(cases)
    assert min(sizes) < len(cases)  # it does narrow


def case_by(lodged: Any) -> Case:
    return db.session.scalars(select(Case).where(Case.reference == lodged.reference)).one()


def _assign(case: Case, status: str, user_id: int | None, organisation_id: int = 0) -> None:
    assignment = case.assignments[0]
    assignment.status = status
    assignment.user_id = user_id
    if organisation_id:
        assignment.organisation_id = organisation_id
    db.session.add(assignment)
