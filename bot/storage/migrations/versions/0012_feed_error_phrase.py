"""Feeds keep their last failure as a catalogue phrase, to be said in each reader's language.

`feeds.last_error_phrase` holds the phrase as JSON (`bot.storage.phrases.dumps`) beside the
English `last_error`; NULL for failures recorded before, which are shown in English.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("last_error_phrase", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("last_error_phrase")
