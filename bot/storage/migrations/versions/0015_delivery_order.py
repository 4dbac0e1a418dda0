"""The delivery order: each pending row's `turn` (its batch's queueing time plus the seconds the
batch takes at Telegram's free rate), read through a partial index in that order; and a partial
index of the rows not sized yet. Rows pending at the upgrade are sized by the next round.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_PENDING = sa.text("status = 'pending'")
_UNSIZED = sa.text("turn IS NULL AND status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("turn", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_deliveries_due",
        "deliveries",
        ["turn", "id"],
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )
    op.create_index(
        "ix_deliveries_unsized",
        "deliveries",
        ["created_at"],
        sqlite_where=_UNSIZED,
        postgresql_where=_UNSIZED,
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_unsized", table_name="deliveries")
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("turn")
