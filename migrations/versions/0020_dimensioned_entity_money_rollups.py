"""the entity and money rollups per month, corridor and abuse code

report_entity_rollups and report_money_rollups gain the dimensions of report_rollups:
abuse_code, origin_country, destination_country and created_month (in their primary keys).
Each case is counted in its totals group (all four ""), as before, and in the groups of its
month and corridor, for any abuse ("") and per abuse code of the case: a report filtered on
dates, corridor or abuse adds those up instead of walking its cases. The clocks' hours
("resp_hours", "res_hours") stay in the totals groups only; two new kinds count the cases
per month of the complaint alone (abuse code and corridor "") per hour to a first answer
("resp_month") and per whole day to resolution ("res_month"): the response times of a
report filtered on dates alone.

Both tables are rebuilt here from the facts (the same groups `flask reports refresh-facts`
rebuilds); the downgrade keeps the totals groups.

report_org_cases gains an index on (organisation_id, agency_id): the agency table of an
organisation's report reads the fees paid in its top agencies' cases alone.

Frozen history: nothing here imports the application (the abuse codes below are those of
this revision).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

ABUSE_CODES = (
    'FL_CONDITIONS', 'FL_DEBT', 'FL_DECEPTION', 'FL_DOCS', 'FL_ISOLATION', 'FL_MOVEMENT',
    'FL_OVERTIME', 'FL_THREATS', 'FL_VIOLENCE', 'FL_VULN', 'FL_WAGES', 'RA_ABSCONDING',
    'RA_CONTRACT_SUB', 'RA_DATA_MISUSE', 'RA_DEATH_INJURY', 'RA_DEDUCTIONS', 'RA_DEPOSIT',
    'RA_FEES', 'RA_NO_CONTRACT', 'RA_NO_JOB', 'RA_STRANDED', 'RA_TRAFFICKING', 'RA_UNLICENSED',
)
FACTS = (("report_cases", "0"), ("report_org_cases", "report_org_cases.organisation_id"))
OPEN_REFERRALS = "('proposed', 'consented', 'sent', 'acknowledged', 'hearing')"
DECIDED_REFERRALS = "('decided', 'closed')"
HOURS = "('resp_hours', 'res_hours', 'resp_month', 'res_month')"
MONTHLY = "('resp_month', 'res_month')"
CLOCKS = (  # kind, clock, width of its bins in seconds
    ("resp_hours", "first_response_seconds", 3600),
    ("res_hours", "resolution_seconds", 3600),
    ("resp_month", "first_response_seconds", 3600),
    ("res_month", "resolution_seconds", 86400),
)
DIMENSIONS = ("abuse_code", "origin_country", "destination_country", "created_month")
ENTITY_KEY = ("organisation_id", "kind", *DIMENSIONS, "entity_id", "detail")
MONEY_KEY = ("organisation_id", *DIMENSIONS, "forum", "currency", "day", "shared")
OLD_ENTITY_KEY = ("organisation_id", "kind", "entity_id", "detail")
OLD_MONEY_KEY = ("organisation_id", "forum", "currency", "day", "shared")
AMOUNTS = ("claimed", "agreed", "recovered")


def _dimension_columns():
    return [
        sa.Column('abuse_code', sa.String(length=20), nullable=False),
        sa.Column('origin_country', sa.String(length=2), nullable=False),
        sa.Column('destination_country', sa.String(length=2), nullable=False),
        sa.Column('created_month', sa.String(length=7), nullable=False),
    ]


def _entity_table(key, dimensioned):
    op.create_table('report_entity_rollups',
    sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    *(_dimension_columns() if dimensioned else []),
    sa.Column('entity_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('detail', sa.String(length=64), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('shared_cases', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint(*key, name=op.f('pk_report_entity_rollups')),
    sqlite_with_rowid=False
    )


def _money_table(key, dimensioned):
    op.create_table('report_money_rollups',
    sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
    *(_dimension_columns() if dimensioned else []),
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
    sa.PrimaryKeyConstraint(*key, name=op.f('pk_report_money_rollups')),
    sqlite_with_rowid=False
    )


def _shared(table):
    return f"CASE WHEN {table}.organisations > 1 THEN 1 ELSE 0 END"


def _dims(table):
    return (
        f"{table}.abuse_codes AS abuse_codes, {table}.origin_country AS origin_country, "
        f"{table}.destination_country AS destination_country, "
        f"{table}.created_month AS created_month"
    )


def _entity_parts(table, org, postgresql):
    """Each facts row's entity contributions: organisation_id, kind, entity_id, detail,
    shared and the dimension columns."""
    head = f"SELECT {org} AS organisation_id, CAST('%s' AS VARCHAR(10)) AS kind"
    tail = f"{_shared(table)} AS shared, {_dims(table)}"
    parts = [
        f"{head % 'agency'}, COALESCE({table}.agency_id, 0) AS entity_id, "
        f"COALESCE({table}.licence_then, '') AS detail, {tail} FROM {table}"
    ]
    for side in ("origin", "destination"):
        holder = f"{table}.{side}_caseworker_id"
        parts.append(
            f"{head % 'holder'}, {holder} AS entity_id, {table}.status AS detail, {tail} "
            f"FROM {table} WHERE {holder} IS NOT NULL"
        )
    parts.append(
        f"{head % 'money'}, 0 AS entity_id, currencies.currency AS detail, {tail} "
        f"FROM {table} JOIN (SELECT DISTINCT case_id, currency FROM report_money) AS currencies "
        f"ON currencies.case_id = {table}.case_id"
    )
    parts.append(
        f"{head % 'money'}, 0 AS entity_id, CAST('' AS VARCHAR(20)) AS detail, {tail} "
        f"FROM {table} WHERE EXISTS (SELECT 1 FROM report_money "
        f"WHERE report_money.case_id = {table}.case_id)"
    )
    tests = {
        "ref_open": f"r.status IN {OPEN_REFERRALS}",
        "ref_done": f"r.status IN {DECIDED_REFERRALS}",
        "ref_award": "r.awarded > 0",
    }
    parts += [
        f"{head % kind}, 0 AS entity_id, r.forum AS detail, {tail} FROM {table} "
        f"JOIN report_referrals AS r ON r.case_id = {table}.case_id WHERE {test}"
        for kind, test in tests.items()
    ]
    per_case = {
        "referred": "SELECT DISTINCT case_id, forum AS detail FROM report_referrals",
        "ref_code": "SELECT DISTINCT case_id, forum || ' ' || outcome_code AS detail "
        "FROM report_referrals WHERE outcome_code IS NOT NULL",
    }
    parts += [
        f"{head % kind}, 0 AS entity_id, d.detail AS detail, {tail} FROM {table} "
        f"JOIN ({query}) AS d ON d.case_id = {table}.case_id"
        for kind, query in per_case.items()
    ]
    for kind, clock, width in CLOCKS:
        seconds = f"{table}.{clock}"
        whole = f"floor({seconds} / {width})" if postgresql else f"{seconds} / {width}"
        hour = f"CASE WHEN {seconds} < 0 THEN -1 ELSE CAST({whole} AS INTEGER) END"
        parts.append(
            f"{head % kind}, {hour} AS entity_id, CAST('' AS VARCHAR(64)) AS detail, {tail} "
            f"FROM {table} WHERE {seconds} IS NOT NULL"
        )
    return parts


def _money_parts(table, org):
    tail = f"{_shared(table)} AS shared"
    return [
        f"SELECT {org} AS organisation_id, CAST('' AS VARCHAR(30)) AS forum, "
        f"m.currency AS currency, m.day AS day, {tail}, m.claimed AS claimed, "
        f"m.agreed AS agreed, m.recovered AS recovered, {_dims(table)} FROM {table} "
        f"JOIN report_money AS m ON m.case_id = {table}.case_id",
        f"SELECT {org}, r.forum, r.currency, r.day, {tail}, CAST(NULL AS BIGINT), r.awarded, "
        f"r.enforced, {_dims(table)} FROM {table} JOIN report_referrals AS r "
        f"ON r.case_id = {table}.case_id WHERE r.currency IS NOT NULL",
    ]


def _grains(postgresql):
    """The totals group (total 1), any abuse and each abuse code (total 0)."""
    word = "strpos" if postgresql else "instr"
    rows = ["SELECT CAST('' AS VARCHAR(20)) AS code, 1 AS total", "SELECT '', 0"]
    rows += [f"SELECT '{code}', 0" for code in ABUSE_CODES]
    return " UNION ALL ".join(rows), word


def _expanded(parts, before, after, postgresql, dimensional="1 = 1", totals="1 = 1"):
    grains, word = _grains(postgresql)
    dimension = "CASE WHEN g.total = 1 THEN '' ELSE c.{0} END AS {0}".format
    columns = ", ".join(
        [*(f"c.{name}" for name in before), "g.code AS abuse_code"]
        + [dimension(name) for name in DIMENSIONS[1:]]
        + [f"c.{name}" for name in after]
    )
    counted = f"(g.code = '' OR {word}(c.abuse_codes, ' ' || g.code || ' ') > 0)"
    return (
        f"SELECT {columns} FROM ({' UNION ALL '.join(parts)}) AS c JOIN ({grains}) AS g "
        f"ON (g.total = 1 AND {totals}) OR ({counted} AND {dimensional})"
    )


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    op.create_index(
        'ix_report_org_cases_agency', 'report_org_cases', ['organisation_id', 'agency_id'],
        unique=False,
    )
    op.drop_table('report_entity_rollups')
    _entity_table(ENTITY_KEY, True)
    parts = [p for table, org in FACTS for p in _entity_parts(table, org, postgresql)]
    grained = _expanded(
        parts, ENTITY_KEY[:2], ("entity_id", "detail", "shared"), postgresql,
        f"c.kind NOT IN {HOURS}", f"c.kind NOT IN {MONTHLY}",
    )
    # the clocks' bins per month: abuse code and corridor ""
    grained += (
        " UNION ALL SELECT c.organisation_id, c.kind, '', '', '', c.created_month, "
        f"c.entity_id, c.detail, c.shared FROM ({' UNION ALL '.join(parts)}) AS c "
        f"WHERE c.kind IN {MONTHLY}"
    )
    key = ", ".join(ENTITY_KEY)
    op.execute(
        f"INSERT INTO report_entity_rollups ({key}, cases, shared_cases) "
        f"SELECT {key}, count(*), sum(shared) FROM ({grained}) AS grained GROUP BY {key} "
        f"ORDER BY {key}"  # PostgreSQL: a report's groups side by side in the table
    )
    op.drop_table('report_money_rollups')
    _money_table(MONEY_KEY, True)
    parts = [p for table, org in FACTS for p in _money_parts(table, org)]
    grained = _expanded(parts, ("organisation_id",), (*MONEY_KEY[5:], *AMOUNTS), postgresql)
    key = ", ".join(MONEY_KEY)
    sums = ", ".join(f"count({name}), coalesce(sum({name}), 0)" for name in AMOUNTS)
    op.execute(
        f"INSERT INTO report_money_rollups ({key}, items, n_claimed, claimed, n_agreed, agreed, "
        f"n_recovered, recovered) SELECT {key}, count(*), {sums} FROM ({grained}) AS grained "
        f"GROUP BY {key} ORDER BY {key}"
    )


def _keep_totals(table, columns):
    """The totals groups of a table, kept in `<table>_totals` (columns `columns`)."""
    totals = " AND ".join(f"{name} = ''" for name in DIMENSIONS)
    op.execute(
        f"CREATE TABLE {table}_totals AS SELECT {', '.join(columns)} FROM {table} "
        f"WHERE {totals}"
    )


def _restore_totals(table, columns):
    names = ", ".join(columns)
    op.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {table}_totals")
    op.execute(f"DROP TABLE {table}_totals")


def downgrade():
    op.drop_index('ix_report_org_cases_agency', table_name='report_org_cases')
    entity = (*OLD_ENTITY_KEY, "cases", "shared_cases")
    _keep_totals('report_entity_rollups', entity)
    op.drop_table('report_entity_rollups')
    _entity_table(OLD_ENTITY_KEY, False)
    _restore_totals('report_entity_rollups', entity)
    money = (*OLD_MONEY_KEY, "items", *(f"{p}{a}" for a in AMOUNTS for p in ("n_", "")))
    _keep_totals('report_money_rollups', money)
    op.drop_table('report_money_rollups')
    _money_table(OLD_MONEY_KEY, False)
    _restore_totals('report_money_rollups', money)
