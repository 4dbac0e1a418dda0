"""`python -m bot db copy`: move an installation from one database to another (SQLite ->
PostgreSQL), every table, in one go.

In: a source and a target SQLAlchemy URL. Out: the target holding the same rows, with its
schema at the newest migration and PostgreSQL's id sequences moved past the copied ids.
Fails with `CopyError` (and changes nothing) when the target already holds data; fails with
SQLAlchemy's errors when a database cannot be reached. Stop the bot before copying.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Integer, func, select, text

from bot.storage.db import migrate, open_engine
from bot.storage.schema import metadata

BATCH = 2000


class CopyError(RuntimeError):
    """The copy cannot be made; str() says why."""


@dataclass(frozen=True, slots=True)
class CopyReport:
    rows: dict[str, int]


def copy_database(source_url: str, target_url: str) -> CopyReport:
    """Copy every table of `source_url` into the empty database at `target_url`."""
    source, target = open_engine(source_url), open_engine(target_url)
    try:
        migrate(source)
        migrate(target)
        _check_empty(target)
        return CopyReport(rows=_copy(source, target))
    finally:
        source.dispose()
        target.dispose()


def _check_empty(target: Engine) -> None:
    with target.connect() as conn:
        for table in metadata.sorted_tables:
            if conn.execute(select(func.count()).select_from(table)).scalar_one():
                raise CopyError(
                    f"the target database already holds data (table {table.name}); "
                    "copy into an empty database"
                )


def _copy(source: Engine, target: Engine) -> dict[str, int]:
    counts: dict[str, int] = {}
    with source.connect() as reading, target.begin() as writing:
        # Parents before children, so that foreign keys hold at every insert.
        for table in metadata.sorted_tables:
            counts[table.name] = 0
            result = reading.execution_options(stream_results=True).execute(select(table))
            while batch := result.fetchmany(BATCH):
                writing.execute(table.insert(), [row._asdict() for row in batch])
                counts[table.name] += len(batch)
        if target.dialect.name == "postgresql":
            _move_sequences(writing)
    return counts


def _move_sequences(conn: Connection) -> None:
    """Rows were inserted with their ids: make the next generated id follow the largest."""
    for table in metadata.sorted_tables:
        id_column = table.c.get("id")
        # Only ids we generate: chats.id is Telegram's, workers.id a worker's name.
        if id_column is None or table.name == "chats" or not isinstance(id_column.type, Integer):
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608 - names from our own schema
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
