"""Entries to articles: unique ids, links, text against title, titles, and EDGAR filings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.feeds.parse import parse_feed
from tests.conftest import FIXTURES
from tests.feeds.documents import NOW, assert_clean, parse, rss


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
