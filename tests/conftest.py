"""Shared test fixtures: the real documents in tests/fixtures, the SEC ticker table the bot ships,
the reference folder beside the checkout when it is there, and a fresh database per test."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from bot.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PTB_TIMEDELTA", "1")  # the bot opts in to timedelta retry_after
FIXTURES = ROOT / "tests" / "fixtures"
# Real publishers' feeds and the example article, kept in the repository (see fixtures/README.md).
REAL_FEEDS = FIXTURES / "real"
SEED_ARTICLE = FIXTURES / "seed-article.rss.xml"
# More reference material may sit beside the checkout (../shared; SHARED_DIR overrides): the full
# SEC table and feedparser's corpus. A clone alone must pass, so tests that need it skip without.
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The reference folder beside the checkout; the test is skipped when it is not there."""
    if not SHARED.is_dir():
        pytest.skip(f"needs the reference folder, not found at {SHARED} (set SHARED_DIR)")
    return SHARED


@pytest.fixture(scope="session")
def sec_table_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SEC ticker table the bot ships (its packaged snapshot) as a file in the SEC's own
    shape, as TICKERS_FILE or a download gives it: the snapshot's own notes (date, source) left
    out, so that it reads as the SEC's file."""
    from bot.matching.tickers import packaged_table

    snapshot = packaged_table()
    path = tmp_path_factory.mktemp("sec") / "company_tickers_exchange.json"
    path.write_text(json.dumps({"fields": snapshot["fields"], "data": snapshot["data"]}))
    return path


@pytest.fixture(scope="session")
def full_sec_table_path(shared_dir: Path) -> Path:
    """The full SEC table from the reference folder (skipped without it)."""
    path = shared_dir / "data" / "sec_company_tickers_exchange.json"
    if not path.is_file():
        pytest.skip(f"needs the full SEC table, not found at {path}")
    return path


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """tests/fixtures: the real documents the tests read (see its README.md)."""
    return FIXTURES


@pytest.fixture(scope="session")
def seed_article_path() -> Path:
    return SEED_ARTICLE


@pytest.fixture(scope="session")
def real_dir() -> Path:
    """The real publishers' feeds (one check per document in tests/feeds/test_parse.py)."""
    return REAL_FEEDS


def _reset_postgres(url: str) -> None:
    """Give a test an empty PostgreSQL database (the schema is the migrations' job)."""
    from sqlalchemy import text

    from bot.storage.db import open_engine

    engine = open_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh, empty database for one test: PostgreSQL when TEST_DATABASE_URL names one (CI
    runs the suite both ways), else a SQLite file of the test's own."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path / 'bot.sqlite3'}"


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated database behind the bot's Store."""
    from bot.storage.db import migrate, open_engine
    from bot.storage.store import Store

    engine = open_engine(database_url)
    migrate(engine)
    yield Store(engine)
    engine.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With DATABASE_TESTS_ONLY=1 (CI's second pass, on PostgreSQL) run only the tests that use a
    database: the others ran on the first pass and would only run again unchanged."""
    if os.environ.get("DATABASE_TESTS_ONLY") != "1":
        return
    keep = [item for item in items if "database_url" in getattr(item, "fixturenames", ())]
    if not keep:
        return  # pytest then reports "no tests", which test.sh counts as a failure
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep
