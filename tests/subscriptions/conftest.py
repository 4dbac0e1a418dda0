"""The SEC ticker table, loaded once for the subscriptions tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching.tickers import TickerUniverse


@pytest.fixture(scope="session")
def universe(sec_table_path: Path, tmp_path_factory: pytest.TempPathFactory) -> TickerUniverse:
    return TickerUniverse.load(sec_table_path, tmp_path_factory.mktemp("data"))
