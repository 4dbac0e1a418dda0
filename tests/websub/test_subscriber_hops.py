"""The worker's requests to hubs, hop by hop, against hubs on 127.0.0.1 and a real database.

Redirects: 307 and 308 are followed with the method and the form kept (RFC 9110); 301, 302
and 303, which let a client turn the POST into a GET, are recorded as failures naming where
the hub moved; a loop ends after 5 redirects; nor is a redirect from HTTPS to plain HTTP (the
form carries the subscription's secret).

A user feed's hub: every hop is checked by the SSRF guard and connected to at the address the
guard checked. As in tests/feeds/test_guard.py, the guard resolves names through an injected
resolver (public names -> public addresses) and a test transport routes those addresses to the
hub on 127.0.0.1, as the internet would. A request still addressed by name goes where the
name points by the time of the connection: `Internet` sends it to another server standing for
a private service (DNS rebinding: a public answer for the check, a private one afterwards).
The guard's and the subscriber's own code run unchanged.
"""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from bot.feeds.fetch import make_client
from bot.feeds.guard import Guard
from bot.storage.store import Store
from bot.websub.lease import HubState, HubSubscription
from bot.websub.subscriber import Subscriber
from tests.fakes.websub_hub import FakeHub
from tests.websub.test_subscriber import Clock, hub_settings, setup

PUBLIC = {"hub.example.com": "93.184.215.14", "relay.example.com": "93.184.215.15"}


async def fake_dns(host: str, port: int) -> list[str]:
    if host in PUBLIC:
        return [PUBLIC[host]]
    return {"intranet.example.com": ["10.0.0.5"]}.get(host, [])


class Internet(httpx.AsyncBaseTransport):
    """The public addresses to the hub on 127.0.0.1; any request still addressed by a name of
    ours to `rebound`, where the name points by the time of the connection (Host header and
    the rest of the request unchanged)."""

    def __init__(self, hub_port: int, rebound_port: int) -> None:
        self.hub_port = hub_port
        self.rebound_port = rebound_port
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host in PUBLIC.values():
            request.url = request.url.copy_with(host="127.0.0.1", port=self.hub_port)
        elif host.endswith(".example.com"):
            request.url = request.url.copy_with(host="127.0.0.1", port=self.rebound_port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def port_of(server: FakeHub) -> int:
    return int(server.root.rsplit(":", 1)[1])


def ask_once(store: Store, client: httpx.AsyncClient, guard: Guard) -> None:
    async def go() -> None:
        async with client:
            subscriber = Subscriber(hub_settings(), store, client, clock=Clock(), check=guard.check)
            await subscriber.ask_due()

    asyncio.run(go())


def state_of(store: Store, sub_id: int) -> HubSubscription:
    sub = store.websub.get(sub_id=sub_id)
    assert sub is not None
    return sub


# (path, status, to): a POST to path answers status with Location: to, made absolute on the
# hub's root when it starts with "/" and sent as it is (relative) otherwise.
Move = tuple[str, int, str]


@pytest.mark.parametrize(
    ("moves", "error", "paths"),
    [
        ([("/old", 307, "/")], None, ["/old", "/"]),
        ([("/old", 308, "/")], None, ["/old", "/"]),
        ([("/v1/old", 307, "../")], None, ["/v1/old", "/"]),
        ([("/old", 307, "/mid"), ("/mid", 308, "/")], None, ["/old", "/mid", "/"]),
        ([("/old", 301, "/")], "the hub moved to {root}/ with a 301; not followed", ["/old"]),
        ([("/old", 302, "/")], "the hub moved to {root}/ with a 302; not followed", ["/old"]),
        ([("/old", 303, "/")], "the hub moved to {root}/ with a 303; not followed", ["/old"]),
        ([("/old", 307, "/old")], "more than 5 redirects", ["/old"] * 6),
    ],
    ids=[
        "307-followed",
        "308-followed",
        "307-relative-location",
        "307-then-308",
        "301-not-followed",
        "302-not-followed",
        "303-not-followed",
        "307-loop-ends",
    ],
)
def test_a_hub_that_redirects(
    store: Store, moves: list[Move], error: str | None, paths: list[str]
) -> None:
    with FakeHub() as hub:
        for path, status, to in moves:
            hub.move(path, to if not to.startswith("/") else hub.root + to, status)
        sub_id = setup(store, hub.root + moves[0][0])
        ask_once(store, make_client(), Guard(allow_private=True))
        requests = list(hub.requests)
        root = hub.root
    assert [(r.method, r.path) for r in requests] == [("POST", path) for path in paths]
    # The same form on every hop: the secret and the callback go where the hub sent them.
    assert all(r.form == requests[0].form for r in requests)
    assert requests[0].form["hub.mode"] == "subscribe"
    sub = state_of(store, sub_id)
    if error is None:
        assert sub.state is HubState.PENDING  # asked; the hub's intent check is awaited
        assert sub.error is None
    else:
        assert sub.state is HubState.FAILED
        assert sub.error == error.format(root=root)


@pytest.mark.parametrize(
    ("move_to", "host", "error"),
    [
        (None, "hub.example.com", None),
        ("http://relay.example.com:{port}/", "relay.example.com", None),
        ("http://127.0.0.1:{rebound}/", None, r"127\.0\.0\.1 is a loopback address"),
        ("http://intranet.example.com/", None, r"10\.0\.0\.5 is a private address"),
        ("file:///etc/passwd", None, "only http and https"),
    ],
    ids=[
        "connected-to-the-checked-address",
        "307-to-a-public-name-checked-and-pinned",
        "307-to-loopback-refused",
        "307-to-a-private-name-refused",
        "307-to-a-file-refused",
    ],
)
def test_a_user_feeds_hub_is_checked_and_pinned_at_every_hop(
    store: Store, move_to: str | None, host: str | None, error: str | None
) -> None:
    with FakeHub() as hub, FakeHub() as rebound:
        port = port_of(hub)
        url = f"http://hub.example.com:{port}/"
        if move_to is not None:
            url = hub.move("/old", move_to.format(port=port, rebound=port_of(rebound)), 307)
            url = url.replace("127.0.0.1", "hub.example.com")
        sub_id = setup(store, url, guarded=True)
        client = httpx.AsyncClient(transport=Internet(port, port_of(rebound)))
        ask_once(store, client, Guard(resolver=fake_dns))
        arrived = [r for r in hub.requests if r.path == "/"]
        # The name now points at the private service: nothing reached it.
        assert rebound.requests == []
    sub = state_of(store, sub_id)
    if error is None:
        (request,) = arrived
        assert request.host == f"{host}:{port}"  # the name kept in the Host header
        assert request.form["hub.mode"] == "subscribe"
        assert sub.state is HubState.PENDING
    else:
        assert arrived == []
        assert sub.state is HubState.FAILED
        assert sub.error is not None
        assert sub.error.startswith("Blocked: ")
        assert re.search(error, sub.error)


def test_a_catalogue_feeds_hub_is_asked_by_name_without_a_check(store: Store) -> None:
    """The operator's own feeds are not guarded (ALLOW_PRIVATE_FEEDS is about user feeds): a
    hub on 127.0.0.1 redirecting to another one on 127.0.0.1 is followed."""
    with FakeHub() as hub, FakeHub() as other:
        url = hub.move("/old", other.url, 308)
        sub_id = setup(store, url)
        ask_once(store, make_client(), Guard(resolver=fake_dns))
        assert [r.path for r in other.requests] == ["/"]
    assert state_of(store, sub_id).state is HubState.PENDING


class PlainForTls(httpx.AsyncBaseTransport):
    """The hub's https:// served by the plain HTTP hub on 127.0.0.1 (TLS is not what is
    tested here: where the form goes after a redirect is)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "https":
            request.url = request.url.copy_with(scheme="http")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize(
    ("scheme", "followed"), [("https", True), ("http", False)], ids=["https", "http"]
)
def test_a_hub_on_https_is_not_followed_off_it(store: Store, scheme: str, followed: bool) -> None:
    """The form carries the subscription's secret: a 307 from an HTTPS hub to plain HTTP is
    not followed (an HTTPS one is)."""
    with FakeHub() as hub:
        to = hub.root.replace("http", scheme, 1) + "/"
        url = hub.move("/old", to, 307).replace("http", "https", 1)
        sub_id = setup(store, url)
        ask_once(store, httpx.AsyncClient(transport=PlainForTls()), Guard(allow_private=True))
        paths = [r.path for r in hub.requests]
    sub = state_of(store, sub_id)
    if followed:
        assert paths == ["/old", "/"]
        assert sub.state is HubState.PENDING
    else:
        assert paths == ["/old"]
        assert sub.state is HubState.FAILED
        assert sub.error == f"the hub moved to {to}, off HTTPS; not followed"
