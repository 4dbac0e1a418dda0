"""Alembic environment: runs the migrations on the connection the bot hands over.

In: `config.attributes["connection"]` (a SQLAlchemy Connection), set by `bot.storage.db`.
Out: the schema at the requested revision. Fails with the database's own error.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bot.storage.schema import metadata

connection: Connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
