"""Named counters in the database that say "this changed": processes that keep a copy of
something in memory (the match index) compare a counter instead of reloading everything.

In: a connection inside a transaction and a counter's name. Out: the counter bumped in that
same transaction (so the change and the bump commit together), or its current value (0 when
it was never bumped). Fails with SQLAlchemy's errors.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from bot.storage.schema import revisions

SUBSCRIPTIONS = "subscriptions"


def bump_revision(conn: Connection, name: str) -> None:
    updated = conn.execute(
        update(revisions).where(revisions.c.name == name).values(value=revisions.c.value + 1)
    )
    if updated.rowcount == 0:
        conn.execute(revisions.insert().values(name=name, value=1))


def read_revision(conn: Connection, name: str) -> int:
    value = conn.execute(select(revisions.c.value).where(revisions.c.name == name)).scalar()
    return int(value or 0)
