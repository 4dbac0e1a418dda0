"""Opening the database and bringing its schema up to date.

In: a SQLAlchemy URL (`sqlite:///...` or `postgresql://...`). Out: an `Engine` whose schema is
at the newest migration. Any number of processes may migrate at once (a web role and workers
starting together): each takes the database's migration lock first (PostgreSQL: a
transaction-level advisory lock; SQLite: the write lock, `BEGIN IMMEDIATE`), so exactly one
migrates and the others wait for it, then find the schema at head and go on. `migrate` fails
with `DatabaseUnreachable` when the database cannot be reached and with `MigrationError` when
the lock is not had within the wait (both one line for the operator, no password, and
`StartupError`s); later work fails with SQLAlchemy's `OperationalError` when the database goes
away; `open_engine` with DatabaseUnreachable when a SQLite file's folder cannot be made, and
with a `ValueError` for a URL of a kind the bot does not support.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import text as sql_text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.startup import StartupError

MIGRATIONS = Path(__file__).with_name("migrations")
# SQLite's wait for another connection's write lock in everyday work, in milliseconds.
BUSY_TIMEOUT_MS = 10_000
# Seconds between tries to switch a new SQLite file to WAL while another process switches it.
WAL_RETRY = 0.05
# How long a starting process waits for another's migration before it gives up (seconds):
# long enough for the slowest migration of a large database, short enough to notice one stuck.
MIGRATION_WAIT = 600.0
# The advisory lock the bot's processes migrate under ("bot_migr" in ASCII). PostgreSQL keeps
# advisory locks per database, so installations sharing a server do not wait for each other.
MIGRATION_LOCK = 0x626F745F6D696772


class MigrationError(StartupError):
    """The schema could not be brought up to date; str() is one line for the operator. A
    `StartupError`, so that a process failing at start-up says so in that one line."""


def normalise_url(url: str) -> str:
    """Pick the driver the bot ships with: psycopg 3 for PostgreSQL, the stdlib for SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.get_backend_name() == "sqlite":
        return url
    raise ValueError(f"unsupported DATABASE_URL {parsed.drivername!r}: use sqlite or postgresql")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # The timeout waits out short locks instead of failing; WAL lets the poller write while the
    # sender reads; foreign keys make ON DELETE CASCADE work as on PostgreSQL.
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """Put the file in WAL mode (it stays so). Processes opening a new file together both try
    to switch it, and SQLite answers one of them "locked" at once, without the busy timeout
    (each holds the read lock the other's switch needs): that one tries again, for as long as
    the timeout, and finds the file switched."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorname != "SQLITE_BUSY" or time.monotonic() > deadline:
                raise
            time.sleep(WAL_RETRY)


def open_engine(url: str) -> Engine:
    """Create the engine for `url`, making the SQLite file's folder when needed
    (DatabaseUnreachable when it cannot be made)."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnreachable(
                    f"cannot make the folder {folder} for the SQLite database: "
                    f"{exc.strerror or exc}; check DATABASE_URL"
                ) from None
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine, revision: str = "head", *, wait: float = MIGRATION_WAIT) -> None:
    """Upgrade the schema to `revision` (the newest by default); safe to run at every start and
    in any number of processes at once. The migration lock is taken before Alembic reads the
    version, so a process that waited finds the schema its predecessor left and has nothing to
    do. Raises MigrationError when the lock is not had within `wait` seconds."""
    config = alembic_config()
    with _connect(engine) as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # pysqlite begins a transaction only before INSERT/UPDATE/DELETE, so DDL would run
            # outside one and two processes would both create the tables. Here the driver is
            # told to keep out (reset when the connection goes back to the pool) and the
            # transaction is begun by hand, with the write lock (_take_migration_lock).
            connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            # One transaction for the lock and every migration: the lock lasts until they are
            # committed (or rolled back), and Alembic runs inside it rather than beginning its own.
            with connection.begin():
                _take_migration_lock(connection, wait)
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        finally:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


class DatabaseUnreachable(StartupError):
    """The database cannot be reached at start-up; str() is one line for the operator, naming
    the database without its password."""


def _connect(engine: Engine) -> Connection:
    """A connection for the migrations; DatabaseUnreachable when the database cannot be had
    (not running, a wrong host, port, name or password, an unwritable SQLite folder)."""
    try:
        return engine.connect()
    except OperationalError as exc:
        # The driver's own first line says why ("Connection refused", "password authentication
        # failed", "unable to open database file"); SQLAlchemy's adds a link and a traceback.
        reason = str(exc.orig or exc).strip().splitlines()[0]
        where = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnreachable(
            f"cannot reach the database {where}: {reason}; check DATABASE_URL and that the "
            "database is running"
        ) from None


def _take_migration_lock(connection: Connection, wait: float) -> None:
    """Wait up to `wait` seconds for the database's migration lock, held until the transaction
    ends: SQLite's write lock (readers go on meanwhile), or the advisory lock on PostgreSQL."""
    milliseconds = max(1, round(wait * 1000))
    try:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA busy_timeout={milliseconds}")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")
            connection.execute(
                sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
            # The migrations themselves wait for locks as they always did.
            connection.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")
    except OperationalError:
        raise MigrationError(
            f"another process held the database for over {wait:g} s while this one waited to "
            "bring its schema up to date: let that process finish (or stop it), then start again"
        ) from None
