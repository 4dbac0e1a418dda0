"""The ticker universe: symbols in every spelling, issuers not symbols, names, loading tables."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from bot.matching.tickers import (
    TABLE_NAME,
    TickerTableError,
    TickerUniverse,
    normalize_symbol,
    packaged_table,
)

ALIASES = Path(__file__).parents[2] / "bot" / "matching" / "data" / "aliases.toml"


def test_issuers_not_symbols(universe: TickerUniverse) -> None:
    assert universe.company("GOOG") == universe.company("GOOGL")
    assert universe.company("GOOG").cik == 1652044  # type: ignore[union-attr]
    brk = {universe.company(s) for s in ("BRK-B", "BRK.B", "BRK/B", "brk.b", "$BRK.B")}
    assert len(brk) == 1
    assert None not in brk


@pytest.mark.parametrize(
    ("name", "symbol"),
    [
        ("amazon", "AMZN"),
        ("Alphabet", "GOOGL"),
        ("google", "GOOGL"),
        ("Facebook", "META"),
        ("Instagram", "META"),
        ("AWS", "AMZN"),
        ("JP Morgan", "JPM"),
        ("nvidia corp", "NVDA"),
    ],
    ids=["amazon", "alphabet", "google", "facebook", "instagram", "aws", "jp-morgan", "filed"],
)
def test_resolve(universe: TickerUniverse, name: str, symbol: str) -> None:
    assert universe.resolve(name) == universe.company(symbol)


def test_resolve_unknown(universe: TickerUniverse) -> None:
    assert universe.resolve("no such company anywhere") is None


def test_suggest_ranks_the_likely_company_first(universe: TickerUniverse) -> None:
    assert universe.suggest("APPL")[0].tickers[0] == "AAPL"
    assert universe.suggest("Nvida")[0].tickers[0] == "NVDA"


def test_alias_list_names_real_tickers(full_sec_table_path: Path) -> None:
    """Every alias key is a symbol in the SEC table, and the list covers a few hundred companies."""
    table = json.loads(full_sec_table_path.read_text())
    symbols = {normalize_symbol(r[2]) for r in table["data"]}
    snapshot = {normalize_symbol(r[2]) for r in packaged_table()["data"]}
    data = tomllib.loads(ALIASES.read_text())
    missing = [k for k in data["aliases"] if normalize_symbol(k) not in symbols | snapshot]
    assert missing == []
    assert len(data["aliases"]) >= 300


# Alias keys the shipped snapshot (October 2026) no longer lists, though the SEC's August 2025
# table did: symbols changed or companies gone since (MMC is now MRSH, FI is FISV, ...).
NOT_IN_SNAPSHOT = frozenset({"PARA", "MMC", "CTRA", "PSTG", "FI", "SPR", "EXAS", "TEF"})


def test_alias_list_names_tickers_of_the_snapshot() -> None:
    """Without the full table: every alias key but the known ones is a symbol in the snapshot."""
    snapshot = {normalize_symbol(r[2]) for r in packaged_table()["data"]}
    data = tomllib.loads(ALIASES.read_text())
    missing = {k for k in data["aliases"] if normalize_symbol(k) not in snapshot}
    assert missing <= NOT_IN_SNAPSHOT
    assert len(data["aliases"]) >= 300


def test_packaged_snapshot_works_out_of_the_box(tmp_path: Path) -> None:
    universe = TickerUniverse.load(None, tmp_path)
    assert len(universe) > 7000
    assert universe.date == "2026-10"
    assert universe.company("AMZN").name == "Amazon"  # type: ignore[union-attr]


def test_load_prefers_downloaded_copy(sec_table_path: Path, tmp_path: Path) -> None:
    (tmp_path / TABLE_NAME).write_bytes(sec_table_path.read_bytes())
    universe = TickerUniverse.load(None, tmp_path)
    assert universe.date is None  # the SEC's own file, not the snapshot
    assert universe.company("NVDA") is not None


def test_bad_table_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text("<html>Request Rate Threshold Exceeded</html>")
    with pytest.raises(TickerTableError, match="cannot read"):
        TickerUniverse.load(bad, tmp_path)
