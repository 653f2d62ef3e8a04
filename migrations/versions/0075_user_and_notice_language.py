"""user language, notice language and facts

The language a person reads the court in moves from the pages' own table to the user: the notice
writer (cabinet) reads it, and cabinet may not import the pages. Choices already made are kept.
A notice is written wholly in that language, from facts kept with it so the cabinet can show it in
the page's language too; notices issued before keep their text (NULLs).

Revision ID: 0075
Revises: 0060
Create Date: 2026-11-30 12:20:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0075'
down_revision: str | Sequence[str] | None = '0060'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    op.execute("UPDATE users SET language = (SELECT page_preferences.language FROM page_preferences "
               "WHERE page_preferences.user_id = users.id)")
    op.drop_table('page_preferences')
    with op.batch_alter_table('notices') as batch:
        batch.add_column(sa.Column('language', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('facts', sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('notices') as batch:
        batch.drop_column('facts')
        batch.drop_column('language')
    op.create_table('page_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.execute("INSERT INTO page_preferences (user_id, language, updated_at) "
               "SELECT id, language, COALESCE(last_login_at, created_at) FROM users WHERE language IS NOT NULL")
    with op.batch_alter_table('users') as batch:
        batch.drop_column('language')
