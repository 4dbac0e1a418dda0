"""Real Chinese financial feeds (Futu's news, Investing.com's Chinese edition; see
tests/fixtures/README.md) through parse, match and render: the companies found by their Chinese
names, a Chinese keyword matched, every alert rendered, summaries ending on Chinese sentence
ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.feeds.parse import parse_feed
from bot.matching.detect import detect_tickers
from bot.matching.index import MatchIndex
from bot.matching.keywords import parse_query
from bot.matching.tickers import TickerUniverse
from bot.models import Alert, Article, Kind, Subscription
from bot.render.html import to_plain
from bot.render.message import render_alert
from bot.render.summary import GAP, summarise

FEEDS = {
    "investing": "investing_cn_stock_market_news_2022.xml",
    "futu": "futunn_news_atom_2022.xml",
}

# (feed, the start of the title, the symbols detected)
DETECTED = [
    ("investing", "鸽派讲话助推股市反弹", []),
    ("investing", "高盛：维持阿里健康", ["GS"]),  # 阿里健康 is not Alibaba itself
    ("investing", "卖掉YY近两年", ["DOYU", "HUYA"]),
    ("investing", "冰释前嫌？马斯克：与苹果", ["AAPL"]),  # 苹果总部, 苹果CEO
    ("investing", "又一大佬抨击", ["AAPL", "META"]),
    ("investing", "交银国际：维持小鹏汽车", ["XPEV"]),
    ("investing", "Counterpoint Research", ["AAPL"]),
    ("investing", "招商证券(香港)", ["BABA"]),  # 阿里巴巴 in the text
    ("futu", "华尔街对特斯拉全面转多", ["BRK-B", "MS", "TSLA"]),
    (
        "futu",
        "盘中速览",
        ["BABA", "BEKE", "BIDU", "FUTU", "GS", "LI", "MSCI", "NIO", "TCOM", "XPEV"],
    ),
]


@pytest.fixture(scope="module")
def universe(sec_table_path: Path, tmp_path_factory: pytest.TempPathFactory) -> TickerUniverse:
    return TickerUniverse.load(sec_table_path, tmp_path_factory.mktemp("data"))


def _articles(fixtures_dir: Path, feed: str) -> list[Article]:
    path = fixtures_dir / "real" / FEEDS[feed]
    return list(parse_feed(path.read_bytes(), source=feed, url="https://example.com/feed").articles)


def _article(fixtures_dir: Path, feed: str, title: str) -> Article:
    return next(a for a in _articles(fixtures_dir, feed) if a.title.startswith(title))


@pytest.mark.parametrize(
    ("feed", "title", "symbols"), DETECTED, ids=[f"{d[0]}: {d[1]}" for d in DETECTED]
)
def test_companies_named_in_chinese(
    fixtures_dir: Path, universe: TickerUniverse, feed: str, title: str, symbols: list[str]
) -> None:
    article = _article(fixtures_dir, feed, title)
    assert sorted(m.symbol for m in detect_tickers(article, universe).values()) == symbols


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_every_story_renders(fixtures_dir: Path, universe: TickerUniverse, feed: str) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 7, Kind.KEYWORD, parse_query("电动汽车 OR 评级").text))
    index.add(Subscription(2, 7, Kind.TICKER, "XPEV"))
    articles = _articles(fixtures_dir, feed)
    assert articles
    for article in articles:
        mentions = detect_tickers(article, universe)
        alerts = index.match(article, mentions) or [Alert(7, article)]
        for alert in alerts:
            rendered = render_alert(alert, disclaimer="风险提示。", summary_length=300)
            assert article.title in to_plain(rendered.text)


@pytest.mark.parametrize(
    ("feed", "title", "query"),
    [
        ("futu", "华尔街对特斯拉全面转多", "电动汽车"),
        ("investing", "交银国际：维持小鹏汽车", "评级"),
        ("investing", "Counterpoint Research", "手机 -电动汽车"),
    ],
    ids=["电动汽车", "评级", "手机 -电动汽车"],
)
def test_chinese_keywords_match_real_stories(
    fixtures_dir: Path, universe: TickerUniverse, feed: str, title: str, query: str
) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 7, Kind.KEYWORD, parse_query(query).text))
    article = _article(fixtures_dir, feed, title)
    (alert,) = index.match(article, detect_tickers(article, universe))
    assert alert.hits[0].sentence  # the why line has the sentence the keyword stands in


@pytest.mark.parametrize("limit", [120, 200, 400], ids=str)
def test_summaries_end_on_chinese_sentence_ends(fixtures_dir: Path, limit: int) -> None:
    article = _article(fixtures_dir, "futu", "华尔街对特斯拉全面转多")
    plain = to_plain(summarise(article, ["特斯拉"], limit))
    assert 0 < len(plain) <= limit
    assert plain[-1] in "。！？」…", plain
    # Chinese sentences follow one another without a space (" … " marks sentences left out).
    assert "。 " not in plain.replace(GAP, "")


@pytest.mark.parametrize(
    ("declared", "content_type"),
    [
        ("gb2312", None),
        ("GBK", None),
        ("UTF-8", "application/atom+xml; charset=gb2312"),  # the header wins over the document
    ],
    ids=["gb2312 declared", "GBK declared", "gb2312 in the header"],
)
def test_chinese_legacy_encodings(
    fixtures_dir: Path, declared: str, content_type: str | None
) -> None:
    """Many Chinese sites still serve GB2312/GBK: the same real feed, re-encoded in memory as
    GB18030 (their superset), reads as it does in UTF-8."""
    path = fixtures_dir / "real" / FEEDS["investing"]
    text = path.read_text("utf-8").replace("encoding='UTF-8'", f"encoding='{declared}'")
    feed = parse_feed(
        text.encode("gb18030"), source="x", url="https://e.com/f", content_type=content_type
    )
    expected = parse_feed(path.read_bytes(), source="x", url="https://e.com/f")
    assert feed.title == "股市新闻-英为财情"
    assert [a.title for a in feed.articles] == [a.title for a in expected.articles]
    assert [a.text for a in feed.articles] == [a.text for a in expected.articles]
