"""The parse stage on real feed documents, and its rules on small documents written here."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.feeds import edgar
from bot.feeds.parse import FeedError, NotAFeed, ParsedFeed, html_to_text, parse_feed
from bot.models import Article
from tests.conftest import FIXTURES

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]+|#[0-9]+|#x[0-9a-fA-F]+);")


def parse(content: bytes | str, **kwargs: str) -> ParsedFeed:
    if isinstance(content, str):
        content = content.encode("utf-8")
    return parse_feed(content, source="Test feed", now=NOW, **kwargs)  # type: ignore[arg-type]


def rss(items: str, channel: str = "", ns: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" {ns}><channel>'
        f"<title>Test</title><link>https://example.com/</link>{channel}{items}</channel></rss>"
    )


@pytest.fixture(scope="module")
def real_dir(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "real"


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
]


@pytest.mark.parametrize(("name", "check"), REAL, ids=[name for name, _ in REAL])
def test_real_feed(real_dir: Path, name: str, check: Callable[[ParsedFeed], None]) -> None:
    feed = parse((real_dir / name).read_bytes())
    check(feed)
    assert_clean(feed.articles)


def assert_clean(
    articles: tuple[Article, ...], source: str = "Test feed", *, entities: bool = True
) -> None:
    """What every article must be, whatever the feed: unique ids, plain text, UTC dates."""
    ids = [a.entry_id for a in articles]
    assert len(ids) == len(set(ids))
    for a in articles:
        assert a.entry_id
        assert a.key
        assert a.title
        assert a.source == source
        assert "\n" not in a.title
        assert a.title == a.title.strip()
        assert not TAG.search(a.text), a.text
        assert not (entities and ENTITY.search(a.text + a.title)), a.text
        assert "\n\n\n" not in a.text
        assert a.text == a.text.strip()
        assert a.published is None or a.published.tzinfo is UTC
        assert a.also == ()


def test_every_real_feed_is_named_in_the_table(real_dir: Path) -> None:
    tested = {name for name, _ in REAL} | {"bing_news_rss_redirect_notafeed.xml"}
    assert {p.name for p in real_dir.glob("*.xml")} == tested


def test_bing_redirect_page_is_not_a_feed(real_dir: Path) -> None:
    content = (real_dir / "bing_news_rss_redirect_notafeed.xml").read_bytes()
    with pytest.raises(NotAFeed) as caught:
        parse(content)
    assert str(caught.value) == "not a feed: an HTML page (<title>Object moved</title>)"


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
# Documents that are not feeds, or are broken.

NOT_FEEDS = [
    ("json", b'{"status": "error", "message": "rate limited"}', NotAFeed, "not a feed: JSON"),
    ("json-array", b"  [1, 2, 3]", NotAFeed, "not a feed: JSON"),
    (
        "json-feed",
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": []}',
        NotAFeed,
        "not a feed: a JSON Feed (not supported)",
    ),
    ("empty", b"", FeedError, "empty document"),
    ("whitespace", b" \r\n\t ", FeedError, "empty document"),
    ("bom-only", b"\xef\xbb\xbf", FeedError, "empty document"),
    ("comment-only", b"<?xml version='1.0'?><!-- nothing -->", FeedError, "empty document"),
    (
        "html5",
        b"<!doctype html>\n<html lang=en><head><title>Just a moment...</title></head></html>",
        NotAFeed,
        "not a feed: an HTML page (<title>Just a moment...</title>)",
    ),
    (
        "xhtml",
        b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Hi</p></body></html>',
        NotAFeed,
        "not a feed: an HTML page",
    ),
    (
        "html-no-root",
        b"<!DOCTYPE html><title>Login &amp; more</title><p>Sign in",
        NotAFeed,
        "not a feed: an HTML page (<title>Login & more</title>)",
    ),
    (
        "html-body-only",
        b"<body><h1>502 Bad Gateway</h1></body>",
        NotAFeed,
        "not a feed: an HTML page",
    ),
    (
        "plain-text",
        b"Service Unavailable",
        NotAFeed,
        "not a feed: text, not XML (starts with 'Service Unavailable')",
    ),
    (
        "sitemap",
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://example.com/</loc></url></urlset>",
        NotAFeed,
        "not a feed: an XML document with root element <urlset>",
    ),
    (
        "truncated",
        b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<title>Cut',
        FeedError,
        "broken XML at line 4: no element found",
    ),
    (
        "garbage-markup",
        b"<<<>>> \x00\x01",
        FeedError,
        "broken XML at line 1: not well-formed (invalid token)",
    ),
]


@pytest.mark.parametrize(
    ("content", "error", "reason"), [c[1:] for c in NOT_FEEDS], ids=[c[0] for c in NOT_FEEDS]
)
def test_not_a_feed(content: bytes, error: type[FeedError], reason: str) -> None:
    with pytest.raises(error) as caught:
        parse(content)
    assert str(caught.value) == reason


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
    assert_clean(articles, entities=False)


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


# ---------------------------------------------------------------------------------------------
# html_to_text

HTML_CASES = [
    ("paragraphs", "<p>One</p><p>Two</p>", "One\n\nTwo"),
    ("br-br", "One<br><br>Two<br/>still two", "One\n\nTwo\nstill two"),
    ("br-spaced", "One<br>\n <br />Two", "One\n\nTwo"),
    ("whitespace", "  a \n\t b&nbsp;&nbsp;c  ", "a b c"),
    ("entities", "AT&amp;T &#8217;s &quot;q&quot; &eacute;", 'AT&T ’s "q" é'),
    (
        "double-escaped",
        "&lt;p&gt;Hello &amp;amp; bye&lt;/p&gt;&lt;p&gt;Next&lt;/p&gt;",
        "Hello & bye\n\nNext",
    ),
    ("double-nbsp", "departures.\n\n&amp;nbsp;“These", "departures. “These"),
    ("script-style", "<p>a<script>var x = '<p>';</script>b</p><style>p{}</style>", "ab"),
    ("inline", "<p>The <b>big</b> <a href='x'>news</a>.</p>", "The big news."),
    ("list", "<ul><li>one</li><li>two</li></ul>", "one\n\ntwo"),
    ("table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\n\nc"),
    ("img-only", "<img src='x.jpg' align='left' />", ""),
    ("empty", "", ""),
    ("plain", "No markup at all.", "No markup at all."),
    ("less-than", "3 < 4 and 5 > 2", "3 < 4 and 5 > 2"),
    ("unclosed", "<p>Open <b>bold", "Open bold"),
    ("zero-width", "a\u200bb\ufeffc", "abc"),
    ("headings", "<h2>Title</h2>Body", "Title\n\nBody"),
    ("cdata-escaped", "&lt;![CDATA[ Líder na pesquisa ]]&gt;", "Líder na pesquisa"),
    # Found by the damaged-feeds property test: a "<" inserted into a CDATA opener.
    ("cdata-damaged", "&lt;!&lt;[CDATA[ Líder na pesquisa ]]&gt;", "Líder na pesquisa"),
    ("comment", "Before<!-- a comment -->after", "Beforeafter"),
]


@pytest.mark.parametrize(
    ("html", "text"), [c[1:] for c in HTML_CASES], ids=[c[0] for c in HTML_CASES]
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


# ---------------------------------------------------------------------------------------------
# Entry rules

TICKER_CASES = [
    ("nyse-category", "<category>NYSE:F</category>", ("F",)),
    ("nasdaq-category", "<category>NASDAQ:AMZN</category>", ("AMZN",)),
    (
        "globenewswire",
        '<category domain="https://www.globenewswire.com/rss/stock">Nasdaq:SMCI</category>'
        '<category domain="https://www.globenewswire.com/rss/ISIN">US86800U3023</category>',
        ("SMCI",),
    ),
    ("spaced-and-several", "<category>NYSE: BRK.B, Nasdaq:aapl</category>", ("BRK-B", "AAPL")),
    ("nyse-american", "<category>NYSE American:UAMY</category>", ("UAMY",)),
    ("otc", "<category>OTCQB:ABCD</category>", ("ABCD",)),
    (
        "non-us-exchange",
        "<category>TSX:RY</category><category>Nasdaq Copenhagen:NOVO</category>",
        (),
    ),
    ("plain-category", "<category>Technology</category><category>AI</category>", ()),
    (
        "bare-stock-domain",
        '<category domain="https://example.com/stock">MSFT</category>',
        ("MSFT",),
    ),
    (
        "bare-word-not-ticker",
        '<category domain="https://example.com/stock">Big Tech</category>',
        (),
    ),
    (
        "nasdaq-element",
        "<nasdaq:tickers>AAPL,MSFT, nvda</nasdaq:tickers>",
        ("AAPL", "MSFT", "NVDA"),
    ),
    ("duplicates", "<category>NYSE:F</category><nasdaq:tickers>F</nasdaq:tickers>", ("F",)),
]


@pytest.mark.parametrize(
    ("xml", "tickers"), [c[1:] for c in TICKER_CASES], ids=[c[0] for c in TICKER_CASES]
)
def test_feed_tickers(xml: str, tickers: tuple[str, ...]) -> None:
    doc = rss(
        f"<item><title>T</title><link>https://example.com/t</link>{xml}</item>",
        ns='xmlns:nasdaq="http://nasdaq.com/reference/feeds/1.0"',
    )
    assert parse(doc).articles[0].feed_tickers == tickers


DATE_CASES = [
    ("rfc822", "<pubDate>Wed, 03 Dec 2025 09:12:00 +0000</pubDate>", datetime(2025, 12, 3, 9, 12)),
    ("offset", "<pubDate>Fri, 24 Jan 2025 11:00:00 -0500</pubDate>", datetime(2025, 1, 24, 16, 0)),
    ("iso", "<pubDate>2022-01-07T14:53:09Z</pubDate>", datetime(2022, 1, 7, 14, 53, 9)),
    ("dc-date", "<dc:date>2024-05-01T10:00:00+02:00</dc:date>", datetime(2024, 5, 1, 8, 0)),
    (
        "portuguese",
        "<pubDate>Seg, 24 Set 2018 19:42:40 -0300</pubDate>",
        datetime(2018, 9, 24, 22, 42, 40),
    ),
    ("german", "<pubDate>Di, 03 Dez 2024 08:00:00 +0100</pubDate>", datetime(2024, 12, 3, 7, 0)),
    ("spanish-no-zone", "<pubDate>lun, 05 ene 2026 08:00:00</pubDate>", datetime(2026, 1, 5, 8, 0)),
    (
        "within-a-day-ahead",
        "<pubDate>Thu, 26 Nov 2026 20:00:00 +0000</pubDate>",
        datetime(2026, 11, 26, 20, 0),
    ),
    ("far-future", "<pubDate>Fri, 01 Jan 2038 00:00:00 +0000</pubDate>", None),
    ("garbage", "<pubDate>yesterday-ish</pubDate>", None),
    ("missing", "", None),
]


@pytest.mark.parametrize(
    ("xml", "expected"), [c[1:] for c in DATE_CASES], ids=[c[0] for c in DATE_CASES]
)
def test_published(xml: str, expected: datetime | None) -> None:
    doc = rss(
        f"<item><title>T</title><link>https://example.com/t</link>{xml}</item>",
        ns='xmlns:dc="http://purl.org/dc/elements/1.1/"',
    )
    published = parse(doc).articles[0].published
    assert published == (expected.replace(tzinfo=UTC) if expected else None)


def test_entry_ids_are_unique_within_a_document() -> None:
    doc = rss(
        "<item><guid>same</guid><title>A</title><link>https://example.com/a</link></item>"
        "<item><guid>same</guid><title>B</title><link>https://example.com/b</link></item>"
        # Repeated whole: one article.
        "<item><guid>same</guid><title>B</title><link>https://example.com/b</link></item>"
        "<item><title>No id, no link</title><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>"
        "<item><title>No id, no link</title><pubDate>Tue, 02 Jan 2024 00:00:00 GMT</pubDate></item>"
    )
    articles = parse(doc).articles
    assert [a.entry_id[:7] for a in articles] == [
        "same",
        "https:/",
        "sha256:",
        "sha256:",
    ]
    assert articles[1].entry_id == "https://example.com/b"
    assert articles[2].entry_id != articles[3].entry_id
    # With no link, the key falls back to the entry id.
    assert articles[2].key == articles[2].entry_id
    assert articles[2].url == ""
    assert_clean(articles)


def test_hash_id_is_stable_across_parses() -> None:
    doc = rss("<item><title>Only a title</title></item>")
    assert parse(doc).articles[0].entry_id == parse(doc).articles[0].entry_id


def test_relative_links_resolve_against_the_document_url() -> None:
    doc = rss("<item><title>T</title><link>/news/1?utm_source=rss</link><guid>1</guid></item>")
    doc = doc.replace("<link>https://example.com/</link>", "")
    feed = parse(doc, url="https://feeds.example.org/all.xml")
    assert feed.articles[0].url == "https://feeds.example.org/news/1"


def test_text_is_the_longer_of_content_and_summary_and_not_the_title() -> None:
    doc = rss(
        "<item><title>Big news</title><link>https://example.com/n</link>"
        "<description>Short teaser.</description>"
        "<content:encoded><![CDATA[<p>Big news</p><p>The full story, longer.</p>]]>"
        "</content:encoded></item>"
        "<item><title>Only the title</title><link>https://example.com/o</link>"
        "<description>Only the title</description></item>",
        ns='xmlns:content="http://purl.org/rss/1.0/modules/content/"',
    )
    first, second = parse(doc).articles
    assert first.text == "The full story, longer."
    assert second.text == ""


def test_title_falls_back_to_text() -> None:
    doc = rss(
        "<item><link>https://example.com/x</link><description>Untitled words.</description></item>"
    )
    assert parse(doc).articles[0].title == "Untitled words."


def test_empty_items_are_dropped() -> None:
    doc = rss("<item><link>https://example.com/x</link></item><item><title>T</title></item>")
    assert [a.title for a in parse(doc).articles] == ["T"]


def test_google_suffix_kept_when_source_names_another_publisher() -> None:
    doc = rss(
        "<item><title>Apple beats - Reuters</title><link>https://news.google.com/a</link>"
        '<source url="https://www.cnbc.com">CNBC</source></item>'
    )
    assert parse(doc).articles[0].title == "Apple beats - Reuters"


def test_double_escaped_title() -> None:
    doc = rss(
        "<item><title>AT&amp;amp;T &amp;amp; Verizon</title><link>https://e.com/</link></item>"
    )
    assert parse(doc).articles[0].title == "AT&T & Verizon"


def test_atom_html_title_and_content() -> None:
    doc = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        '<entry><id>tag:e.com,2026:1</id><title type="html">&lt;b&gt;Bold&lt;/b&gt; move</title>'
        '<link href="https://e.com/1"/><updated>2026-01-02T03:04:05Z</updated>'
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One</p><p>Two</p>'
        "</div></content></entry></feed>"
    )
    (article,) = parse(doc).articles
    assert article.title == "Bold move"
    assert article.text == "One\n\nTwo"
    assert article.entry_id == "tag:e.com,2026:1"
    assert article.published == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# SEC EDGAR


def test_edgar_latest_filings_feed() -> None:
    content = (FIXTURES / "feeds" / "sec_edgar_getcurrent_8k_reshaped.xml").read_bytes()
    feed = parse_feed(
        content,
        source="EDGAR 8-K",
        url="https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent&type=8-K&output=atom",
        now=NOW,
    )
    assert feed.link == "https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent"
    eight_k, thirteen_d = feed.articles
    assert eight_k.title == "8-K - Ultragenyx Pharmaceutical Inc."
    assert eight_k.form == "8-K"
    assert eight_k.items == ("2.02", "2.05", "9.01")
    assert eight_k.ciks == (1515673,)
    assert eight_k.key == "urn:tag:sec.gov,2008:accession-number=0001193125-26-048738"
    # One filing listed once per company involved: one article with both CIKs.
    assert thirteen_d.form == "SC 13D/A"
    assert thirteen_d.items == ()
    assert thirteen_d.ciks == (1515673, 1999999)
    assert thirteen_d.title == "SC 13D/A - Ultragenyx Pharmaceutical Inc."
    assert_clean(feed.articles, source="EDGAR 8-K")


def test_edgar_filing_has_the_same_key_in_both_feeds(real_dir: Path) -> None:
    company = parse((real_dir / "sec_edgar_company_atom_ultragenyx_8k.xml").read_bytes())
    latest = parse((FIXTURES / "feeds" / "sec_edgar_getcurrent_8k_reshaped.xml").read_bytes())
    assert latest.articles[0].key in {a.key for a in company.articles}


TITLE_CASES = [
    (
        "8-K - Ultragenyx Pharmaceutical Inc. (0001515673) (Filer)",
        edgar.EdgarTitle("8-K", "Ultragenyx Pharmaceutical Inc.", 1515673, "Filer"),
    ),
    (
        "SC 13D/A - ADURO CLEAN TECHNOLOGIES INC. (0001863934) (Subject)",
        edgar.EdgarTitle("SC 13D/A", "ADURO CLEAN TECHNOLOGIES INC.", 1863934, "Subject"),
    ),
    (
        "4 - Smith John (0001234567) (Reporting)",
        edgar.EdgarTitle("4", "Smith John", 1234567, "Reporting"),
    ),
    (
        "8-K/A - Acme (Holdings) Corp (0000320193) (Filer)",
        edgar.EdgarTitle("8-K/A", "Acme (Holdings) Corp", 320193, "Filer"),
    ),
    ("8-K  - Current report", edgar.EdgarTitle("8-K", description="Current report")),
    ("Nothing to see", None),
]


@pytest.mark.parametrize(("title", "expected"), TITLE_CASES, ids=[c[0][:30] for c in TITLE_CASES])
def test_edgar_parse_title(title: str, expected: edgar.EdgarTitle | None) -> None:
    assert edgar.parse_title(title) == expected


ITEM_CASES = [
    ("Item 2.02: Results of Operations\nItem 9.01: Exhibits", ("2.02", "9.01")),
    ("items 2.02, 2.05and9.01", ("2.02", "2.05", "9.01")),
    ("Items 2.02 and 9.01", ("2.02", "9.01")),
    ("item 8.01", ("8.01",)),
    ("Filed: 2026-02-23 AccNo: 0001193125-26-062568 Size: 1.50 MB", ()),
    ("", ()),
]


@pytest.mark.parametrize(("text", "items"), ITEM_CASES, ids=[c[0][:25] for c in ITEM_CASES])
def test_edgar_item_numbers(text: str, items: tuple[str, ...]) -> None:
    assert edgar.item_numbers(text) == items


def test_edgar_small_helpers() -> None:
    assert edgar.accession_number("urn:tag:sec.gov,2008:accession-number=0001193125-26-062568") == (
        "0001193125-26-062568"
    )
    assert edgar.accession_number("no number") is None
    link = "https://www.sec.gov/Archives/edgar/data/1515673/000119312526062568/x-index.htm"
    assert edgar.cik_from_link(link) == 1515673
    assert edgar.cik_from_link("https://www.sec.gov/newsroom/press-releases/2025-31") is None
    assert edgar.parse_cik("0001515673") == 1515673
    assert edgar.parse_cik("abc") is None
    assert edgar.is_edgar("", link)
    assert not edgar.is_edgar("x", "https://www.sec.gov/newsroom/press-releases/2025-31")
