"""Feeds: failure streaks and broken feeds, per-ticker template feeds, user feeds and their
owners, and a title key for recognising the same story from outlets with different links.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def feed_columns() -> list[sa.Column[object]]:
    """Fresh Column objects each time: a Column can belong to one table only."""
    return [
        sa.Column("kind", sa.String(16), nullable=False, server_default="catalogue"),
        sa.Column("template", sa.String(2000), nullable=True),
        sa.Column("ticker", sa.String(32), nullable=True),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("broken_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        for column in feed_columns():
            batch.add_column(column)
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("title_key", sa.String(500), nullable=True))
        batch.create_index(batch.f("ix_articles_title_key"), ["title_key"], unique=False)
    op.create_table(
        "feed_owners",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name=op.f("fk_feed_owners_chat_id_chats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["feeds.id"],
            name=op.f("fk_feed_owners_feed_id_feeds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feed_id", "chat_id", name=op.f("pk_feed_owners")),
    )


def downgrade() -> None:
    op.drop_table("feed_owners")
    with op.batch_alter_table("articles") as batch:
        batch.drop_index(batch.f("ix_articles_title_key"))
        batch.drop_column("title_key")
    with op.batch_alter_table("feeds") as batch:
        for column in reversed(feed_columns()):
            batch.drop_column(column.name)
