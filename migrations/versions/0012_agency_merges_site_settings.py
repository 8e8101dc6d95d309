"""agency merges and site settings

- agencies.merged_into_id: a free-text agency merged into another row (the complaints moved
  there; the row is kept so the merge stays readable and the name keeps finding the cases).
- site_settings: settings an admin changes while the instance runs (the public licence
  check is the first), with who changed them last.

Frozen history: nothing here imports the application.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 12:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('site_settings',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by'], ['users.id'], name=op.f('fk_site_settings_changed_by_users')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_site_settings'))
    )
    # A plain ADD COLUMN (the foreign key inline), never a batch copy of `agencies` (see 0010).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            'ALTER TABLE agencies ADD COLUMN merged_into_id INTEGER '
            'CONSTRAINT fk_agencies_merged_into_id_agencies '
            'REFERENCES agencies (id) ON DELETE SET NULL'
        )
    else:
        op.add_column('agencies', sa.Column('merged_into_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_agencies_merged_into_id_agencies'), 'agencies', 'agencies', ['merged_into_id'], ['id'], ondelete='SET NULL')


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_agencies_merged_into_id_agencies'), 'agencies', type_='foreignkey')
    op.drop_column('agencies', 'merged_into_id')  # SQLite 3.35+ drops it with its REFERENCES
    op.drop_table('site_settings')
