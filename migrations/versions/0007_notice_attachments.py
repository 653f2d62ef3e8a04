"""notice attachments

Files that go out with a notice (the .ics invitation of a summons, a PDF), kept byte for byte
with their SHA-256; one row per (notice, position).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 16:29:06.703441

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('notice_attachments',
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_attachments_notice_id_notices'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notice_id', 'position', name=op.f('pk_notice_attachments'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('notice_attachments')
