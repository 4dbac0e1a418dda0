"""Fixtures for the match stage: the ticker universe from the SEC table in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching.tickers import TickerUniverse
from bot.models import Article


@pytest.fixture(scope="session")
def universe(sec_table_path: Path, tmp_path_factory: pytest.TempPathFactory) -> TickerUniverse:
    return TickerUniverse.load(sec_table_path, tmp_path_factory.mktemp("data"))


def article(title: str, text: str = "", **extra: object) -> Article:
    """An article as the parse stage makes it (plain text, title separate)."""
    return Article(
        key="https://example.com/a",
        entry_id="a",
        title=title,
        url="https://example.com/a",
        text=text,
        published=None,
        source="test",
        **extra,  # type: ignore[arg-type]
    )
