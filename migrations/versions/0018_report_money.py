"""report_money, report_referrals and report_money_rollups: money and referrals, per case and
per group

- report_money: one row per outcome recorded with a currency, its amounts in cents (recovered:
  the amount paid, or for an award the amount enforced) and the UTC day it was recorded;
- report_referrals: one row per referral: forum kind, status, outcome code, currency, the
  day its amounts convert at (decided, else last updated), amounts awarded and enforced;
- report_money_rollups: those amounts added up per organisation (0: every case), forum (""
  for the outcomes), currency, day and shared flag;
- report_entity_rollups gains kind "money" (the cases with money in each currency, and in
  any: "") and the referral kinds (per forum kind: "referred" cases, "ref_open", "ref_done"
  and "ref_award" referrals; "ref_code" cases per forum kind and outcome code).
All filled here from the outcomes, the referrals and the facts (the same rows and sums
`flask reports refresh-facts` rebuilds). The money and referral figures of a report with no
filter but the organisation read the groups instead of every outcome and referral.

Frozen history: nothing here imports the application.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 01:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

MONEY_GROUP = "organisation_id, forum, currency, day, shared"
OPEN_REFERRALS = "('proposed', 'consented', 'sent', 'acknowledged', 'hearing')"
DECIDED_REFERRALS = "('decided', 'closed')"
ENTITY_GROUP = "organisation_id, kind, entity_id, detail"
FACTS = (("report_cases", "0"), ("report_org_cases", "report_org_cases.organisation_id"))


def _cents(amount):
    return f"CAST(ROUND({amount} * 100) AS BIGINT)"


def _shared(table):
    return f"CASE WHEN {table}.organisations > 1 THEN 1 ELSE 0 END"


def _referral_parts(table, org):
    """The referral kinds' rows of a facts table: per referral passing a test, and per case
    and forum kind (and outcome code)."""
    shared = _shared(table)
    tests = {
        "ref_open": f"r.status IN {OPEN_REFERRALS}",
        "ref_done": f"r.status IN {DECIDED_REFERRALS}",
        "ref_award": "r.awarded > 0",
    }
    parts = [
        f"SELECT {org}, CAST('{kind}' AS VARCHAR(10)), 0, r.forum, {shared} FROM {table} "
        f"JOIN report_referrals AS r ON r.case_id = {table}.case_id WHERE {test}"
        for kind, test in tests.items()
    ]
    per_case = {
        "referred": "SELECT DISTINCT case_id, forum AS detail FROM report_referrals",
        "ref_code": "SELECT DISTINCT case_id, forum || ' ' || outcome_code AS detail "
        "FROM report_referrals WHERE outcome_code IS NOT NULL",
    }
    parts += [
        f"SELECT {org}, CAST('{kind}' AS VARCHAR(10)), 0, d.detail, {shared} FROM {table} "
        f"JOIN ({query}) AS d ON d.case_id = {table}.case_id"
        for kind, query in per_case.items()
    ]
    return parts


def upgrade():
    op.create_table('report_money',
    sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('outcome_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('claimed', sa.BigInteger(), nullable=True),
    sa.Column('agreed', sa.BigInteger(), nullable=True),
    sa.Column('recovered', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_report_money_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'outcome_id', name=op.f('pk_report_money')),
    sqlite_with_rowid=False
    )
    op.create_table('report_referrals',
    sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('referral_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('forum', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome_code', sa.String(length=30), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('awarded', sa.BigInteger(), nullable=True),
    sa.Column('enforced', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_report_referrals_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'referral_id', name=op.f('pk_report_referrals')),
    sqlite_with_rowid=False
    )
    op.create_table('report_money_rollups',
    sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('forum', sa.String(length=30), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('shared', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('n_claimed', sa.Integer(), nullable=False),
    sa.Column('claimed', sa.BigInteger(), nullable=False),
    sa.Column('n_agreed', sa.Integer(), nullable=False),
    sa.Column('agreed', sa.BigInteger(), nullable=False),
    sa.Column('n_recovered', sa.Integer(), nullable=False),
    sa.Column('recovered', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('organisation_id', 'forum', 'currency', 'day', 'shared', name=op.f('pk_report_money_rollups')),
    sqlite_with_rowid=False
    )
    postgresql = op.get_bind().dialect.name == 'postgresql'
    day = "CAST(timezone('UTC', recorded_at) AS DATE)" if postgresql else "date(recorded_at)"
    recovered = "CASE WHEN code = 'OUT_AWARD' THEN amount_enforced ELSE amount END"
    op.execute(
        "INSERT INTO report_money (case_id, outcome_id, currency, day, claimed, agreed, "
        f"recovered) SELECT case_id, id, currency, {day}, {_cents('amount_claimed')}, "
        f"{_cents('amount')}, {_cents(recovered)} FROM outcomes WHERE currency IS NOT NULL"
    )
    decided = day.replace("recorded_at", "COALESCE(decided_at, updated_at)")
    op.execute(
        "INSERT INTO report_referrals (case_id, referral_id, forum, status, outcome_code, "
        f"currency, day, awarded, enforced) SELECT case_id, id, forum_kind, status, "
        f"outcome_code, currency, {decided}, {_cents('amount_awarded')}, "
        f"{_cents('amount_enforced')} FROM referrals"
    )
    parts = " UNION ALL ".join(
        f"SELECT {org} AS organisation_id, CAST('' AS VARCHAR(30)) AS forum, "
        f"m.currency AS currency, m.day AS day, "
        f"{_shared(table)} AS shared, m.claimed AS claimed, m.agreed AS agreed, "
        f"m.recovered AS recovered FROM {table} JOIN report_money AS m "
        f"ON m.case_id = {table}.case_id "
        f"UNION ALL SELECT {org}, r.forum, r.currency, r.day, {_shared(table)}, "
        f"CAST(NULL AS BIGINT), r.awarded, r.enforced FROM {table} JOIN report_referrals AS r "
        f"ON r.case_id = {table}.case_id WHERE r.currency IS NOT NULL"
        for table, org in FACTS
    )
    sums = ", ".join(
        f"count({name}), coalesce(sum({name}), 0)" for name in ("claimed", "agreed", "recovered")
    )
    op.execute(
        f"INSERT INTO report_money_rollups ({MONEY_GROUP}, items, n_claimed, claimed, "
        f"n_agreed, agreed, n_recovered, recovered) SELECT {MONEY_GROUP}, count(*), {sums} "
        f"FROM ({parts}) AS contributions GROUP BY {MONEY_GROUP}"
    )
    money = "CAST('money' AS VARCHAR(10))"
    entity_parts = []
    for table, org in FACTS:
        entity_parts.append(
            f"SELECT {org} AS organisation_id, {money} AS kind, 0 AS entity_id, "
            f"currencies.currency AS detail, {_shared(table)} AS shared FROM {table} "
            "JOIN (SELECT DISTINCT case_id, currency FROM report_money) AS currencies "
            f"ON currencies.case_id = {table}.case_id"
        )
        entity_parts.append(
            f"SELECT {org} AS organisation_id, {money} AS kind, 0 AS entity_id, "
            f"CAST('' AS VARCHAR(20)) AS detail, {_shared(table)} AS shared FROM {table} "
            f"WHERE EXISTS (SELECT 1 FROM report_money WHERE report_money.case_id = "
            f"{table}.case_id)"
        )
        entity_parts += _referral_parts(table, org)
    op.execute(
        f"INSERT INTO report_entity_rollups ({ENTITY_GROUP}, cases, shared_cases) "
        f"SELECT {ENTITY_GROUP}, count(*), sum(shared) FROM ({' UNION ALL '.join(entity_parts)}) "
        f"AS contributions GROUP BY {ENTITY_GROUP}"
    )


def downgrade():
    op.execute(
        "DELETE FROM report_entity_rollups WHERE kind IN "
        "('money', 'referred', 'ref_open', 'ref_done', 'ref_award', 'ref_code')"
    )
    op.drop_table('report_money_rollups')
    op.drop_table('report_referrals')
    op.drop_table('report_money')
