"""WebSub: a subscription per feed that advertises a hub, and an inbox of pushed documents.

`websub` holds each feed's hub, topic, secret, state and lease; `websub_inbox` the documents
hubs pushed, kept by the web role until a worker takes them through the feed's poll.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _feed_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["feed_id"], ["feeds.id"], name=op.f(f"fk_{table}_feed_id_feeds"), ondelete="CASCADE"
    )


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "websub",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("hub", sa.String(length=2000), nullable=False),
        sa.Column("topic", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("guarded", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("requested_at", stamp, nullable=True),
        sa.Column("lease_until", stamp, nullable=True),
        sa.Column("renew_at", stamp, nullable=True),
        sa.Column("retry_at", stamp, nullable=True),
        sa.Column("last_push_at", stamp, nullable=True),
        sa.Column("misses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _feed_key("websub"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_websub")),
        sa.UniqueConstraint("feed_id", name=op.f("uq_websub_feed_id")),
    )
    op.create_table(
        "websub_inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=True),
        sa.Column("received_at", stamp, nullable=False),
        sa.Column("taken_by", sa.String(length=128), nullable=True),
        sa.Column("taken_until", stamp, nullable=True),
        _feed_key("websub_inbox"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_websub_inbox")),
    )
    op.create_index(
        op.f("ix_websub_inbox_received_at"), "websub_inbox", ["received_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_websub_inbox_received_at"), table_name="websub_inbox")
    op.drop_table("websub_inbox")
    op.drop_table("websub")
