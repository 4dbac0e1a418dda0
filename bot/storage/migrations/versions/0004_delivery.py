"""Delivery: what an alert matched (for digests), holding alerts for the user's day, and the
digest that gathered an alert.

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
    ]


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        for column in columns():
            batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        for column in reversed(columns()):
            batch.drop_column(column.name)
