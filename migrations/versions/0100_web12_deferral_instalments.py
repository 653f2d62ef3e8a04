"""a deferral of the state duty may ask for monthly instalments instead of one date

Revision ID: 0100w12
Revises: 0090
Create Date: 2026-11-30 15:40:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0100w12'
down_revision: str | Sequence[str] | None = '0100r13'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('fee_deferrals') as batch:
        batch.add_column(sa.Column('instalments', sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('fee_deferrals') as batch:
        batch.drop_column('instalments')
