"""Delivery: what an alert matched (for digests), holding alerts for the user's day, the
digest that gathered an alert, who claimed a row being sent (crash recovery), and the highest
message id seen in each chat (to find out, after a crash, whether an in-flight alert arrived).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def columns() -> list[sa.Column[object]]:
    """Fresh Column objects each time: a Column can belong to one table only."""
    return [
        sa.Column("matched", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digest_id", sa.Integer(), nullable=True),
        sa.Column("claimed_by", sa.String(128), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        for column in columns():
            batch.add_column(column)
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("last_message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("last_message_id")
    with op.batch_alter_table("deliveries") as batch:
        for column in reversed(columns()):
            batch.drop_column(column.name)
