"""Shared test fixtures: where the reference material lives, and the SEC ticker table."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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
