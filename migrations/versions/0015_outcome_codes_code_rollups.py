"""outcome codes in the report facts, and the code rollups

- report_cases.outcome_codes and report_org_cases.outcome_codes: the codes of the case's
  recorded outcomes between spaces (" OUT_AWARD OUT_FINE "), filled here from `outcomes` as
  the facts' refresh does.
- report_code_rollups: per organisation, abuse code, month of the complaint, corridor and
  shared flag, the cases with each outcome code (measure "outcome") and in each range of days
  to the first answer (measure "wait"), filled here from the facts (the same sums
  `flask reports refresh-facts` rebuilds). The outcomes figure and the response spread read
  it instead of walking every case of the report.

Frozen history: nothing here imports the application (the codes below are those of this
revision).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 22:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

TABLES = ('report_cases', 'report_org_cases')
ABUSE_CODES = (
    "FL_CONDITIONS", "FL_DEBT", "FL_DECEPTION", "FL_DOCS", "FL_ISOLATION", "FL_MOVEMENT",
    "FL_OVERTIME", "FL_THREATS", "FL_VIOLENCE", "FL_VULN", "FL_WAGES", "RA_ABSCONDING",
    "RA_CONTRACT_SUB", "RA_DATA_MISUSE", "RA_DEATH_INJURY", "RA_DEDUCTIONS", "RA_DEPOSIT",
    "RA_FEES", "RA_NO_CONTRACT", "RA_NO_JOB", "RA_STRANDED", "RA_TRAFFICKING", "RA_UNLICENSED",
)
OUTCOME_CODES = (
    "OUT_ABSCONDING_CLEARED", "OUT_AWARD", "OUT_DOCS_RETURNED", "OUT_EMPLOYER_TRANSFER",
    "OUT_FINE", "OUT_LICENCE_ACTION", "OUT_LOST_CONTACT", "OUT_MONEY_RECOVERED",
    "OUT_PROSECUTION", "OUT_REPATRIATED", "OUT_SETTLED_MEDIATION", "OUT_TIME_BARRED",
    "OUT_UNRESOLVED", "OUT_WITHDRAWN",
)
GROUP = (
    "organisation_id, abuse_code, created_month, origin_country, destination_country, "
    "measure, code, shared"
)
DAY = 86400
# the response spread's ranges: code, to whole day exclusive (the last has no end)
WAITS = (("d0", 1), ("d1", 2), ("d2_3", 4), ("d4_7", 8), ("d8_14", 15), ("d15_30", 31))
LAST_WAIT = "d31"


def _constant(codes, name):
    rows = " UNION ALL ".join(f"SELECT '{code}' AS code" for code in codes)
    return f"({rows}) AS {name}"


def _wait(seconds):
    whens = " ".join(f"WHEN {seconds} < {high * DAY} THEN '{code}'" for code, high in WAITS)
    return f"CASE WHEN {seconds} < 0 THEN NULL {whens} ELSE '{LAST_WAIT}' END"


def _measures(table, position):
    """Per measure: the joins, the code and the condition giving a case's rows."""
    outcome = (
        f"JOIN {_constant(OUTCOME_CODES, 'outcomes')} "
        f"ON {position}({table}.outcome_codes, ' ' || outcomes.code || ' ') > 0",
        "outcomes.code",
        "1 = 1",
    )
    seconds = f"{table}.first_response_seconds"
    wait = ("", _wait(seconds), f"{seconds} >= 0")
    return {"outcome": outcome, "wait": wait}


def _contributions(table, organisation, position):
    """Each case's contribution to its code groups: per measure and code, once with no abuse
    code and once per abuse code."""
    parts = []
    for measure, (joins, code, kept) in _measures(table, position).items():
        columns = (
            "{t}.created_month AS created_month, {t}.origin_country AS origin_country, "
            "{t}.destination_country AS destination_country, "
            "CASE WHEN {t}.organisations > 1 THEN 1 ELSE 0 END AS shared, "
            "'{m}' AS measure, {code} AS code"
        ).format(t=table, m=measure, code=code)
        parts.append(
            f"SELECT {organisation} AS organisation_id, '' AS abuse_code, {columns} "
            f"FROM {table} {joins} WHERE {kept}"
        )
        parts.append(
            f"SELECT {organisation} AS organisation_id, codes.code AS abuse_code, {columns} "
            f"FROM {table} JOIN {_constant(ABUSE_CODES, 'codes')} "
            f"ON {position}({table}.abuse_codes, ' ' || codes.code || ' ') > 0 {joins} "
            f"WHERE {kept}"
        )
    return " UNION ALL ".join(parts)


def upgrade():
    for name in TABLES:
        op.add_column(name, sa.Column('outcome_codes', sa.Text(), server_default='', nullable=False))
    postgresql = op.get_bind().dialect.name == 'postgresql'
    listed = "string_agg(code, ' ')" if postgresql else "group_concat(code, ' ')"
    position = "strpos" if postgresql else "instr"
    for name in TABLES:
        op.execute(
            f"UPDATE {name} SET outcome_codes = (SELECT ' ' || {listed} || ' ' FROM outcomes "
            f"WHERE outcomes.case_id = {name}.case_id) "
            f"WHERE case_id IN (SELECT case_id FROM outcomes)"
        )
    op.create_table('report_code_rollups',
    sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('abuse_code', sa.String(length=20), nullable=False),
    sa.Column('created_month', sa.String(length=7), nullable=False),
    sa.Column('origin_country', sa.String(length=2), nullable=False),
    sa.Column('destination_country', sa.String(length=2), nullable=False),
    sa.Column('shared', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('measure', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('organisation_id', 'abuse_code', 'created_month', 'origin_country', 'destination_country', 'measure', 'code', 'shared', name=op.f('pk_report_code_rollups')),
    sqlite_with_rowid=False
    )
    parts = " UNION ALL ".join(
        (
            _contributions("report_cases", "0", position),
            _contributions("report_org_cases", "report_org_cases.organisation_id", position),
        )
    )
    op.execute(
        f"INSERT INTO report_code_rollups ({GROUP}, cases) "
        f"SELECT {GROUP}, count(*) FROM ({parts}) AS contributions GROUP BY {GROUP}"
    )


def downgrade():
    op.drop_table('report_code_rollups')
    for name in TABLES:
        op.drop_column(name, 'outcome_codes')  # SQLite 3.35+ drops a column in place
