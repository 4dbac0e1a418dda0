"""Ticker subscriptions carry the chat's choice of stories; feeds and stories their kind.

`subscriptions` gains `reach` ("about": stories about the company; "any": any mention),
`sources_off` (the kinds of source switched off, space-separated), `event_rule` ("all", "only",
"except") and `events` (the event types the rule names). Subscriptions that existed before keep
alerting as they did: they get "any"; new ones get "about". `feeds.source` says what kind of
source a feed is ("news", "press", "filings"), `articles.events` a story's event types.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        # Existing rows are filled with "any" (what they alerted on until now) ...
        batch.add_column(sa.Column("reach", sa.String(8), nullable=False, server_default="any"))
        batch.add_column(sa.Column("sources_off", sa.String(64), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("event_rule", sa.String(8), nullable=False, server_default="all")
        )
        batch.add_column(sa.Column("events", sa.Text(), nullable=False, server_default=""))
    # ... and rows added from now on default to "about".
    with op.batch_alter_table("subscriptions") as batch:
        batch.alter_column("reach", server_default="about", existing_type=sa.String(8))
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("source", sa.String(16), nullable=False, server_default="news"))
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("events", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("events")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("subscriptions") as batch:
        for column in ("events", "event_rule", "sources_off", "reach"):
            batch.drop_column(column)
