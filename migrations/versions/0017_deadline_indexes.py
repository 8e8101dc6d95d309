"""the report facts' indexes on (status, deadline), for the flags figure

The flags figure of a report on every case (or an organisation's) counts the open cases past
their next deadline and past their claim deadline from these indexes, reading only those
cases. Built inside the upgrade's transaction: seconds at a million cases.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 01:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_report_cases_deadline', 'report_cases', ['status', 'next_deadline_at'], unique=False)
    op.create_index('ix_report_cases_claim_deadline', 'report_cases', ['status', 'claim_deadline'], unique=False)
    op.create_index('ix_report_org_cases_deadline', 'report_org_cases', ['organisation_id', 'status', 'next_deadline_at', 'organisations'], unique=False)
    op.create_index('ix_report_org_cases_claim_deadline', 'report_org_cases', ['organisation_id', 'status', 'claim_deadline', 'organisations'], unique=False)


def downgrade():
    op.drop_index('ix_report_org_cases_claim_deadline', table_name='report_org_cases')
    op.drop_index('ix_report_org_cases_deadline', table_name='report_org_cases')
    op.drop_index('ix_report_cases_claim_deadline', table_name='report_cases')
    op.drop_index('ix_report_cases_deadline', table_name='report_cases')
