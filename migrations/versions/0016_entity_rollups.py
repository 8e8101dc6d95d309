"""report_entity_rollups: the report's cases per agency and per caseworker

Per organisation (0: every case), the cases naming each agency (0: none) with their licence
judgement on the day of recruitment (kind "agency", detail "" when not judged), and the cases
each caseworker holds on either side, with their status (kind "holder"); `shared_cases` counts
those another organisation also holds. Filled here from the facts (the same sums
`flask reports refresh-facts` rebuilds). The agency tables and the caseload of a report with
no filter but the organisation read it instead of walking every case.

Frozen history: nothing here imports the application.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 01:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

GROUP = "organisation_id, kind, entity_id, detail"


def _contributions(table, organisation):
    shared = f"CASE WHEN {table}.organisations > 1 THEN 1 ELSE 0 END AS shared"
    parts = [
        f"SELECT {organisation} AS organisation_id, CAST('agency' AS VARCHAR(10)) AS kind, "
        f"COALESCE({table}.agency_id, 0) AS entity_id, "
        f"COALESCE({table}.licence_then, '') AS detail, {shared} FROM {table}"
    ]
    for side in ("origin", "destination"):
        holder = f"{table}.{side}_caseworker_id"
        parts.append(
            f"SELECT {organisation} AS organisation_id, CAST('holder' AS VARCHAR(10)) AS kind, "
            f"{holder} AS entity_id, {table}.status AS detail, {shared} FROM {table} "
            f"WHERE {holder} IS NOT NULL"
        )
    return " UNION ALL ".join(parts)


def upgrade():
    op.create_table('report_entity_rollups',
    sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('entity_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('detail', sa.String(length=64), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('shared_cases', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('organisation_id', 'kind', 'entity_id', 'detail', name=op.f('pk_report_entity_rollups')),
    sqlite_with_rowid=False
    )
    parts = " UNION ALL ".join(
        (
            _contributions("report_cases", "0"),
            _contributions("report_org_cases", "report_org_cases.organisation_id"),
        )
    )
    op.execute(
        f"INSERT INTO report_entity_rollups ({GROUP}, cases, shared_cases) "
        f"SELECT {GROUP}, count(*), sum(shared) FROM ({parts}) AS contributions "
        f"GROUP BY {GROUP}"
    )


def downgrade():
    op.drop_table('report_entity_rollups')
