"""recording share links

Expiring, revocable links to one recording's files; only the SHA-256 of each token is stored.

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-30 09:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0031'
down_revision: str | Sequence[str] | None = '0030'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('recording_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_recording_links_created_by_users')),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'],
                            name=op.f('fk_recording_links_recording_id_recordings')),
    sa.ForeignKeyConstraint(['revoked_by'], ['users.id'], name=op.f('fk_recording_links_revoked_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_links')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_recording_links_token_sha256'))
    )
    op.create_index(op.f('ix_recording_links_recording_id'), 'recording_links', ['recording_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_recording_links_recording_id'), table_name='recording_links')
    op.drop_table('recording_links')
