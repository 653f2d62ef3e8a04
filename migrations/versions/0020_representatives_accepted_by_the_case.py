"""representatives accepted by the case

A representative named in a filing no longer gets a lawyer's access to the case just by being
named: ``case_parties.accepted_at`` records when the case accepted them (at registration, or when
a later filing brought the authority) and ``authority`` on what ground (``lawyer``: a lawyer
grant; ``power_of_attorney``: a power of attorney signed with the represented party's SIGN key).
Representatives already in cases who hold a lawyer grant today keep their access; the others
lose it until a filing brings a power of attorney.

Revision ID: 0020
Revises: 0031
Create Date: 2026-11-30 09:40:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | Sequence[str] | None = '0031'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('case_parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('authority', sa.String(length=24), nullable=True))
    op.execute(
        "UPDATE case_parties SET authority = 'lawyer', accepted_at = CURRENT_TIMESTAMP "
        "WHERE role = 'representative' AND iin IN (SELECT users.iin FROM users JOIN role_grants "
        "ON role_grants.user_id = users.id WHERE role_grants.role = 'lawyer' AND role_grants.revoked_at IS NULL)")


def downgrade() -> None:
    with op.batch_alter_table('case_parties', schema=None) as batch_op:
        batch_op.drop_column('authority')
        batch_op.drop_column('accepted_at')
