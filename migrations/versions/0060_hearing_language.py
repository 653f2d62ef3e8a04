"""hearing language

The language of the proceedings, set when the hearing is booked: the minutes (and the sealed
recording's minutes) are written in it. Existing hearings were minuted in Russian, so they keep it.

Revision ID: 0060
Revises: 0040
Create Date: 2026-11-30 12:20:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0060'
down_revision: str | Sequence[str] | None = '0040'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('hearings') as batch:
        batch.add_column(sa.Column('language', sa.String(length=2), server_default='ru', nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('hearings') as batch:
        batch.drop_column('language')
