"""merge the payments, notifications and hearings branches

Revision ID: 0006
Revises: 0003, 0004, 0005
Create Date: 2026-11-25 16:05:00

The three packages were built in parallel from common ancestors; this joins them so the
history has one head again and later migrations have one parent.
"""
from typing import Sequence, Union

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = ('0003', '0004', '0005')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Nothing to do: a merge point."""


def downgrade() -> None:
    """Nothing to do: a merge point."""
