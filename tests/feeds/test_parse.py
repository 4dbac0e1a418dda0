"""The parse stage on real feed documents, and on documents it reads only in part or not at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.feeds.parse import FeedError, NotAFeed, ParsedFeed, parse_feed
from tests.feeds.documents import NOW, assert_clean, parse, rss

# ---------------------------------------------------------------------------------------------
# Real documents: each one parses, with what is tricky in it checked.


def check_cnbc(feed: ParsedFeed) -> None:
    assert feed.title == "Finance"
    assert feed.ttl == 3600
    assert len(feed.articles) == 30
    first = feed.articles[0]
    assert first.title.startswith("Morgan Stanley: The S&P 500 will fail")
    # Entities inside CDATA: "S&amp;P" and "index&#039;s" are decoded once.
    assert "the S&P 500 closing" in first.text
    assert "the index's internals" in first.text
    assert first.entry_id == "guid_106045627"
    assert first.published == datetime(2019, 7, 29, 13, 55, tzinfo=UTC)


def check_ctv(feed: ParsedFeed) -> None:
    # Starts with a UTF-8 byte-order mark.
    assert feed.title == "CTVNews.ca - Top Stories - Public RSS"
    assert len(feed.articles) == 10
    first = feed.articles[0]
    assert first.title == "Florida shooting suspect struggled with mental health: family"
    assert first.entry_id == "1.3231183"
    assert first.published == datetime(2017, 1, 7, 0, 18, tzinfo=UTC)


def check_dailymail(feed: ParsedFeed) -> None:
    assert feed.title == "World News Articles | Mail Online"
    assert feed.articles == ()
    assert feed.warnings == ()


def check_google(feed: ParsedFeed) -> None:
    assert len(feed.articles) == 7
    first = feed.articles[0]
    assert first.title == (
        "Hock Tan Reaffirmed Broadcom's $100 Billion AI Forecast. "
        "Six Customers Carry Nearly All of It."
    )
    for article in feed.articles:
        assert not article.title.endswith((" - The Motley Fool", " - CNBC"))
        assert article.url.startswith("https://news.google.com/rss/articles/")
        # The description is the headline linked plus the publisher: no text of its own.
        assert article.text == ""
    assert feed.articles[1].title.startswith("Broadcom CEO Hock Tan sees AI chip revenue")
    # The publisher <source> names, not "Google News" (nor the feed's name).
    assert [a.source for a in feed.articles[:2]] == ["The Motley Fool", "CNBC"]


def check_google_cluster(feed: ParsedFeed) -> None:
    (article,) = feed.articles
    assert article.source == "Fox News"
    # The story's own link, which the old-style article id carries.
    assert article.url == (
        "https://www.foxnews.com/entertainment/"
        "maher-rips-barrett-trumps-expected-supreme-court-pick-shes-a-f-ing-nut"
    )
    assert article.key == article.url
    # The related coverage, each headline with its publisher; not the headline itself.
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == (
        "Trump Plans to Name Barrett to Replace Ginsburg on Supreme Court (Bloomberg Politics)"
    )
    assert paragraphs[-1] == "The bombshell consequences of Amy Coney Barrett (The Washington Post)"
    assert "Full Coverage" not in article.text


def check_guardian(feed: ParsedFeed) -> None:
    assert [a.title for a in feed.articles][1] == (
        "‘He defended our honour’: Ukraine reacts to Zelenskyy’s clash with Trump"
    )
    # Paragraphs stay apart in the parsed text; furniture is the render stage's to remove.
    assert feed.articles[0].text.split("\n\n")[:2] == [
        "Ukrainian president has landed in the UK and will hold talks with PM Keir Starmer later",
        "‘He defended our honour’: Ukrainians react to Zelenskyy’s clash with Trump",
    ]


def check_nyt(feed: ParsedFeed) -> None:
    assert feed.title == "NYT > U.S. News"
    assert len(feed.articles) == 20
    first = feed.articles[0]
    assert first.entry_id == "https://www.nytimes.com/2021/09/18/us/election-workers-legal-aid.html"
    assert first.text.startswith("Threatened by extremists")
    # The photo caption (<media:description>) is not the article's text.
    assert all("A polling site in El Centro" not in a.text for a in feed.articles)


def check_edgar_company(feed: ParsedFeed) -> None:
    assert feed.title == "Ultragenyx Pharmaceutical Inc. (0001515673)"
    assert len(feed.articles) == 10
    for article in feed.articles:
        assert article.form == "8-K"
        assert article.ciks == (1515673,)
        assert article.title == "8-K - Ultragenyx Pharmaceutical Inc. - Current report"
        assert article.key.startswith("urn:tag:sec.gov,2008:accession-number=")
        assert article.url.startswith("https://www.sec.gov/Archives/edgar/data/1515673/")
    first, second = feed.articles[:2]
    assert first.items == ("8.01",)
    assert first.entry_id == "urn:tag:sec.gov,2008:accession-number=0001193125-26-062568"
    assert first.published == datetime(2026, 2, 23, 13, 45, 26, tzinfo=UTC)
    assert second.items == ("2.02", "2.05", "9.01")
    assert "Item 2.02: Results of Operations and Financial Condition" in second.text.split("\n")


def check_sec_press(feed: ParsedFeed) -> None:
    assert feed.title == "Press Releases"
    assert len(feed.articles) == 25
    first = feed.articles[0]
    assert first.title == "Acting Chairman Mark T. Uyeda Names Acting Senior Staff"
    # "&amp;nbsp;" in the source: escaped twice, it must come out as a plain space.
    assert "departures. “These talented individuals are…" in first.text
    assert "nbsp" not in first.text
    assert first.published == datetime(2025, 1, 24, 16, 0, tzinfo=UTC)


def check_uol(feed: ParsedFeed) -> None:
    # Latin-1 bytes, no XML declaration, Portuguese day and month names.
    assert feed.title == "UOL Noticias"
    assert len(feed.articles) == 15
    first = feed.articles[0]
    assert first.title == (
        "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno"
    )
    assert first.text.startswith("Líder na pesquisa Ibope")
    assert first.published == datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)
    assert all(a.published is not None for a in feed.articles)
    assert feed.warnings  # feedparser's note that the charset was not what it said


def check_yahoo(feed: ParsedFeed) -> None:
    assert feed.ttl == 300
    assert len(feed.articles) == 50
    # Two items share the GUID "?src=A00220&yptr=yahoo", the tail of their links.
    investors = [a for a in feed.articles if "investors.com" in a.url]
    assert {a.entry_id for a in investors} == {
        "https://www.investors.com/research/cheap-stocks-to-buy/?src=A00220",
        "https://www.investors.com/research/tilray-stock-buy-now/?src=A00220",
    }
    assert feed.articles[0].published == datetime(2022, 1, 7, 14, 53, 9, tzinfo=UTC)
    # Each item's <source> is its publisher.
    assert [a.source for a in feed.articles[:2]] == ["TipRanks", "Barrons.com"]


def check_futunn(feed: ParsedFeed) -> None:
    # UTF-8 Chinese, the article's HTML escaped in an Atom <content>, page markup included.
    assert feed.title == "富途牛牛要闻"
    assert len(feed.articles) == 2
    first = feed.articles[0]
    assert first.title.startswith("华尔街对特斯拉全面转多")
    assert first.text.startswith("特斯拉CEO埃隆·马斯克（Elon Musk）曾因怀疑该公司的前景")
    assert "clickMain" not in first.text
    assert "<p>" not in first.text
    assert first.published == datetime(2022, 12, 1, 3, 22, 31, tzinfo=UTC)  # +08:00 in the feed


def check_investing_cn(feed: ParsedFeed) -> None:
    # Investing.com's Chinese edition: plain text content that repeats the title.
    assert feed.title == "股市新闻-英为财情"
    assert len(feed.articles) == 8
    first = feed.articles[0]
    assert first.title == "鸽派讲话助推股市反弹，道指步入技术性牛市！"
    assert first.url == "https://cn.investing.com/news/stock-market-news/article-2157247"
    assert "道指由9月份低位上升超过20%" in first.text


REAL: list[tuple[str, Callable[[ParsedFeed], None]]] = [
    ("cnbc_finance_rss_2019.xml", check_cnbc),
    ("ctv_news_top_stories_bom_cdata.xml", check_ctv),
    ("dailymail_world_news_no_items.xml", check_dailymail),
    ("google_news_search_broadcom_avgo.xml", check_google),
    ("nyt_us_news_rss_2021.xml", check_nyt),
    ("sec_edgar_company_atom_ultragenyx_8k.xml", check_edgar_company),
    ("sec_press_releases_rss.xml", check_sec_press),
    ("uol_noticias_latin1_no_decl_pt.xml", check_uol),
    ("yahoo_finance_rssindex_2022.xml", check_yahoo),
    ("google_news_top_stories_2020_cluster.xml", check_google_cluster),
    ("guardian_uk_rss_2025_continue_reading.xml", check_guardian),
    ("futunn_news_atom_2022.xml", check_futunn),
    ("investing_cn_stock_market_news_2022.xml", check_investing_cn),
]
# The publishers items name in <source>: an article's source is its publisher.
PUBLISHERS = {
    "google_news_search_broadcom_avgo.xml": (
        "The Motley Fool",
        "CNBC",
        "TIKR.com",
        "Yahoo Finance",
        "富途牛牛",
        "sekbernews.id",
    ),
    "google_news_top_stories_2020_cluster.xml": ("Fox News",),
}


@pytest.mark.parametrize(("name", "check"), REAL, ids=[name for name, _ in REAL])
def test_real_feed(real_dir: Path, name: str, check: Callable[[ParsedFeed], None]) -> None:
    feed = parse((real_dir / name).read_bytes())
    check(feed)
    # Yahoo's fifty items name fourteen publishers: check_yahoo checks two of them.
    publishers = None if name.startswith("yahoo") else PUBLISHERS.get(name, ())
    assert_clean(feed.articles, publishers=publishers)


def test_every_real_feed_is_named_in_the_table(real_dir: Path) -> None:
    tested = {name for name, _ in REAL} | {"bing_news_rss_redirect_notafeed.xml"}
    assert {p.name for p in real_dir.glob("*.xml")} == tested


def test_seed_article(seed_article_path: Path) -> None:
    feed = parse(seed_article_path.read_bytes())
    assert feed.title == "Deep News - Markets"
    (article,) = feed.articles
    assert article.title == (
        "Amazon CEO Reveals Over 1 Million Trainium Chips in Production, "
        "Generating Billions in Annual Revenue"
    )
    assert article.url == "https://news.example.com/markets/amazon-trainium-1-million-chips"
    assert article.key == article.url
    assert article.entry_id == "deepnews-2026-12-03-amzn-trainium"
    assert article.published == datetime(2025, 12, 3, 9, 12, tzinfo=UTC)
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == "Deep News 3 hours ago"
    assert paragraphs[1].startswith("Amazon.com's CEO has disclosed for the first time")
    assert 'its "cost-performance advantage"' in paragraphs[1]
    assert paragraphs[-1] == "10. 10"
    assert_clean(feed.articles)


# ---------------------------------------------------------------------------------------------
# Documents feedparser fails on, damaged documents, and what is read from broken ones.


FEEDPARSER_CRASHERS = [
    (
        "charref-out-of-range",
        b'<rss version="2.0"><channel><item><title>a &#xFFFFFFF; b</title></item></channel></rss>',
        "broken feed: ValueError: chr() arg not in range(0x110000)",
    ),
    (
        "empty-height",
        b'<rss version="2.0"><channel><image></height></image></channel></rss>',
        "broken feed: TypeError: int() argument must be a string, a bytes-like object or a "
        "real number, not 'NoneType'",
    ),
    (
        "nul-in-charset",
        b'<?xml version="1.0" encoding="utf\x00-8"?><rss version="2.0"><channel></channel></rss>',
        "broken feed: ValueError: embedded null character",
    ),
]


@pytest.mark.parametrize(
    ("content", "reason"),
    [c[1:] for c in FEEDPARSER_CRASHERS],
    ids=[c[0] for c in FEEDPARSER_CRASHERS],
)
def test_feedparser_crash_is_a_feed_error(content: bytes, reason: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse(content)
    assert str(caught.value) == reason


JUNK = st.sampled_from([b"<", b"&", b"<![CDATA[", b"</item>", b"\x00", b"&#0;", b"\xff\xfe"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from([name for name, _ in REAL]),
    where=st.floats(0, 1),
    junk=st.one_of(JUNK, st.binary(max_size=16)),
    cut=st.booleans(),
)
def test_damaged_real_feeds_parse_or_are_refused(
    real_dir: Path, name: str, where: float, junk: bytes, cut: bool
) -> None:
    content = (real_dir / name).read_bytes()
    at = int(len(content) * where)
    damaged = content[:at] if cut else content[:at] + junk + content[at:]
    try:
        articles = parse(damaged).articles
    except FeedError as refused:
        articles, reason = (), str(refused)
    else:
        reason = "parsed"
    assert reason
    # Damage can leave text such as "&will;" that only looks like an entity.
    assert_clean(articles, entities=False, publishers=None)


def test_broken_xml_with_entries_is_read_with_a_warning() -> None:
    doc = rss("<item><title>One</title><link>https://example.com/1</link></item><item>")
    doc = doc.replace("</channel></rss>", "<title>Two & three</title></item></channel>")
    feed = parse(doc)
    assert [a.title for a in feed.articles][:1] == ["One"]
    assert feed.warnings
    assert feed.warnings[0].startswith("broken XML at line 1:")


def test_content_type_charset_is_used() -> None:
    doc = rss("<item><title>Caf\xe9</title><link>https://example.com/c</link></item>")
    content = doc.replace('encoding="utf-8"', "").encode("latin-1")
    feed = parse_feed(content, source="s", content_type="text/xml; charset=iso-8859-1", now=NOW)
    assert feed.articles[0].title == "Café"


def test_html_content_type_does_not_hide_a_feed() -> None:
    doc = rss("<item><title>One</title><link>https://example.com/1</link></item>")
    feed = parse_feed(doc.encode(), source="s", content_type="text/html; charset=utf-8", now=NOW)
    assert [a.title for a in feed.articles] == ["One"]


def test_bytes_that_name_a_file_are_not_opened(tmp_path: Path) -> None:
    # feedparser opens a byte string as a file name if one exists; parse must not.
    target = tmp_path / "feed.xml"
    target.write_text(rss("<item><title>Secret</title></item>"))
    with pytest.raises(NotAFeed):
        parse(str(target).encode())
