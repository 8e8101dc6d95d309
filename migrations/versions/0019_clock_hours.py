"""the report's cases per whole hour of each clock, in the entity rollups

report_entity_rollups gains kinds "resp_hours" and "res_hours": per organisation (0: every
case), the cases per whole hour (entity_id; -1 for a negative time) to the first acceptance
and to resolution, filled here from the facts. The response-time figure of a report with no
filter but the organisation finds there which hour holds its median and 90th percentile.

Frozen history: nothing here imports the application.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 01:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

GROUP = "organisation_id, kind, entity_id, detail"
FACTS = (("report_cases", "0"), ("report_org_cases", "report_org_cases.organisation_id"))
CLOCKS = (("resp_hours", "first_response_seconds"), ("res_hours", "resolution_seconds"))


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    parts = []
    for table, org in FACTS:
        for kind, clock in CLOCKS:
            seconds = f"{table}.{clock}"
            whole = f"floor({seconds} / 3600)" if postgresql else f"{seconds} / 3600"
            hour = f"CASE WHEN {seconds} < 0 THEN -1 ELSE CAST({whole} AS INTEGER) END"
            parts.append(
                f"SELECT {org} AS organisation_id, CAST('{kind}' AS VARCHAR(10)) AS kind, "
                f"{hour} AS entity_id, CAST('' AS VARCHAR(64)) AS detail, "
                f"CASE WHEN {table}.organisations > 1 THEN 1 ELSE 0 END AS shared "
                f"FROM {table} WHERE {seconds} IS NOT NULL"
            )
    op.execute(
        f"INSERT INTO report_entity_rollups ({GROUP}, cases, shared_cases) "
        f"SELECT {GROUP}, count(*), sum(shared) FROM ({' UNION ALL '.join(parts)}) "
        f"AS contributions GROUP BY {GROUP}"
    )


def downgrade():
    op.execute("DELETE FROM report_entity_rollups WHERE kind IN ('resp_hours', 'res_hours')")
