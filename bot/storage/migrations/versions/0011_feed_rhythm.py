"""Feeds remember their publishing rhythm: what the adaptive poll schedule learns per feed.

`feeds.rhythm` holds when observation began and the stories counted in each hour of the week
(`bot.feeds.rhythm.dumps`); empty for existing feeds, which learn it from their next fetch.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("rhythm", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("rhythm")
