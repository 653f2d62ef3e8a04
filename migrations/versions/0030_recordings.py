"""recordings

One row per recording of a hearing: the clerk's search columns (indexed), the capture's owner and
lease (crash recovery), and the sealed manifest with its hash and audit entry.

Revision ID: 0030
Revises: 0007
Create Date: 2026-11-30 09:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0030'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('recordings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hearing_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('case_number', sa.String(length=64), nullable=False),
    sa.Column('court_id', sa.Integer(), nullable=False),
    sa.Column('court_code', sa.String(length=10), nullable=False),
    sa.Column('courtroom', sa.String(length=100), nullable=False),
    sa.Column('judge_user_id', sa.Integer(), nullable=True),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_abnormally', sa.Boolean(), nullable=False),
    sa.Column('directory', sa.String(length=300), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('manifest', sa.JSON(), nullable=True),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=True),
    sa.Column('audit_seq', sa.Integer(), nullable=True),
    sa.Column('access_granted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_recordings_case_id_cases')),
    sa.ForeignKeyConstraint(['court_id'], ['courts.id'], name=op.f('fk_recordings_court_id_courts')),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_recordings_hearing_id_hearings')),
    sa.ForeignKeyConstraint(['judge_user_id'], ['users.id'], name=op.f('fk_recordings_judge_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recordings'))
    )
    op.create_index('ix_recordings_case_started', 'recordings', ['case_number', 'started_at'], unique=False)
    op.create_index('ix_recordings_court_started', 'recordings', ['court_code', 'started_at'], unique=False)
    op.create_index('ix_recordings_courtroom_started', 'recordings', ['court_code', 'courtroom', 'started_at'],
                    unique=False)
    op.create_index('ix_recordings_hearing', 'recordings', ['hearing_id'], unique=False)
    op.create_index('ix_recordings_judge_started', 'recordings', ['judge_user_id', 'started_at'], unique=False)
    op.create_index('ix_recordings_state', 'recordings', ['state'], unique=False)


def downgrade() -> None:
    op.drop_table('recordings')
