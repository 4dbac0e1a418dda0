"""Fetching feed documents over HTTP, politely and within limits.

In: a URL and what the last fetch remembered (ETag, Last-Modified). Out: a `Fetched` (a body, or
"unchanged" for a 304 or an empty 200) or a `FetchError` whose message is a reason an operator
can act on ("timed out after 20 s", "HTTP 503", "body larger than 10 MB"). Limits on every fetch:
connect/read timeouts, a total time, a maximum body size counted after decompression (so a gzip
bomb is refused like any oversize body), and at most 5 redirects.
"""

from __future__ import annotations

import asyncio
import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

USER_AGENT = "investor-alert-bot/0.1 (+https://github.com/investor-alert-bot/investor-alert-bot)"


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one fetch may cost."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetch that worked. `body` is None when the feed is unchanged since the last fetch."""

    body: bytes | None
    url: str  # where the document finally came from
    etag: str | None
    last_modified: str | None
    content_type: str | None
    permanent_redirect: str | None = None  # the new URL when the feed moved for good
    max_age: int | None = None  # seconds from Cache-Control


class FetchError(Exception):
    """The feed could not be fetched; str() is the reason. `retry_after` in seconds if given."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def make_client(limits: Limits = Limits()) -> httpx.AsyncClient:
    """One client per process: connection reuse across polls."""
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept": FEED_ACCEPT},
        timeout=httpx.Timeout(
            limits.read_timeout, connect=limits.connect_timeout, pool=limits.total_timeout
        ),
        follow_redirects=True,
        max_redirects=limits.max_redirects,
    )


FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: Limits = Limits(),
) -> Fetched:
    """GET `url` conditionally; raise FetchError with a reason when it cannot be had."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(limits.total_timeout):
            return await _get(client, url, headers, limits)
    except TimeoutError:
        raise FetchError(f"took longer than {limits.total_timeout:g} s in all") from None
    except httpx.TooManyRedirects:
        raise FetchError(f"more than {limits.max_redirects} redirects") from None
    except httpx.TimeoutException as exc:
        raise FetchError(f"timed out ({type(exc).__name__})") from None
    except httpx.DecodingError as exc:
        raise FetchError(f"could not decode the body: {exc}") from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL: {exc}") from None
    except httpx.TransportError as exc:
        raise FetchError(f"network error: {exc or type(exc).__name__}") from None


async def _get(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], limits: Limits
) -> Fetched:
    async with client.stream("GET", url, headers=headers) as response:
        moved = _permanent_redirect(response)
        if response.status_code == 304:
            return _fetched(response, None, moved)
        if response.status_code >= 400:
            raise FetchError(
                f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limits.max_bytes:
            raise FetchError(f"body larger than {limits.max_bytes // 1024 // 1024} MB")
        chunks = []
        size = 0
        # iter_bytes decompresses: counting here stops a gzip bomb at the same limit.
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limits.max_bytes:
                raise FetchError(f"body larger than {limits.max_bytes // 1024 // 1024} MB")
            chunks.append(chunk)
        body = b"".join(chunks)
        # Some servers answer an unchanged feed with an empty 200 instead of a 304.
        return _fetched(response, body if body.strip() else None, moved)


def _fetched(response: httpx.Response, body: bytes | None, moved: str | None) -> Fetched:
    return Fetched(
        body=body,
        url=str(response.url),
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        content_type=response.headers.get("Content-Type"),
        permanent_redirect=moved,
        max_age=_max_age(response.headers.get("Cache-Control")),
    )


def _permanent_redirect(response: httpx.Response) -> str | None:
    """The final URL if every redirect on the way was permanent (301/308), else None."""
    if response.history and all(r.status_code in (301, 308) for r in response.history):
        return str(response.url)
    return None


def _max_age(cache_control: str | None) -> int | None:
    if not cache_control:
        return None
    for part in cache_control.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.strip().isdigit():
            return int(value)
    return None


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
