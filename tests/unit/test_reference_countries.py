"""Countries come from CLDR: every real country, no regions, each with its currency; admins
choose which are offered, and each change of that choice is audited."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework.extensions import db
from casework.models import AuditEvent, Country
from casework.services.actors import SystemActor
from casework.services.errors import InvalidInput
from casework.services.reference.countries import (
    choose_countries,
    cldr_country_codes,
    load_countries,
    offered_codes,
)

ACTOR = SystemActor("test")


def _audit_count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_every_country_and_no_region_or_placeholder() -> None:
    codes = cldr_country_codes()
    assert len(codes) == 249  # ISO 3166-1 (249 less Antarctica) plus Kosovo
    assert {"NP", "QA", "XK", "TW", "PS", "HK"} <= set(codes)
    assert not {"001", "150", "419", "EU", "EZ", "UN", "ZZ", "QO", "XA", "IC", "AQ"} & set(codes)


def test_loading_adds_every_country_with_its_currency_and_keeps_choices(app: Flask) -> None:
    assert db.session.get(Country, "NP").is_origin  # the demo corridors (conftest)
    db.session.delete(db.session.get(Country, "VN"))
    db.session.get(Country, "QA").currency = "XXX"
    db.session.commit()
    first = load_countries()
    db.session.commit()
    assert (first.added, first.updated, first.total) == (1, 1, 249)
    assert db.session.get(Country, "VN").currency == "VND"
    assert db.session.get(Country, "QA").currency == "QAR"
    assert db.session.get(Country, "NP").is_origin
    again = load_countries()
    assert (again.added, again.updated) == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(Country)) == 249


def test_choosing_countries_audits_each_change_and_only_changes(app: Flask) -> None:
    before = _audit_count()
    origins = [*offered_codes("origin"), "VN"]
    destinations = [code for code in offered_codes("destination") if code != "JO"]
    changes = choose_countries(ACTOR, origins, destinations)
    assert changes == ["JO destination off", "VN origin on"]
    assert _audit_count() == before + 2
    details = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.object_type == "country")
    ).all()
    assert sorted(details) == ["JO destination off", "VN origin on"]
    assert choose_countries(ACTOR, origins, destinations) == []
    assert _audit_count() == before + 2
    # Adding keeps what is offered.
    assert choose_countries(ACTOR, ["jo"], ["vn"], add_only=True) == [
        "JO origin on",
        "VN destination on",
    ]
    assert {"NP", "VN", "JO"} <= set(offered_codes("origin"))
    assert {"QA", "VN"} <= set(offered_codes("destination"))


def test_an_unknown_code_changes_nothing(app: Flask) -> None:
    before = (offered_codes("origin"), _audit_count())
    with pytest.raises(InvalidInput) as refused:
        choose_countries(ACTOR, ["VN", "EU", "QQ"], [])
    assert "EU, QQ" in str(refused.value.fields["origin"])
    assert (offered_codes("origin"), _audit_count()) == before
