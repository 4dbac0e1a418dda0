"""The base of the store's query classes: an engine and a dialect-aware INSERT.

In: an `Engine` whose schema is migrated. Out: `StoreBase`, which every repository extends;
`bot.storage.store.Store` holds one of each.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Table
from sqlalchemy.dialects import postgresql, sqlite


class StoreBase:
    """Holds the engine; every public method of a subclass is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _insert(self, table: Table) -> Any:
        """An INSERT that can say ON CONFLICT DO NOTHING, in the engine's dialect."""
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)
