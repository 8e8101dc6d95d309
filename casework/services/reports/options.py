"""The choices the report's filters offer to one viewer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from casework.extensions import db
from casework.models import Agency, Country, Organisation, User
from casework.services.reports.scope import Scope


@dataclass(frozen=True)
class FilterOptions:
    organisations: list[tuple[int, str]]
    origins: list[str]
    destinations: list[str]
    agencies: list[tuple[int, str]]
    caseworkers: list[tuple[int, str]]


def filter_options(scope: Scope, agency_ids: list[int]) -> FilterOptions:
    """Organisations and countries from the directory; the agencies the report ranks (plus the
    one chosen); caseworkers: a supervisor's own, every one for admins."""
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name)
    ).all()
    countries = db.session.execute(
        select(Country.code, Country.is_origin, Country.is_destination).order_by(Country.code)
    ).all()
    wanted = set(agency_ids)
    if scope.filters.agency_id is not None:
        wanted.add(scope.filters.agency_id)
    agencies = (
        db.session.execute(
            select(Agency.id, Agency.name).where(Agency.id.in_(wanted)).order_by(Agency.name)
        ).all()
        if wanted
        else []
    )
    people = select(User.id, User.name).where(
        or_(User.role == "caseworker", User.role == "supervisor")
    )
    if not scope.sees_everything:
        people = people.where(User.organisation_id == scope.organisation_id)
    caseworkers = db.session.execute(people.order_by(User.name)).all()
    return FilterOptions(
        organisations=[(row.id, row.name) for row in organisations],
        origins=[row.code for row in countries if row.is_origin],
        destinations=[row.code for row in countries if row.is_destination],
        agencies=[(row.id, row.name) for row in agencies],
        caseworkers=[(row.id, row.name) for row in caseworkers],
    )
