"""Fetching against a real HTTP server on 127.0.0.1: validators, limits, redirects, errors."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Iterator

import pytest

from bot.feeds.fetch import USER_AGENT, Fetched, FetchError, Limits, fetch, make_client
from tests.fakes.feed_server import FeedServer

DEFAULT_LIMITS = Limits()
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds:
        yield feeds


def get(url: str, *, limits: Limits = DEFAULT_LIMITS, **validators: str | None) -> Fetched:
    async def go() -> Fetched:
        async with make_client(limits) as client:
            return await fetch(client, url, limits=limits, **validators)  # type: ignore[arg-type]

    return asyncio.run(go())


def test_a_feed_is_fetched_with_our_user_agent(server: FeedServer) -> None:
    fetched = get(server.set("/f.rss", RSS, etag="v1", headers={"Cache-Control": "max-age=600"}))
    assert fetched.body == RSS
    assert fetched.etag == '"v1"'
    assert fetched.max_age == 600
    assert server.requests("/f.rss")[0]["User-Agent"] == USER_AGENT


def test_an_unchanged_feed_answers_304_and_gives_no_body(server: FeedServer) -> None:
    url = server.set("/f.rss", RSS, etag="v1", last_modified="Tue, 24 Nov 2026 10:00:00 GMT")
    fetched = get(url, etag='"v1"', last_modified="Tue, 24 Nov 2026 10:00:00 GMT")
    assert fetched.body is None
    assert server.requests("/f.rss")[0]["If-None-Match"] == '"v1"'


def test_an_empty_200_counts_as_unchanged(server: FeedServer) -> None:
    assert get(server.set("/f.rss", b"  \n")).body is None


def test_a_gzip_body_is_decoded(server: FeedServer) -> None:
    assert get(server.set("/f.rss", RSS, gzip=True)).body == RSS


@pytest.mark.parametrize(
    ("status", "reason"),
    [(404, "HTTP 404"), (500, "HTTP 500"), (503, "HTTP 503")],
    ids=["not-found", "server-error", "unavailable"],
)
def test_http_errors_give_a_reason(server: FeedServer, status: int, reason: str) -> None:
    url = server.set("/f.rss", b"oops", status=status, headers={"Retry-After": "120"})
    with pytest.raises(FetchError, match=reason) as caught:
        get(url)
    assert caught.value.retry_after == 120


def test_an_oversize_body_is_refused(server: FeedServer) -> None:
    url = server.set("/big.rss", b"x" * 5000)
    with pytest.raises(FetchError, match="larger than"):
        get(url, limits=Limits(max_bytes=1000))


def test_a_gzip_bomb_is_refused_by_its_decoded_size(server: FeedServer) -> None:
    bomb = b"<rss>" + b" " * 2_000_000
    assert len(gzip.compress(bomb)) < 10_000
    url = server.set("/bomb.rss", bomb, gzip=True)
    with pytest.raises(FetchError, match="larger than"):
        get(url, limits=Limits(max_bytes=1_000_000))


def test_a_permanent_redirect_is_reported(server: FeedServer) -> None:
    server.set("/new.rss", RSS)
    server.redirect("/old.rss", "/new.rss", status=301)
    fetched = get(server.url("/old.rss"))
    assert fetched.body == RSS
    assert fetched.permanent_redirect == server.url("/new.rss")


def test_a_temporary_redirect_keeps_the_url(server: FeedServer) -> None:
    server.set("/new.rss", RSS)
    server.redirect("/old.rss", "/new.rss", status=302)
    assert get(server.url("/old.rss")).permanent_redirect is None


def test_a_redirect_loop_stops_at_the_cap(server: FeedServer) -> None:
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        get(server.url("/a"))


def test_a_stalled_server_times_out(server: FeedServer) -> None:
    url = server.set("/slow.rss", RSS * 100)
    server.stall("/slow.rss", 3)
    with pytest.raises(FetchError, match=r"timed out|longer than"):
        get(url, limits=Limits(read_timeout=0.5, total_timeout=1.0))


def test_nothing_listening_is_a_network_error() -> None:
    with pytest.raises(FetchError, match="network error"):
        get("http://127.0.0.1:9/feed.rss")
