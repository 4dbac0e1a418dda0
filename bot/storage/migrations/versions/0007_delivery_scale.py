"""Delivery across several workers: at most one row "sending" per chat (a partial unique
index, so that two workers cannot both put one of a chat's alerts in flight), and the
`workers` table of live delivery workers (they share Telegram's overall limit through it).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "uq_deliveries_chat_in_flight",
        "deliveries",
        ["chat_id"],
        unique=True,
        sqlite_where=sa.text("status = 'sending'"),
        postgresql_where=sa.text("status = 'sending'"),
    )
    op.create_table(
        "workers",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
    )


def downgrade() -> None:
    op.drop_table("workers")
    op.drop_index("uq_deliveries_chat_in_flight", table_name="deliveries")
