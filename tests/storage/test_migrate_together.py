"""Several processes migrating one database at once, as a web role and workers starting together
do: exactly one migrates, the others wait for it and go on, on a fresh database, an old one and
one already at head. Real processes on a SQLite file, or, with TEST_DATABASE_URL, on a throwaway
PostgreSQL database made beside the test one (and dropped after)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect, make_url, text

from bot.startup import StartupError
from bot.storage.db import (
    MIGRATION_LOCK,
    MigrationError,
    alembic_config,
    migrate,
    normalise_url,
    open_engine,
)
from bot.storage.schema import metadata

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4
# Each child loads everything first, says so and waits for the word, so that the migrations,
# not the imports, start together.
CHILD = """
import logging, sys
from bot.storage.db import migrate, open_engine
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
engine = open_engine(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
migrate(engine)
engine.dispose()
"""
# Alembic's log line for each migration it runs.
RAN = "Running upgrade"


@pytest.fixture
def fresh_url(database_url: str) -> Iterator[str]:
    """A database nobody has touched: the test's SQLite file, or a new PostgreSQL database on
    the server TEST_DATABASE_URL names, dropped after the test."""
    if not database_url.startswith("postgresql"):
        yield database_url
        return
    name = f"migrate_together_{uuid.uuid4().hex[:12]}"
    server = create_engine(normalise_url(database_url), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def start_migrating(url: str, count: int) -> list[subprocess.Popen[str]]:
    """`count` processes, each ready to migrate `url` on a line on its stdin."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for _ in range(count)
    ]


def go(processes: list[subprocess.Popen[str]]) -> None:
    """Once every process is ready, tell them all to migrate."""
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()


def finish(processes: list[subprocess.Popen[str]]) -> list[str]:
    """Each process's log once they all ended (killed when late), asserting they ended well."""
    logs = []
    try:
        for process in processes:
            logs.append(process.communicate(timeout=90)[1])
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    for process, log in zip(processes, logs, strict=True):
        assert process.returncode == 0, log
        assert "Traceback" not in log, log
    return logs


def migrate_together(url: str, count: int = PROCESSES) -> list[str]:
    """Start `count` processes migrating `url` at the same moment; their logs."""
    processes = start_migrating(url, count)
    go(processes)
    return finish(processes)


def assert_at_head(url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [(head,)]
            assert set(metadata.tables) <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_on_a_fresh_database_one_process_migrates_and_the_others_go_on(fresh_url: str) -> None:
    logs = migrate_together(fresh_url)
    assert [RAN in log for log in logs].count(True) == 1
    assert_at_head(fresh_url)


def test_on_an_old_database_one_process_runs_the_new_migrations(fresh_url: str) -> None:
    engine = open_engine(fresh_url)
    migrate(engine, "0008")
    engine.dispose()
    logs = migrate_together(fresh_url)
    (migrator,) = [log for log in logs if RAN in log]
    assert "-> 0009" in migrator
    assert "-> 0001" not in migrator
    assert_at_head(fresh_url)


def test_on_a_database_at_head_nobody_migrates(fresh_url: str) -> None:
    engine = open_engine(fresh_url)
    migrate(engine)
    engine.dispose()
    assert not any(RAN in log for log in migrate_together(fresh_url))
    assert_at_head(fresh_url)


@contextmanager
def lock_held(url: str) -> Iterator[None]:
    """The migration lock held from outside, as a process in the middle of migrating holds it."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")  # as the bot leaves every file it opened
            conn.execute("BEGIN IMMEDIATE")
            yield
        finally:
            conn.close()  # rolls back
        return
    engine = open_engine(url)
    try:
        with engine.connect() as held:
            held.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            yield
            held.rollback()
    finally:
        engine.dispose()


def test_a_process_waits_for_the_lock_and_then_migrates(fresh_url: str) -> None:
    (waiting,) = start_migrating(fresh_url, 1)
    try:
        with lock_held(fresh_url):
            go([waiting])
            time.sleep(1.5)
            assert waiting.poll() is None  # still waiting for the lock
    finally:
        (log,) = finish([waiting])
    assert RAN in log
    assert_at_head(fresh_url)


def test_a_lock_held_past_the_wait_is_one_line_for_the_operator(fresh_url: str) -> None:
    engine = open_engine(fresh_url)
    try:
        with lock_held(fresh_url), pytest.raises(MigrationError) as raised:
            migrate(engine, wait=0.5)
        assert isinstance(raised.value, StartupError)  # `run` prints it as "cannot start: ..."
        message = str(raised.value)
        assert "\n" not in message
        assert message.startswith("another process held the database for over 0.5 s")
        migrate(engine)  # the lock given back, the same engine migrates
    finally:
        engine.dispose()
    assert_at_head(fresh_url)


def test_a_migration_failing_midway_leaves_the_schema_as_it_was(fresh_url: str) -> None:
    """The lock's transaction holds the migrations too: on SQLite as on PostgreSQL, a failure
    (here: the database refusing the version's update after 0010 altered its table) undoes
    them all, so the next start finds a schema that matches its version."""
    engine = open_engine(fresh_url)
    try:
        migrate(engine, "0009")

        def refuse(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            if statement.startswith("UPDATE alembic_version"):
                raise RuntimeError("the database went away")

        event.listen(engine, "before_cursor_execute", refuse)
        with pytest.raises(RuntimeError):
            migrate(engine)
        event.remove(engine, "before_cursor_execute", refuse)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [
                ("0009",)
            ]
            columns = {c["name"] for c in inspect(conn).get_columns("subscriptions")}
            assert "snoozed_until" not in columns
            assert not [t for t in inspect(conn).get_table_names() if t.startswith("_alembic")]
        migrate(engine)
    finally:
        engine.dispose()
    assert_at_head(fresh_url)
