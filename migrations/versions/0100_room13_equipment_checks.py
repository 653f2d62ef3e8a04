"""hearing equipment checks

Each person's latest equipment check for a hearing (verdict, round trip, loss, bitrate, the camera
and microphone chosen, when), stored for the clerk's and judge's bench.

Revision ID: 0100r13
Revises: 0090
Create Date: 2026-11-30 15:40:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0100r13'
down_revision: str | Sequence[str] | None = '0090'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('hearing_equipment_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hearing_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('rtt_ms', sa.Float(), nullable=True),
    sa.Column('packet_loss', sa.Float(), nullable=True),
    sa.Column('bitrate_kbps', sa.Float(), nullable=True),
    sa.Column('camera', sa.String(length=200), nullable=False),
    sa.Column('microphone', sa.String(length=200), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hearing_id', 'user_id', name='uq_hearing_equipment_checks_hearing_user')
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('hearing_equipment_checks')
