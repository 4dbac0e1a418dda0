"""One checked hop (bot.feeds.pinning): the URL rewritten to the checked address with the name
kept for the Host header and TLS, and where a redirect points. Pure rules, as tables; the hops
themselves are tested against servers on 127.0.0.1 in test_guard.py (feeds) and
tests/websub/test_subscriber_hops.py (hubs)."""

from __future__ import annotations

import httpx
import pytest

from bot.feeds.pinning import pinned, redirect_target


@pytest.mark.parametrize(
    ("url", "address", "target", "host", "sni"),
    [
        ("http://news.example.com/f.rss", None, "http://news.example.com/f.rss", None, None),
        (
            "http://news.example.com:8080/f.rss?x=1#top",
            "93.184.215.14",
            "http://93.184.215.14:8080/f.rss?x=1",
            "news.example.com:8080",
            None,
        ),
        (
            "https://hub.example.com/",
            "93.184.215.14",
            "https://93.184.215.14/",
            "hub.example.com",
            "hub.example.com",
        ),
        (
            "https://hub.example.com:8443/hub",
            "2606:4700::6810:85e5",
            "https://[2606:4700::6810:85e5]:8443/hub",
            "hub.example.com:8443",
            "hub.example.com",
        ),
    ],
    ids=["by-name-when-unchecked", "http-with-port", "https-sni", "ipv6-literal"],
)
def test_pinned(
    url: str, address: str | None, target: str, host: str | None, sni: str | None
) -> None:
    got, extensions, headers = pinned(url, address, {"User-Agent": "t"})
    assert got == target
    assert headers.get("Host") == host
    assert headers["User-Agent"] == "t"
    assert extensions.get("sni_hostname") == sni


@pytest.mark.parametrize(
    ("status", "location", "target"),
    [
        (301, "https://new.example.com/hub", "https://new.example.com/hub"),
        (302, "/other", "https://hub.example.com/other"),
        (303, "../up", "https://hub.example.com/up"),
        (307, " next ", "https://hub.example.com/v1/next"),
        (308, "//cdn.example.net/h", "https://cdn.example.net/h"),
        (307, None, None),
        (200, "/ignored", None),
        (304, "/ignored", None),
    ],
    ids=[
        "absolute",
        "root-relative",
        "dot-dot",
        "relative-padded",
        "scheme-relative",
        "no-location",
        "not-a-redirect",
        "not-modified",
    ],
)
def test_redirect_target(status: int, location: str | None, target: str | None) -> None:
    headers = {"Location": location} if location is not None else {}
    response = httpx.Response(status, headers=headers)
    assert redirect_target("https://hub.example.com/v1/hub", response) == target
