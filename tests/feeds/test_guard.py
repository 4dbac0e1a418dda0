"""The SSRF guard: user feeds reach only public addresses, checked at every hop.

A real HTTP server on 127.0.0.1 plays both the "public" site and the private target. The
public site is reached through an injected resolver (a public-looking name -> a public address)
and a test transport that routes that public address to 127.0.0.1, as the internet would route
it to the site: the guard's own code runs unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from bot.feeds.fetch import Blocked, Fetched, fetch, make_client
from bot.feeds.guard import Guard, address_problem
from tests.fakes.feed_server import FeedServer

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
PUBLIC_IP = "93.184.215.14"
PUBLIC_NAME = "news.example.com"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds:
        yield feeds


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("93.184.215.14", None),
        ("2606:4700::6810:85e5", None),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "non-public"),
        ("fc00::1", "private"),
    ],
    ids=[
        "public-v4",
        "public-v6",
        "loopback",
        "loopback-v6",
        "v4-mapped-loopback",
        "private-10",
        "private-192",
        "private-172",
        "cloud-metadata",
        "link-local-v6",
        "multicast",
        "unspecified",
        "carrier-nat",
        "unique-local-v6",
    ],
)
def test_address_problem(address: str, problem: str | None) -> None:
    found = address_problem(address)
    assert (found is None) if problem is None else (problem in (found or ""))


async def fake_dns(host: str, port: int) -> list[str]:
    return {PUBLIC_NAME: [PUBLIC_IP], "intranet.example.com": ["10.0.0.5"]}.get(host, [])


class Internet(httpx.AsyncBaseTransport):
    """Routes the public test address to the server on 127.0.0.1 (the rest of the request,
    Host header included, unchanged)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == PUBLIC_IP:
            request.url = request.url.copy_with(host="127.0.0.1", port=self.port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def get(server: FeedServer, url: str, guard: Guard) -> Fetched:
    async def go() -> Fetched:
        port = int(server.root.rsplit(":", 1)[1])
        async with httpx.AsyncClient(transport=Internet(port)) as client:
            return await fetch(client, url, check=guard.check)

    return asyncio.run(go())


def test_a_user_feed_on_loopback_is_refused(server: FeedServer) -> None:
    url = server.set("/f.rss", RSS)
    with pytest.raises(Blocked, match="loopback"):
        get(server, url, Guard(allow_private=False, resolver=fake_dns))
    assert server.hits("/f.rss") == 0


def test_allow_private_feeds_lets_a_loopback_feed_through(server: FeedServer) -> None:
    url = server.set("/f.rss", RSS)
    assert get(server, url, Guard(allow_private=True, resolver=fake_dns)).body == RSS


def test_a_name_resolving_to_a_private_address_is_refused(server: FeedServer) -> None:
    with pytest.raises(Blocked, match=r"10\.0\.0\.5 is a private address"):
        get(server, "http://intranet.example.com/f.rss", Guard(resolver=fake_dns))


def test_a_public_site_is_fetched_at_the_checked_address(server: FeedServer) -> None:
    server.set("/f.rss", RSS)
    port = int(server.root.rsplit(":", 1)[1])
    fetched = get(server, f"http://{PUBLIC_NAME}:{port}/f.rss", Guard(resolver=fake_dns))
    assert fetched.body == RSS
    assert fetched.url == f"http://{PUBLIC_NAME}:{port}/f.rss"
    assert server.requests("/f.rss")[0]["Host"] == f"{PUBLIC_NAME}:{port}"


def test_a_public_url_redirecting_to_loopback_is_refused_at_the_redirect(
    server: FeedServer,
) -> None:
    secret = server.set("/admin", b"secret")
    server.redirect("/go", secret, status=302)
    port = int(server.root.rsplit(":", 1)[1])
    with pytest.raises(Blocked, match=r"127\.0\.0\.1 is a loopback address"):
        get(server, f"http://{PUBLIC_NAME}:{port}/go", Guard(resolver=fake_dns))
    assert server.hits("/go") == 1
    assert server.hits("/admin") == 0


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/feed", "gopher://example.com/"],
    ids=["file", "ftp", "gopher"],
)
def test_only_http_and_https(url: str) -> None:
    async def go() -> None:
        async with make_client() as client:
            await fetch(client, url, check=Guard(allow_private=True).check)

    with pytest.raises(Blocked, match="only http and https"):
        asyncio.run(go())
