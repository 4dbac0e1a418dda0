"""The outbox holds what to say, not how: an alert row keeps its story and its hits and is
rendered in the chat's language when it is sent. `text`, `plain_text` and `buttons` become
optional (written only for notices, broadcasts and digests); rows queued before this revision
keep theirs and are sent as they are, so nothing already queued is lost.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.alter_column("text", existing_type=sa.Text(), nullable=True)
        batch.alter_column("plain_text", existing_type=sa.Text(), nullable=True)
        batch.alter_column("buttons", existing_type=sa.Text(), nullable=True, server_default=None)


def downgrade() -> None:
    # Rows queued since hold no text; they cannot be kept by the older code.
    op.execute("DELETE FROM deliveries WHERE text IS NULL")
    op.execute("UPDATE deliveries SET buttons = '[]' WHERE buttons IS NULL")
    with op.batch_alter_table("deliveries") as batch:
        batch.alter_column("buttons", existing_type=sa.Text(), nullable=False, server_default="[]")
        batch.alter_column("plain_text", existing_type=sa.Text(), nullable=False)
        batch.alter_column("text", existing_type=sa.Text(), nullable=False)
