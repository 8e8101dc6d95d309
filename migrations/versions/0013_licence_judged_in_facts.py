"""licence judged in the report facts

- report_cases.licence_then and report_org_cases.licence_then: what the registry says of the
  case's agency on the day of recruitment (licensed / unlicensed / unknown), NULL when no
  linked agency or no day. Filled here from the source tables, as the facts' refresh does.
- ix_report_cases_agency gains the column, so reports count per agency and judgement from
  the index alone.

Frozen history: nothing here imports the application.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TABLES = ('report_cases', 'report_org_cases')


def _judged(facts):
    """The licence_then of the row's case, as SQL over the source tables (as of 0013)."""
    cases = sa.table('cases', sa.column('id'), sa.column('agency_id'), sa.column('departure_date'))
    agencies = sa.table('agencies', sa.column('id'), sa.column('registry_agency_id'))
    payments = sa.table('fee_payments', sa.column('case_id'), sa.column('paid_on'))
    history = sa.table(
        'registry_status_history',
        sa.column('id'),
        sa.column('registry_agency_id'),
        sa.column('status'),
        sa.column('status_from'),
        sa.column('valid_until'),
    )
    first_payment = (
        sa.select(sa.func.min(payments.c.paid_on))
        .where(payments.c.case_id == facts.c.case_id, payments.c.paid_on.is_not(None))
        .correlate_except(payments)  # to the facts' row, however deep it is nested
        .scalar_subquery()
    )
    departure = (
        sa.select(cases.c.departure_date)
        .where(cases.c.id == facts.c.case_id)
        .correlate_except(cases)
        .scalar_subquery()
    )
    day = sa.func.coalesce(departure, first_payment)
    registry = (
        sa.select(agencies.c.registry_agency_id)
        .where(agencies.c.id == facts.c.agency_id)
        .correlate_except(agencies)
        .scalar_subquery()
    )
    valid_then = sa.and_(
        history.c.status == 'valid',
        sa.or_(history.c.valid_until.is_(None), day <= history.c.valid_until),
    )
    then = (
        sa.select(sa.case((valid_then, sa.literal('licensed')), else_=sa.literal('unlicensed')))
        .where(history.c.registry_agency_id == registry, history.c.status_from <= day)
        .order_by(history.c.status_from.desc(), history.c.id.desc())
        .limit(1)
        .correlate_except(history)
        .scalar_subquery()
    )
    return sa.case(
        (sa.and_(registry.is_not(None), day.is_not(None)), sa.func.coalesce(then, 'unknown'))
    )


def upgrade():
    for name in TABLES:
        op.add_column(name, sa.Column('licence_then', sa.String(length=10), nullable=True))
    for name in TABLES:
        facts = sa.table(name, sa.column('case_id'), sa.column('agency_id'), sa.column('licence_then'))
        op.execute(
            facts.update().where(facts.c.agency_id.is_not(None)).values(licence_then=_judged(facts))
        )
    op.drop_index('ix_report_cases_agency', table_name='report_cases')
    op.create_index('ix_report_cases_agency', 'report_cases', ['agency_id', 'licence_then', 'organisations'], unique=False)


def downgrade():
    op.drop_index('ix_report_cases_agency', table_name='report_cases')
    op.create_index('ix_report_cases_agency', 'report_cases', ['agency_id', 'organisations'], unique=False)
    for name in TABLES:
        op.drop_column(name, 'licence_then')  # SQLite 3.35+ drops a column in place
