"""case groups: many workers' cases against one agency or employer

- case_groups: a group owned by an organisation, its title, respondent (agency or employer)
  and status (open / closed).
- case_group_members: the cases in a group, who added them and when.
- case_group_notes: that a shared note was written; its text is sealed into each member case's
  timeline with that case's key, never stored here.
- outcomes.group_id: an outcome that is one worker's share of a group outcome.

Frozen history: nothing here imports the application.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('respondent_kind', sa.String(length=10), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('employer_name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_case_groups_agency_id_agencies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_case_groups_created_by_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_case_groups_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_groups'))
    )
    with op.batch_alter_table('case_groups', schema=None) as batch_op:
        batch_op.create_index('ix_case_groups_org_status', ['organisation_id', 'status'], unique=False)

    op.create_table('case_group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_case_group_members_added_by_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_group_members_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['case_groups.id'], name=op.f('fk_case_group_members_group_id_case_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_group_members')),
    sa.UniqueConstraint('group_id', 'case_id', name='uq_case_group_members_case')
    )
    with op.batch_alter_table('case_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_group_members_case_id'), ['case_id'], unique=False)

    op.create_table('case_group_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_group_notes_author_id_users')),
    sa.ForeignKeyConstraint(['group_id'], ['case_groups.id'], name=op.f('fk_case_group_notes_group_id_case_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_group_notes'))
    )
    with op.batch_alter_table('case_group_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_group_notes_group_id'), ['group_id'], unique=False)

    # A plain ADD COLUMN (the foreign key inline), never a batch copy of `outcomes`: the copy
    # would rebuild a table the reports read at national scale (see 0010 for `agencies`).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            'ALTER TABLE outcomes ADD COLUMN group_id INTEGER '
            'CONSTRAINT fk_outcomes_group_id_case_groups '
            'REFERENCES case_groups (id) ON DELETE SET NULL'
        )
    else:
        op.add_column('outcomes', sa.Column('group_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_outcomes_group_id_case_groups'), 'outcomes', 'case_groups', ['group_id'], ['id'], ondelete='SET NULL')
    op.create_index(op.f('ix_outcomes_group_id'), 'outcomes', ['group_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_outcomes_group_id'), table_name='outcomes')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_outcomes_group_id_case_groups'), 'outcomes', type_='foreignkey')
    op.drop_column('outcomes', 'group_id')  # SQLite 3.35+ drops it with its REFERENCES

    with op.batch_alter_table('case_group_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_group_notes_group_id'))

    op.drop_table('case_group_notes')
    with op.batch_alter_table('case_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_group_members_case_id'))

    op.drop_table('case_group_members')
    with op.batch_alter_table('case_groups', schema=None) as batch_op:
        batch_op.drop_index('ix_case_groups_org_status')

    op.drop_table('case_groups')
