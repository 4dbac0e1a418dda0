"""One checked hop of an HTTP request: the URL checked, then connected to at the checked address.

In: a URL, a `HopCheck` (the SSRF guard, bot.feeds.guard, for user feeds; None for the
operator's own) and what to send. Out: an `httpx.Request` whose host is the address the check
returned, with the Host header and the TLS server name of the original name, so that a DNS
answer that changes between the check and the connection (DNS rebinding) cannot send the
request anywhere the check did not see; and, from an answer, where a redirect points. The
feed fetcher (bot.feeds.fetch) and the WebSub hub requests (bot.websub.subscriber) follow
redirects hop by hop with these. Fails as the check does (`Blocked`), or with httpx's
InvalidURL for a URL it cannot build a request from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

# Checks one hop before it is requested: returns the IP address to connect to (None: connect by
# name) or raises Blocked. See bot.feeds.guard.Guard.check.
HopCheck = Callable[[str], Awaitable[str | None]]
REDIRECTS = frozenset({301, 302, 303, 307, 308})


async def checked_request(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    check: HopCheck | None,
    *,
    headers: Mapping[str, str] | None = None,
    data: Mapping[str, str] | None = None,
) -> httpx.Request:
    """The request for one hop to `url`, checked by `check` and pinned to the address it
    returned (`data` is sent form-encoded); raises what `check` raises."""
    address = await check(url) if check is not None else None
    target, extensions, hop_headers = pinned(url, address, dict(headers or {}))
    request = client.build_request(method, target, headers=hop_headers, data=data)
    request.extensions.update(extensions)
    return request


def pinned(
    url: str, address: str | None, headers: dict[str, str]
) -> tuple[str, dict[str, object], dict[str, str]]:
    """The URL with its host replaced by the checked `address`, the Host header and the TLS
    server name that keep the request what it was (certificates are checked against the name)."""
    if address is None:
        return url, {}, headers
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    target = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    extensions: dict[str, object] = {"sni_hostname": host} if parts.scheme == "https" else {}
    return target, extensions, {**headers, "Host": parts.netloc.rpartition("@")[2]}


def redirect_target(url: str, response: httpx.Response) -> str | None:
    """Where a redirect answer to `url` points (absolute), or None for any other answer
    (a redirect status without a Location is an answer like any other)."""
    location = response.headers.get("Location")
    if response.status_code not in REDIRECTS or not location:
        return None
    return str(urljoin(url, location.strip()))
