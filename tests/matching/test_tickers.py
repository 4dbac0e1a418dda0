"""The ticker universe: symbols in every spelling, issuers not symbols, names, the SEC download."""

from __future__ import annotations

import gzip
import http.server
import json
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.matching.tickers import (
    TABLE_NAME,
    TickerTableError,
    TickerUniverse,
    clean_name,
    download_sec_table,
    normalize_symbol,
    packaged_table,
)


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [("brk.b", "BRK-B"), ("BRK/B", "BRK-B"), ("BRK-B", "BRK-B"), ("$amzn", "AMZN"), (" f ", "F")],
    ids=["dot", "slash", "dash", "cashtag", "spaces"],
)
def test_normalize_symbol(symbol: str, expected: str) -> None:
    assert normalize_symbol(symbol) == expected


@pytest.mark.parametrize(
    ("filed", "clean"),
    [
        ("AMAZON COM INC", "Amazon.com"),
        ("NVIDIA CORP", "Nvidia"),
        ("Tesla, Inc.", "Tesla"),
        ("BANK OF AMERICA CORP /DE/", "Bank of America"),
        ("ELI LILLY & Co", "Eli Lilly"),
        ("TOYOTA MOTOR CORP/", "Toyota Motor"),
        ("NOVO NORDISK A S", "Novo Nordisk"),
        ("VERTEX PHARMACEUTICALS INC / MA", "Vertex Pharmaceuticals"),
        ("Shell plc", "Shell"),
        ("ADVANCED MICRO DEVICES INC", "Advanced Micro Devices"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.isupper() else None,
)
def test_clean_name(filed: str, clean: str) -> None:
    assert clean_name(filed) == clean


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


def test_alias_list_names_real_tickers(sec_table_path: Path) -> None:
    """Every alias key is a symbol in the SEC table, and the list covers a few hundred companies."""
    table = json.loads(sec_table_path.read_text())
    symbols = {normalize_symbol(r[2]) for r in table["data"]}
    snapshot = {normalize_symbol(r[2]) for r in packaged_table()["data"]}
    data = tomllib.loads((Path(__file__).parents[2] / "bot/matching/data/aliases.toml").read_text())
    missing = [k for k in data["aliases"] if normalize_symbol(k) not in symbols | snapshot]
    assert missing == []
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


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        agent = self.headers.get("User-Agent", "")
        if "@" not in agent:
            self.send_response(403)
            self.end_headers()
            self.wfile.write(b"<html>Your Request Originates from an Undeclared Automated Tool")
            return
        payload = gzip.compress(self.body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def sec_server(sec_table_path: Path) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 that behaves like the SEC (403 without a contact)."""
    _Handler.body = sec_table_path.read_bytes()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/files/company_tickers_exchange.json"
    server.shutdown()
    server.server_close()


def test_download_writes_the_table(sec_server: str, sec_table_path: Path, tmp_path: Path) -> None:
    path = download_sec_table("Jane Doe jane@example.com", tmp_path / "data", url=sec_server)
    assert path == tmp_path / "data" / TABLE_NAME
    assert path.read_bytes() == sec_table_path.read_bytes()
    assert [p.name for p in path.parent.iterdir()] == [TABLE_NAME]  # no temp files left


@pytest.mark.parametrize(
    ("agent", "match"),
    [
        ("", "SEC_USER_AGENT is not set"),
        ("   ", "SEC_USER_AGENT is not set"),
        ("bot", "answered 403"),
    ],
    ids=["empty", "blank", "refused"],
)
def test_download_fails_clearly(sec_server: str, tmp_path: Path, agent: str, match: str) -> None:
    with pytest.raises(TickerTableError, match=match):
        download_sec_table(agent, tmp_path, url=sec_server)
    assert not (tmp_path / TABLE_NAME).exists()


def test_download_unreachable(tmp_path: Path) -> None:
    with pytest.raises(TickerTableError, match="cannot download"):
        download_sec_table("Jane jane@example.com", tmp_path, url="http://127.0.0.1:9/x.json")
