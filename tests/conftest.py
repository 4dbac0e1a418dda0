"""Shared test fixtures: where the reference material lives, and the SEC ticker table."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from bot.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PTB_TIMEDELTA", "1")  # the bot opts in to timedelta retry_after
# The reference material sits beside the checkout (../shared); SHARED_DIR overrides it.
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"reference material not found at {SHARED}; set SHARED_DIR")
    return SHARED


@pytest.fixture(scope="session")
def sec_table_path(shared_dir: Path) -> Path:
    return shared_dir / "data" / "sec_company_tickers_exchange.json"


@pytest.fixture(scope="session")
def seed_article_path(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "seed-article.rss.xml"


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
