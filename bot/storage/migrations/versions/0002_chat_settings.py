"""Chat settings: time zone, delivery mode and digest time, quiet hours, hourly cap, pause,
forum topic, and a count of consecutive failed sends.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def columns() -> list[sa.Column[object]]:
    """Fresh Column objects each time: a Column can belong to one table only."""
    return [
        sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("delivery_mode", sa.String(16), nullable=False, server_default="instant"),
        sa.Column("digest_time", sa.String(5), nullable=False, server_default="08:00"),
        sa.Column("quiet_start", sa.String(5), nullable=True),
        sa.Column("quiet_end", sa.String(5), nullable=True),
        sa.Column("quiet_mode", sa.String(8), nullable=False, server_default="hold"),
        sa.Column("max_per_hour", sa.Integer(), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("send_failures", sa.Integer(), nullable=False, server_default="0"),
    ]


def upgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        for column in columns():
            batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        for column in reversed(columns()):
            batch.drop_column(column.name)
