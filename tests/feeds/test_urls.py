"""canonical_url: one spelling per page."""

from __future__ import annotations

import pytest

from bot.feeds.urls import canonical_url

CASES = [
    # (url, base, expected)
    (
        "https://news.example.com/markets/amazon-trainium?utm_source=rss&utm_medium=feed",
        None,
        "https://news.example.com/markets/amazon-trainium",
    ),
    ("HTTPS://WWW.Example.COM/Path/Case", None, "https://www.example.com/Path/Case"),
    ("http://example.com:80/a", None, "http://example.com/a"),
    ("https://example.com:443/a", None, "https://example.com/a"),
    ("https://example.com:8443/a", None, "https://example.com:8443/a"),
    ("https://example.com/a#comments", None, "https://example.com/a"),
    ("https://example.com", None, "https://example.com/"),
    ("https://example.com./a", None, "https://example.com/a"),
    (
        "https://example.com/a?id=7&fbclid=x&page=2&gclid=y&UTM_Campaign=z",
        None,
        "https://example.com/a?id=7&page=2",
    ),
    ("https://example.com/a?b=2&a=1", None, "https://example.com/a?b=2&a=1"),
    ("https://example.com/a?mc_cid=1&mc_eid=2&ncid=3", None, "https://example.com/a"),
    (
        "https://www.investors.com/research/tilray-stock-buy-now/?src=A00220&yptr=yahoo",
        None,
        "https://www.investors.com/research/tilray-stock-buy-now/?src=A00220",
    ),
    ("https://example.com/a?q=a%20b&x=", None, "https://example.com/a?q=a%20b&x="),
    ("https://example.com/a b", None, "https://example.com/a%20b"),
    ("  https://example.com/a \n", None, "https://example.com/a"),
    ("/news/1.html", "https://example.com/feed.xml", "https://example.com/news/1.html"),
    ("2.html", "https://example.com/news/feed.xml", "https://example.com/news/2.html"),
    ("//cdn.example.com/x", "https://example.com/", "https://cdn.example.com/x"),
    ("/news/1.html", None, ""),
    ("", "https://example.com/", ""),
    ("mailto:someone@example.com", None, ""),
    ("javascript:alert(1)", "https://example.com/", ""),
    ("urn:tag:sec.gov,2008:accession-number=0001193125-26-062568", None, ""),
    ("http://[::1/", None, ""),
    ("http://example.com:99999/", None, ""),
    ("http://[2001:db8::1]:80/a", None, "http://[2001:db8::1]/a"),
    (
        "https://news.google.com/rss/articles/CBMi?oc=5",
        None,
        "https://news.google.com/rss/articles/CBMi?oc=5",
    ),
]


@pytest.mark.parametrize(
    ("url", "base", "expected"), CASES, ids=[f"{i}:{c[0][:40]}" for i, c in enumerate(CASES)]
)
def test_canonical_url(url: str, base: str | None, expected: str) -> None:
    assert canonical_url(url, base) == expected


@pytest.mark.parametrize("url", [c[2] for c in CASES if c[2]], ids=lambda u: u[:40])
def test_canonical_url_is_stable(url: str) -> None:
    assert canonical_url(url) == url
