"""refunds by case event

A refund is caused by a case event (arts 120–122 of the Tax Code) and may be a share of a payment
(half at cassation, the excess of an overpayment): one refund per (payment, event), booked pending
and sent back through the provider afterwards, with the provider's id and the receipt's digest.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 09:15:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('payment_refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event', sa.String(length=30), nullable=False, server_default='claim_returned'))
        batch_op.add_column(sa.Column('article', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='done'))
        batch_op.add_column(sa.Column('provider_refund_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('digest', sa.String(length=64), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_payment_refunds_payment_id'), type_='unique')
        batch_op.create_unique_constraint('uq_payment_refunds_payment_event', ['payment_id', 'event'])
        batch_op.create_check_constraint(batch_op.f('ck_payment_refunds_refund_amount_positive'), 'amount_tiyn > 0')
        batch_op.create_index(batch_op.f('ix_payment_refunds_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_refunds_status'), ['status'], unique=False)
    with op.batch_alter_table('payment_refunds', schema=None) as batch_op:
        batch_op.alter_column('event', server_default=None)
        batch_op.alter_column('article', server_default=None)
        batch_op.alter_column('status', server_default=None)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('payment_refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_refunds_status'))
        batch_op.drop_index(batch_op.f('ix_payment_refunds_payment_id'))
        batch_op.drop_constraint(batch_op.f('ck_payment_refunds_refund_amount_positive'), type_='check')
        batch_op.drop_constraint('uq_payment_refunds_payment_event', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_payment_refunds_payment_id'), ['payment_id'])
        batch_op.drop_column('digest')
        batch_op.drop_column('refunded_at')
        batch_op.drop_column('provider_refund_id')
        batch_op.drop_column('status')
        batch_op.drop_column('article')
        batch_op.drop_column('event')
