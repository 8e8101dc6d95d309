"""Migrations: every revision goes up and down, and the models match `upgrade head`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from casework import MIGRATIONS_PATH
from casework.extensions import db
from tests.conftest import ON_POSTGRES, make_app


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    with app.app_context():
        if ON_POSTGRES:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        yield app
        db.session.remove()
        db.engine.dispose()


def _revisions() -> list[str]:
    script = ScriptDirectory(str(MIGRATIONS_PATH))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


# Neither dialect's reflection reads expression indexes, so the comparison skips them (with
# these warnings) and the test below looks for them by name.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_models_match_upgrade_head(empty_app: Flask) -> None:
    upgrade(directory=str(MIGRATIONS_PATH))
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert _without_unnamed_sqlite_keys(differences) == []
    expression_indexes = {
        index.name
        for table in db.metadata.tables.values()
        for index in table.indexes
        if any(not hasattr(expr, "name") for expr in index.expressions)
    }
    assert expression_indexes == {"ix_cases_employer_folded"}
    listing = (
        "SELECT indexname FROM pg_indexes"
        if ON_POSTGRES
        else "SELECT name FROM sqlite_master WHERE type = 'index'"
    )
    with db.engine.connect() as conn:
        assert expression_indexes <= set(conn.scalars(text(listing)))


def _without_unnamed_sqlite_keys(differences: list[Any]) -> list[Any]:
    """SQLite keeps a foreign key added with ALTER TABLE ADD COLUMN (the only way to add one
    without copying the table) inline, and SQLAlchemy reads inline keys back without their
    name: such a key shows as removed and added again. Drop those pairs, nothing else."""
    if ON_POSTGRES:
        return differences

    def sig(fk: Any) -> tuple[object, ...]:
        return (fk.parent.name, tuple(c.name for c in fk.columns), fk.referred_table.name)

    removed = {sig(d[1]) for d in differences if d[0] == "remove_fk" and d[1].name is None}
    added = {sig(d[1]) for d in differences if d[0] == "add_fk"}
    both = removed & added
    return [d for d in differences if not (d[0] in ("remove_fk", "add_fk") and sig(d[1]) in both)]


def test_every_migration_goes_up_and_down(empty_app: Flask) -> None:
    directory = str(MIGRATIONS_PATH)
    revisions = _revisions()
    assert revisions, "no migrations found"
    for revision in revisions:
        upgrade(directory=directory, revision=revision)
    tables_at_head = set(inspect(db.engine).get_table_names())
    assert {"cases", "evidence", "complainants", "case_events", "fee_payments"} <= tables_at_head
    for _ in revisions:
        downgrade(directory=directory, revision="-1")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(directory=directory)
    assert set(inspect(db.engine).get_table_names()) == tables_at_head


def _gefont_at_head(agency_list: str = "") -> str:
    """Upgrade to head with the reference data and GEFONT covering Nepal (and Nepal's list of
    licensed agencies, when given); returns the migrations folder."""
    from casework.models import Organisation
    from casework.services.actors import SystemActor
    from casework.services.agencies.lists import read_agency_list
    from casework.services.agencies.registry_import import import_agency_list
    from casework.services.demo_data import load_reference_data

    directory = str(MIGRATIONS_PATH)
    upgrade(directory=directory)
    load_reference_data()
    gefont = Organisation(slug="gefont", name="GEFONT", kind="union")
    gefont.countries, gefont.languages = ["NP"], ["ne", "en"]
    db.session.add(gefont)
    if agency_list:
        import_agency_list(
            SystemActor("test"), "NP", "DoFE", read_agency_list(agency_list.encode())
        )
    db.session.commit()
    return directory


def test_upgrading_to_the_report_facts_fills_them_for_the_cases_there(empty_app: Flask) -> None:
    """A database with cases (lodged at head, then taken back to before the facts of 0007)
    comes out of `upgrade` with every case's facts, per case and per organisation."""
    from casework.services.intake.operations import lodge_complaint
    from tests.conftest import complaint_payload

    directory = _gefont_at_head()
    lodge_complaint(complaint_payload(), [], "api")  # RA_FEES and FL_DOCS
    lodge_complaint(complaint_payload(abuse_categories=["FL_WAGES"]), [], "api")
    expected = _facts()
    assert len(expected[0]) == 2 and len(expected[1]) >= 2  # both routed to GEFONT
    db.session.remove()
    downgrade(directory=directory, revision="0006")
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM report_cases"))  # as 0006 left them: empty
    upgrade(directory=directory)
    # Going back to 0006 dropped the registry (0010), so no licence can be judged again.
    assert _facts(but="licence_then") == _without(expected, "licence_then")
    from casework.services.reports.facts import COLUMNS

    first = dict(zip(COLUMNS, expected[0][0], strict=True))
    assert sorted(str(first["abuse_codes"]).split()) == ["FL_DOCS", "RA_FEES"]


def test_upgrading_to_0013_judges_the_licences_of_the_cases_there(empty_app: Flask) -> None:
    """Cases naming a registry agency, lodged at head, then taken back to 0012 (no judgement
    in the facts): `upgrade` judges each on its day of recruitment, as the facts do."""
    from casework.services.intake.operations import lodge_complaint
    from casework.services.reports.facts import COLUMNS
    from tests.conftest import complaint_payload

    directory = _gefont_at_head(
        "licence_number,name,status,status_date\n"
        "1234/067/68,Himal Overseas,Suspended,2020-01-01\n"
        "77/070/71,Gorkha Manpower,Active,2020-01-01\n"
    )
    lodge_complaint(complaint_payload(), [], "api")  # the suspended agency, a departure date
    lodge_complaint(
        complaint_payload(agency={"name": "Gorkha", "licence_number": "77/070/71"}), [], "api"
    )
    lodge_complaint(complaint_payload(agency={"name": "Nobody Travels"}), [], "api")
    expected = _facts()
    judged = [dict(zip(COLUMNS, row, strict=True))["licence_then"] for row in expected[0]]
    assert judged == ["unlicensed", "licensed", None]
    db.session.remove()
    downgrade(directory=directory, revision="0012")
    upgrade(directory=directory)
    assert _facts() == expected


Facts = tuple[list[tuple[object, ...]], list[tuple[object, ...]]]


def _without(facts: Facts, column: str) -> Facts:
    from casework.services.reports.facts import COLUMNS

    at = COLUMNS.index(column)
    cases = [row[:at] + row[at + 1 :] for row in facts[0]]
    return cases, [row[: at + 1] + row[at + 2 :] for row in facts[1]]  # after organisation_id


def _facts(but: str = "") -> Facts:
    from casework.services.reports.facts import COLUMNS

    if but:
        return _without(_facts(), but)

    with db.engine.connect() as conn:
        cases = conn.execute(
            text(f"SELECT {', '.join(COLUMNS)} FROM report_cases ORDER BY case_id")  # noqa: S608
        ).all()
        organisations = conn.execute(
            text(
                f"SELECT organisation_id, {', '.join(COLUMNS)} FROM report_org_cases "  # noqa: S608
                "ORDER BY organisation_id, case_id"
            )
        ).all()
    return [tuple(r) for r in cases], [tuple(r) for r in organisations]


def test_upgrading_to_0008_marks_what_was_there_before_it(empty_app: Flask) -> None:
    """Audit rows chained before 0008 stay verifiable as SHA-256 rows, bodies sealed before it
    are marked for `keys reseal-events`, and idempotency receipts sealed the old way go."""
    from casework.models import Organisation
    from casework.services.demo_data import load_reference_data
    from casework.services.intake.operations import lodge_complaint
    from tests.conftest import complaint_payload

    directory = str(MIGRATIONS_PATH)
    upgrade(directory=directory)
    load_reference_data()
    gefont = Organisation(slug="gefont", name="GEFONT", kind="union")
    gefont.countries, gefont.languages = ["NP"], ["ne", "en"]
    db.session.add(gefont)
    db.session.commit()
    lodge_complaint(complaint_payload(), [], "api")
    db.session.remove()
    downgrade(directory=directory, revision="0007")
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
        conn.execute(
            text(
                "INSERT INTO audit_events (id, at, actor_label, action, object_type, object_id, "
                "detail, prev_hash, hash) VALUES (1, CURRENT_TIMESTAMP, 'system', 'login', "
                "'user', '1', '', :prev, :hash)"
            ),
            {"prev": "0" * 64, "hash": "a" * 64},
        )
        events = conn.scalar(text("SELECT count(*) FROM case_events"))
    upgrade(directory=directory)
    with db.engine.connect() as conn:
        assert conn.scalars(text("SELECT DISTINCT scheme FROM audit_events")).all() == ["sha256"]
        assert conn.scalars(text("SELECT mac FROM audit_events")).all() == ["a" * 64]
        assert conn.scalars(text("SELECT DISTINCT body_binding FROM case_events")).all() == [1]
        assert events  # the lodged complaint's events, all from before 0008
        assert conn.scalar(text("SELECT count(*) FROM submissions")) == 0


def test_upgrading_to_0009_fills_the_report_rollups_as_the_app_keeps_them(
    empty_app: Flask,
) -> None:
    """The rollups 0009 computes for the cases already there equal the ones the app keeps
    current as it lodges them (for every organisation and for each, per abuse code)."""
    from casework.services.intake.operations import lodge_complaint
    from tests.conftest import complaint_payload

    directory = _gefont_at_head()
    lodge_complaint(complaint_payload(), [], "api")  # RA_FEES and FL_DOCS
    lodge_complaint(complaint_payload(abuse_categories=["FL_WAGES"]), [], "api")
    kept = _rollups()
    assert {row[1] for row in kept} == {"", "RA_FEES", "FL_DOCS", "FL_WAGES"}
    from casework.models import Organisation

    gefont = db.session.scalars(select(Organisation).where(Organisation.slug == "gefont")).one()
    assert {row[0] for row in kept} == {0, gefont.id}
    db.session.remove()
    downgrade(directory=directory, revision="0008")
    upgrade(directory=directory)
    assert _rollups() == kept


def _rollups() -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT organisation_id, abuse_code, created_month, origin_country, "
                "destination_country, status, outcome_state, shared, cases, measured, "
                "months_sum FROM report_rollups WHERE cases > 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"
            )
        ).all()
    return [tuple(r) for r in rows]


def test_upgrading_to_0015_fills_the_outcome_codes_and_the_code_rollups(empty_app: Flask) -> None:
    """Cases with outcomes (one with two codes, one with the same code twice) and one accepted
    after a day and a half, taken back to 0014 (no outcome codes in the facts, no code
    rollups): `upgrade` gives the facts and the code groups the app keeps current."""
    from datetime import timedelta

    from casework.models import Assignment, Case, Outcome
    from casework.services.intake.operations import lodge_complaint
    from casework.services.reports.facts import COLUMNS
    from tests.conftest import complaint_payload

    directory = _gefont_at_head()
    for abuses in (["RA_FEES", "FL_DOCS"], ["FL_WAGES"], ["RA_FEES"]):
        lodge_complaint(complaint_payload(abuse_categories=abuses), [], "api")
    first, second, third = db.session.scalars(select(Case).order_by(Case.id)).all()
    for case_id, code in (
        (first.id, "OUT_MONEY_RECOVERED"),
        (first.id, "OUT_LICENCE_ACTION"),
        (second.id, "OUT_AWARD"),
        (second.id, "OUT_AWARD"),
    ):
        db.session.add(Outcome(case_id=case_id, code=code))
    offer = db.session.scalars(select(Assignment).where(Assignment.case_id == third.id)).first()
    assert offer is not None
    offer.status, offer.responded_at = "accepted", third.created_at + timedelta(hours=36)
    db.session.commit()
    expected, kept = _facts(), _code_rollups()
    codes = [dict(zip(COLUMNS, row, strict=True))["outcome_codes"] for row in expected[0]]
    assert [sorted(str(c).split()) for c in codes] == [
        ["OUT_LICENCE_ACTION", "OUT_MONEY_RECOVERED"],
        ["OUT_AWARD", "OUT_AWARD"],
        [],
    ]
    every_case = {row[1:8]: row[8] for row in kept if row[0] == 0}
    month = str(dict(zip(COLUMNS, expected[0][0], strict=True))["created_month"])
    assert every_case == {
        # once, however many outcomes of a code
        ("", month, "NP", "QA", "outcome", "OUT_AWARD", 0): 1,
        ("", month, "NP", "QA", "outcome", "OUT_LICENCE_ACTION", 0): 1,
        ("", month, "NP", "QA", "outcome", "OUT_MONEY_RECOVERED", 0): 1,
        ("", month, "NP", "QA", "wait", "d1", 0): 1,  # accepted after a day and a half
        ("FL_DOCS", month, "NP", "QA", "outcome", "OUT_LICENCE_ACTION", 0): 1,
        ("FL_DOCS", month, "NP", "QA", "outcome", "OUT_MONEY_RECOVERED", 0): 1,
        ("FL_WAGES", month, "NP", "QA", "outcome", "OUT_AWARD", 0): 1,
        ("RA_FEES", month, "NP", "QA", "outcome", "OUT_LICENCE_ACTION", 0): 1,
        ("RA_FEES", month, "NP", "QA", "outcome", "OUT_MONEY_RECOVERED", 0): 1,
        ("RA_FEES", month, "NP", "QA", "wait", "d1", 0): 1,
    }
    assert len(kept) == 2 * len(every_case)  # and the same again for GEFONT, which holds all
    db.session.remove()
    downgrade(directory=directory, revision="0014")
    with db.engine.connect() as conn:
        assert "report_code_rollups" not in inspect(conn).get_table_names()
    upgrade(directory=directory)
    # The codes may come in another order (neither aggregate is ordered): the same words.
    assert _facts(but="outcome_codes") == _without(expected, "outcome_codes")
    again = [dict(zip(COLUMNS, row, strict=True))["outcome_codes"] for row in _facts()[0]]
    assert [sorted(str(c).split()) for c in again] == [sorted(str(c).split()) for c in codes]
    assert _code_rollups() == kept


def _code_rollups() -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT organisation_id, abuse_code, created_month, origin_country, "
                "destination_country, measure, code, shared, cases FROM report_code_rollups "
                "WHERE cases > 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"
            )
        ).all()
    return [tuple(r) for r in rows]


# The entity and money groups as they were before 0020, and its totals groups (each case once).
ENTITY_GROUPS = "organisation_id, kind, entity_id, detail, cases, shared_cases"
MONEY_GROUPS = (
    "organisation_id, forum, currency, day, shared, items, n_claimed, claimed, n_agreed, "
    "agreed, n_recovered, recovered"
)
TOTALS = (
    "abuse_code = '' AND origin_country = '' AND destination_country = '' AND created_month = ''"
)


def test_upgrading_to_0016_fills_the_entity_rollups(empty_app: Flask) -> None:
    """Cases naming a suspended, a licensed, an unlisted and no agency, one held by a
    caseworker and resolved, taken back to 0015 (no entity rollups): `upgrade` gives the
    groups the app keeps current."""
    from casework.models import Agency, Assignment, Case, Organisation, User
    from casework.services.intake.operations import lodge_complaint
    from tests.conftest import complaint_payload

    directory = _gefont_at_head(
        "licence_number,name,status,status_date\n"
        "1234/067/68,Himal Overseas,Suspended,2020-01-01\n"
        "77/070/71,Gorkha Manpower,Active,2020-01-01\n"
    )
    lodge_complaint(complaint_payload(), [], "api")  # the suspended agency, a departure date
    lodge_complaint(
        complaint_payload(agency={"name": "Gorkha", "licence_number": "77/070/71"}), [], "api"
    )
    lodge_complaint(complaint_payload(agency={"name": "Nobody Travels"}), [], "api")
    lodge_complaint(complaint_payload(agency={}), [], "api")
    gefont = db.session.scalars(select(Organisation).where(Organisation.slug == "gefont")).one()
    asha = User(email="asha@gefont.example.org", name="Asha", organisation_id=gefont.id)
    asha.role, asha.password_hash, asha.languages = "caseworker", "x", ["ne"]
    db.session.add(asha)
    db.session.flush()
    first = db.session.scalars(select(Case).order_by(Case.id)).first()
    assert first is not None
    offer = db.session.scalars(select(Assignment).where(Assignment.case_id == first.id)).first()
    assert offer is not None
    offer.status, offer.user_id, offer.responded_at = "accepted", asha.id, first.created_at
    first.status = "resolved"
    db.session.commit()
    agency = {a.name: a.id for a in db.session.scalars(select(Agency))}
    kept = _entity_rollups()
    every_case = {row[1:]: None for row in kept if row[0] == 0 and row[1] in ("agency", "holder")}
    assert set(every_case) == {
        ("agency", agency["Himal Overseas Manpower"], "unlicensed", 1, 0),
        ("agency", agency["Gorkha"], "licensed", 1, 0),
        ("agency", agency["Nobody Travels"], "", 1, 0),  # not on the list: not judged
        ("agency", 0, "", 1, 0),  # no agency named
        ("holder", asha.id, "resolved", 1, 0),
    }
    assert len([row for row in kept if row[1] in ("agency", "holder")]) == 2 * len(every_case)
    db.session.remove()
    downgrade(directory=directory, revision="0015")
    with db.engine.connect() as conn:
        assert "report_entity_rollups" not in inspect(conn).get_table_names()
    upgrade(directory=directory)
    assert _entity_rollups() == kept


def _entity_rollups() -> list[tuple[object, ...]]:
    """The entity groups (before 0020's dimensions, or its totals groups)."""
    with db.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("report_entity_rollups")}
        totals = f" AND {TOTALS}" if "abuse_code" in columns else ""
        rows = conn.execute(
            text(
                f"SELECT {ENTITY_GROUPS} FROM report_entity_rollups WHERE cases > 0{totals} "  # noqa: S608
                "ORDER BY 1, 2, 3, 4"
            )
        ).all()
    return [tuple(r) for r in rows]


def test_upgrading_to_0018_fills_the_money_rows_and_groups(empty_app: Flask) -> None:
    """Outcomes with money (an award whose recovered amount is the amount enforced, a payment
    in another currency, one without money) and a court's award, taken back to 0017:
    `upgrade` gives the rows and groups the app keeps current."""
    from decimal import Decimal

    from casework.models import Case, Outcome, Referral
    from casework.services.intake.operations import lodge_complaint
    from tests.conftest import complaint_payload

    directory = _gefont_at_head()
    for abuses in (["RA_FEES"], ["FL_WAGES"]):
        lodge_complaint(complaint_payload(abuse_categories=abuses), [], "api")
    first, second = db.session.scalars(select(Case).order_by(Case.id)).all()
    award = Outcome(case_id=first.id, code="OUT_AWARD", currency="QAR")
    award.amount_claimed, award.amount, award.amount_enforced = (
        Decimal("900.25"),
        Decimal("750.50"),
        Decimal("300.10"),
    )
    paid = Outcome(case_id=second.id, code="OUT_MONEY_RECOVERED", currency="NPR")
    paid.amount = Decimal("20000")
    db.session.add_all([award, paid, Outcome(case_id=second.id, code="OUT_DOCS_RETURNED")])
    court = Referral(case_id=first.id, forum_kind="DEST_LABOUR_COURT", status="decided")
    court.outcome_code, court.amount_awarded, court.currency = "OUT_AWARD", Decimal("500"), "QAR"
    db.session.add(court)
    db.session.commit()
    money, groups, entities, referrals = _money_tables()
    assert [(row[2], str(row[3]), *row[4:]) for row in money] == [  # raw text on SQLite
        ("QAR", str(award.recorded_at.date()), 90025, 75050, 30010),  # recovered: enforced
        ("NPR", str(paid.recorded_at.date()), None, 2000000, 2000000),
    ]
    assert {row[1:3] for row in groups} == {("", "QAR"), ("", "NPR"), ("DEST_LABOUR_COURT", "QAR")}
    assert len({row[0] for row in groups}) == 2  # every case, and GEFONT's
    assert sorted(row[1:4] for row in entities if row[0] == 0) == [
        ("money", 0, ""),
        ("money", 0, "NPR"),
        ("money", 0, "QAR"),
        ("ref_award", 0, "DEST_LABOUR_COURT"),
        ("ref_code", 0, "DEST_LABOUR_COURT OUT_AWARD"),
        ("ref_done", 0, "DEST_LABOUR_COURT"),
        ("referred", 0, "DEST_LABOUR_COURT"),
    ]
    db.session.remove()
    downgrade(directory=directory, revision="0017")
    with db.engine.connect() as conn:
        assert not {"report_money", "report_referrals"} & set(inspect(conn).get_table_names())
    upgrade(directory=directory)
    assert len(referrals) == 1
    assert _money_tables() == (money, groups, entities, referrals)


def _money_tables() -> tuple[list[tuple[object, ...]], ...]:
    with db.engine.connect() as conn:
        rows = [
            conn.execute(text(query)).all()
            for query in (
                "SELECT case_id, outcome_id, currency, day, claimed, agreed, recovered "
                "FROM report_money ORDER BY 1, 2",
                f"SELECT {MONEY_GROUPS} FROM report_money_rollups WHERE {TOTALS} "  # noqa: S608
                "ORDER BY 1, 2, 3, 4",
                f"SELECT {ENTITY_GROUPS} FROM report_entity_rollups "  # noqa: S608
                f"WHERE kind NOT IN ('agency', 'holder') AND {TOTALS} ORDER BY 1, 2, 3, 4",
                "SELECT * FROM report_referrals ORDER BY 1, 2",
            )
        ]
    return tuple([tuple(r) for r in found] for found in rows)


def test_upgrading_to_0019_fills_the_clock_hours(empty_app: Flask) -> None:
    """A case accepted after 36 hours and resolved, one accepted at once, one not yet: taken
    back to 0018, `upgrade` gives the hours of each clock the app keeps current."""
    from datetime import timedelta

    from casework.models import Assignment, Case
    from casework.services.intake.operations import lodge_complaint
    from tests.conftest import complaint_payload

    directory = _gefont_at_head()
    for _ in range(3):
        lodge_complaint(complaint_payload(), [], "api")
    first, second, _third = db.session.scalars(select(Case).order_by(Case.id)).all()
    for case, hours in ((first, 36), (second, 0)):
        offer = db.session.scalars(select(Assignment).where(Assignment.case_id == case.id)).one()
        offer.status, offer.responded_at = "accepted", case.created_at + timedelta(hours=hours)
    first.status = "resolved"
    first.status_since = first.created_at + timedelta(days=20, minutes=5)
    db.session.commit()
    kept = [row for row in _entity_rollups() if row[1] in ("resp_hours", "res_hours")]
    assert {row[1:] for row in kept if row[0] == 0} == {
        ("resp_hours", 36, "", 1, 0),
        ("resp_hours", 0, "", 1, 0),
        ("res_hours", 480, "", 1, 0),
    }
    db.session.remove()
    downgrade(directory=directory, revision="0018")
    assert not [row for row in _entity_rollups() if row[1] in ("resp_hours", "res_hours")]
    upgrade(directory=directory)
    assert [row for row in _entity_rollups() if row[1] in ("resp_hours", "res_hours")] == kept


def test_upgrading_to_0020_fills_the_groups_per_month_corridor_and_abuse(empty_app: Flask) -> None:
    """Cases with two abuse codes and one, money, a decided referral, one accepted after 36
    hours: taken back to 0019 the entity and money rollups keep their totals groups (each
    case once), and `upgrade` gives every group the app keeps current, per month, corridor and
    abuse code too."""
    from datetime import timedelta
    from decimal import Decimal

    from casework.models import Assignment, Case, Outcome, Referral
    from casework.services.intake.operations import lodge_complaint
    from tests.conftest import complaint_payload

    directory = _gefont_at_head()
    for abuses in (["RA_FEES", "FL_DOCS"], ["FL_WAGES"]):
        lodge_complaint(complaint_payload(abuse_categories=abuses), [], "api")
    first, second = db.session.scalars(select(Case).order_by(Case.id)).all()
    offer = db.session.scalars(select(Assignment).where(Assignment.case_id == first.id)).first()
    assert offer is not None
    offer.status, offer.responded_at = "accepted", first.created_at + timedelta(hours=36)
    paid = Outcome(case_id=second.id, code="OUT_MONEY_RECOVERED", currency="NPR")
    paid.amount = Decimal("20000")
    court = Referral(case_id=first.id, forum_kind="DEST_LABOUR_COURT", status="decided")
    court.outcome_code, court.amount_awarded, court.currency = "OUT_AWARD", Decimal("500"), "QAR"
    db.session.add_all([paid, court])
    db.session.commit()
    kept = _all_groups()
    entities, money = kept
    month = first.created_at.strftime("%Y-%m")
    fees = [row for row in entities if row[1] == "agency" and row[2] == "RA_FEES"]
    assert [row[3:6] for row in fees] == [("NP", "QA", month)] * 2  # every case, GEFONT's
    assert not [row for row in entities if row[1] == "resp_hours" and row[5] != ""]
    # per month alone, the hours to a first answer (a report filtered on dates alone)
    monthly = {row[2:7] for row in entities if row[:2] == (0, "resp_month")}
    assert monthly == {("", "", "", month, 36)}
    assert {row[1] for row in money if row[5] == "DEST_LABOUR_COURT"} == {"", "RA_FEES", "FL_DOCS"}
    totals = (_totals_of(entities, 8), _totals_of(money, 9))
    db.session.remove()
    downgrade(directory=directory, revision="0019")
    with db.engine.connect() as conn:
        old = [
            [
                tuple(r)
                for r in conn.execute(text(f"SELECT {columns} FROM {table} ORDER BY 1, 2, 3, 4"))  # noqa: S608
            ]
            for columns, table in (
                (ENTITY_GROUPS, "report_entity_rollups"),
                (MONEY_GROUPS, "report_money_rollups"),
            )
        ]
    assert (sorted(old[0]), sorted(old[1])) == totals
    upgrade(directory=directory)
    assert _all_groups() == kept


def _totals_of(rows: list[tuple[object, ...]], keys: int) -> list[tuple[object, ...]]:
    """The totals groups of 0020's rows (dimensions at columns 2-5 or 1-4), without them."""
    found = []
    for row in rows:
        at = 2 if isinstance(row[1], str) and row[1] in ENTITY_KINDS else 1
        if all(value == "" for value in row[at : at + 4]):
            found.append(row[:at] + row[at + 4 :])
    return sorted(found)


ENTITY_KINDS = (
    "agency",
    "holder",
    "money",
    "referred",
    "ref_open",
    "ref_done",
    "ref_award",
    "ref_code",
    "resp_hours",
    "res_hours",
    "resp_month",
    "res_month",
)


def _all_groups() -> tuple[list[tuple[object, ...]], ...]:
    with db.engine.connect() as conn:
        return tuple(
            [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY {order}"))]  # noqa: S608
            for table, order in (
                ("report_entity_rollups", "1, 2, 3, 4, 5, 6, 7, 8"),
                ("report_money_rollups", "1, 2, 3, 4, 5, 6, 7, 8, 9"),
            )
        )
