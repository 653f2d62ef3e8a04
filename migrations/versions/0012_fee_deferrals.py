"""fee deferrals

A filer asks to defer the state duty (Tax Code art. 135), the judge decides; a deferred filing
proceeds unpaid with its due date tracked, a notice before it and one to the judge once overdue.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 09:20:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('fee_deferrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_until', sa.Date(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_fee_deferrals_decided_by_users')),
    sa.ForeignKeyConstraint(['filing_id'], ['filings.id'], name=op.f('fk_fee_deferrals_filing_id_filings'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_deferrals')),
    sa.UniqueConstraint('filing_id', name=op.f('uq_fee_deferrals_filing_id'))
    )
    with op.batch_alter_table('fee_deferrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_deferrals_status'), ['status'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('fee_deferrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_deferrals_status'))
    op.drop_table('fee_deferrals')
