"""recording composition jobs

One job per sealed recording: composing its segments into the one playable hearing record.

Revision ID: 0032
Revises: 0012
Create Date: 2026-11-30 10:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0032'
down_revision: str | Sequence[str] | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('recording_compose_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'],
                            name=op.f('fk_recording_compose_jobs_recording_id_recordings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_compose_jobs')),
    sa.UniqueConstraint('recording_id', name=op.f('uq_recording_compose_jobs_recording_id'))
    )
    op.create_index('ix_recording_compose_jobs_state', 'recording_compose_jobs', ['state', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_recording_compose_jobs_state', table_name='recording_compose_jobs')
    op.drop_table('recording_compose_jobs')
