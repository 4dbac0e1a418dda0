"""`python -m bot scan`: the CLI contract of DESIGN.md, run as users run it (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_html import telegram_html_errors

ROOT = Path(__file__).resolve().parents[1]
Scan = Callable[..., subprocess.CompletedProcess[str]]
FIELDS = {"title", "url", "published", "source", "tickers", "about", "events", "keywords", "text"}


@pytest.fixture
def scan(sec_table_path: Path, tmp_path: Path) -> Scan:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "TICKERS_FILE": str(sec_table_path),
            "DATA_DIR": str(tmp_path / "data"),
            "DISCLAIMER": "Test disclaimer.",
        }
        return subprocess.run(
            [sys.executable, "-m", "bot", "scan", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )

    return run


def lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_the_example_article_as_json(scan: Scan, seed_article_path: Path) -> None:
    result = scan(str(seed_article_path), "--json")
    assert result.returncode == 0, result.stderr
    (record,) = lines(result.stdout)
    assert set(record) == FIELDS
    assert record["url"] == "https://news.example.com/markets/amazon-trainium-1-million-chips"
    assert record["published"] == "2025-12-03T09:12:00+00:00"
    assert record["source"] == "Deep News - Markets"
    assert {"AMZN", "NVDA"} <= set(record["tickers"])
    assert record["keywords"] == []
    text = str(record["text"])
    assert telegram_html_errors(text) == []
    assert "$AMZN (Amazon)" in text
    assert "$NVDA (Nvidia)" in text
    assert text.endswith("<i>Test disclaimer.</i>")


def test_the_example_article_is_about_amazon_and_mentions_nvidia(
    scan: Scan, seed_article_path: Path
) -> None:
    result = scan(str(seed_article_path), "--json")
    assert result.returncode == 0, result.stderr
    (record,) = lines(result.stdout)
    assert record["tickers"][0] == "AMZN"  # most-about first
    assert record["about"] == ["AMZN"]
    assert "NVDA" in record["tickers"]  # "traditionally dominated by Nvidia": a mention
    assert not {"legal", "solicitation", "analyst"} & set(record["events"])


@pytest.mark.parametrize(
    ("title", "first", "about", "event"),
    [
        ("Goldman names Chipotle its favorite restaurant stock", "CMG", ["CMG"], "analyst"),
        ("UPS downgraded by Stifel: Investments could limit", "UPS", ["UPS"], "analyst"),
        ("Charles Schwab to buy USAA assets in $1.8 billion deal", "SCHW", ["SCHW"], "merger"),
    ],
    ids=["broker-is-not-the-subject", "rated-then-broker", "merger"],
)
def test_a_real_feed_says_whom_each_story_is_about(
    scan: Scan, real_dir: Path, title: str, first: str, about: list[str], event: str
) -> None:
    result = scan(str(real_dir / "cnbc_finance_rss_2019.xml"), "--json")
    assert result.returncode == 0, result.stderr
    (record,) = [r for r in lines(result.stdout) if str(r["title"]).startswith(title)]
    assert record["tickers"][0] == first
    assert record["about"] == about
    assert event in record["events"]


def test_a_filtered_scan_carries_the_same_fields(scan: Scan, seed_article_path: Path) -> None:
    result = scan(str(seed_article_path), "--ticker", "NVDA", "--json")
    assert result.returncode == 0, result.stderr
    (record,) = lines(result.stdout)
    assert set(record) == FIELDS
    assert record["about"] == ["AMZN"]


def test_tickers_and_keywords_filter_and_say_why(scan: Scan, seed_article_path: Path) -> None:
    result = scan(str(seed_article_path), "--ticker", "AMZN", "--keyword", "Trainium", "--json")
    assert result.returncode == 0, result.stderr
    (record,) = lines(result.stdout)
    assert [str(k).lower() for k in record["keywords"]] == ["trainium"]
    nothing = scan(str(seed_article_path), "--ticker", "TSLA", "--json")
    assert nothing.returncode == 0
    assert nothing.stdout.strip() == ""


def test_every_article_of_a_real_feed_is_printed(scan: Scan, real_dir: Path) -> None:
    feed = real_dir / "cnbc_finance_rss_2019.xml"
    result = scan(str(feed), "--json")
    assert result.returncode == 0, result.stderr
    records = lines(result.stdout)
    assert len(records) == 30
    assert all(telegram_html_errors(str(r["text"])) == [] for r in records)


def test_a_url_is_fetched(scan: Scan, seed_article_path: Path) -> None:
    with FeedServer() as server:
        url = server.set("/markets.rss", seed_article_path.read_bytes())
        result = scan(url, "--json")
    assert result.returncode == 0, result.stderr
    assert len(lines(result.stdout)) == 1


def test_a_bad_source_is_reported_and_the_others_still_scanned(
    scan: Scan, seed_article_path: Path, real_dir: Path
) -> None:
    not_a_feed = real_dir / "bing_news_rss_redirect_notafeed.xml"
    result = scan(str(not_a_feed), "missing.xml", str(seed_article_path), "--json")
    assert result.returncode == 1
    assert len(lines(result.stdout)) == 1
    assert "not a feed" in result.stderr
    assert "missing.xml" in result.stderr


@pytest.mark.parametrize(
    "args",
    [("--ticker", "ZZZZQQ"), ("--keyword", '"AI chips'), ()],
    ids=["unknown-ticker", "bad-query", "no-source"],
)
def test_usage_errors_exit_2(scan: Scan, seed_article_path: Path, args: tuple[str, ...]) -> None:
    sources = (str(seed_article_path),) if args else ()
    result = scan(*sources, *args)
    assert result.returncode == 2
    assert result.stderr.strip()
