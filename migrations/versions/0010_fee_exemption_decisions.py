"""fee exemption decisions

A filer claiming an art. 668 exemption attaches a supporting document; the clerk confirms or
refuses the claim at registration. The filing keeps the claim's status, who decided, when, why,
the number of documents and pages of a request for copies (art. 665(1)(12) prices each), and
whether the filer reduced the claim after paying (then no overpayment is refunded, art. 120(4)(6)).

Revision ID: 0010
Revises: 0020
Create Date: 2026-11-30 09:20:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: str | Sequence[str] | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('filings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exemption_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('exemption_decided_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('exemption_decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('exemption_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('copy_documents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('copy_pages', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claim_reduced_after_payment', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_foreign_key(batch_op.f('fk_filings_exemption_decided_by_users'), 'users',
                                    ['exemption_decided_by'], ['id'])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('filings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_filings_exemption_decided_by_users'), type_='foreignkey')
        batch_op.drop_column('claim_reduced_after_payment')
        batch_op.drop_column('copy_pages')
        batch_op.drop_column('copy_documents')
        batch_op.drop_column('exemption_reason')
        batch_op.drop_column('exemption_decided_at')
        batch_op.drop_column('exemption_decided_by')
        batch_op.drop_column('exemption_status')
