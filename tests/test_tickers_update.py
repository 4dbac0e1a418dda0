"""`tickers update`: the SEC table downloaded into DATA_DIR (from a local server like the SEC),
and the command line around it; the match stage itself never goes to the network."""

from __future__ import annotations

import gzip
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.matching.table import TABLE_NAME, TickerTableError
from bot.tickers_update import download_sec_table


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


ROOT = Path(__file__).resolve().parents[1]


def _python(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The bot's Python in a clean environment (no SEC_USER_AGENT, no .env) in tmp_path."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    env["DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def test_the_command_without_a_user_agent_says_what_to_set(tmp_path: Path) -> None:
    result = _python(tmp_path, "-m", "bot", "tickers", "update")
    assert result.returncode == 1
    assert "SEC_USER_AGENT is not set" in result.stderr
    assert not (tmp_path / "data" / TABLE_NAME).exists()


def test_the_match_stage_never_loads_the_http_client(tmp_path: Path) -> None:
    # Downloading is the command line's job; matching only reads tables.
    stage = "bot.matching." + ", bot.matching.".join(
        ["detect", "index", "keywords", "names", "table", "text", "tickers", "word_lists"]
    )
    probe = f"import sys, {stage}; print(sorted(m for m in sys.modules if 'httpx' in m))"
    result = _python(tmp_path, "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
