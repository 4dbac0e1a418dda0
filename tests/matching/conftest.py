"""Fixtures for the match stage: the ticker universe from the SEC table the bot ships (and from
the full SEC table beside the checkout, when it is there), and articles as parse makes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching.tickers import TickerUniverse
from bot.models import Article


@pytest.fixture(scope="session", params=["snapshot", "full-sec-table"])
def universe(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> TickerUniverse:
    """The universe from the table the bot ships; again from the full SEC table in the reference
    folder when it is there (skipped without it)."""
    table = "sec_table_path" if request.param == "snapshot" else "full_sec_table_path"
    path: Path = request.getfixturevalue(table)
    return TickerUniverse.load(path, tmp_path_factory.mktemp("data"))


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
