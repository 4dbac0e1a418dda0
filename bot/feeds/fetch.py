"""Fetching feed documents over HTTP, politely and within limits.

In: a URL and what the last fetch remembered (ETag, Last-Modified). Out: a `Fetched` (a body, or
"unchanged" for a 304 or an empty 200) or a `FetchError` whose message is a reason an operator
can act on ("timed out after 20 s", "HTTP 503", "body larger than 10 MB"). Limits on every fetch:
connect/read timeouts, a total time, a maximum body size counted after decompression (so a gzip
bomb is refused like any oversize body), and at most 5 redirects, followed here hop by hop so
that a `HopCheck` (the SSRF guard, bot.feeds.guard) can refuse any hop and pin its address
(bot.feeds.pinning).
`HostGate` bounds concurrent fetches per host and spaces requests to rate-limited hosts (SEC).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

# HopCheck is named here too: the fetch's callers pass one (bot.feeds.pages).
from bot.feeds.pinning import HopCheck as HopCheck
from bot.feeds.pinning import checked_request, redirect_target
from bot.texts import Phrase

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
    link_header: str | None = None  # the Link header: a WebSub hub may be named there


class FetchError(Exception):
    """The feed could not be fetched; str() is the reason (in English: logs, the feed's
    state), `say(lang)` the same for a user. `retry_after` in seconds if given; `network` when
    no HTTP answer came at all (DNS, connection, timeout): the signs of an outage on our side
    rather than a problem of the feed."""

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        network: bool = False,
        phrase: Phrase | None = None,
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.network = network
        self.phrase = phrase

    @classmethod
    def named(
        cls,
        key: str,
        /,
        *,
        retry_after: float | None = None,
        network: bool = False,
        **values: object,
    ) -> FetchError:
        """The error whose reason is the catalogue's `key` filled with `values`."""
        phrase = Phrase(key, values)
        reason = phrase.say().strip()
        return cls(reason, retry_after=retry_after, network=network, phrase=phrase)

    def say(self, lang: str) -> str:
        """The reason in `lang` (in English when it was not written with the catalogue)."""
        return self.phrase.say(lang).strip() if self.phrase is not None else str(self)


class Blocked(FetchError):
    """The URL (or a redirect on the way) points somewhere a user feed may not go."""


class HostGate:
    """At most `per_host` fetches at a time to one host, and for hosts in `spacing` (host suffix
    -> seconds) at least that long between two requests (the SEC allows 10 per second)."""

    def __init__(self, per_host: int = 2, spacing: Mapping[str, float] | None = None) -> None:
        self.per_host = per_host
        self.spacing = dict(spacing or {})
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._next_at: dict[str, float] = {}
        self._lock = asyncio.Lock()

    def _spacing(self, host: str) -> tuple[str, float] | None:
        for suffix, seconds in self.spacing.items():
            if host == suffix or host.endswith("." + suffix):
                return suffix, seconds
        return None

    @contextlib.asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        host = (urlsplit(url).hostname or "").lower()
        semaphore = self._slots.setdefault(host, asyncio.Semaphore(self.per_host))
        async with semaphore:
            spaced = self._spacing(host)
            if spaced is not None:
                suffix, seconds = spaced
                async with self._lock:  # reserve a send time, then wait for it outside the lock
                    now = time.monotonic()
                    at = max(now, self._next_at.get(suffix, 0.0))
                    self._next_at[suffix] = at + seconds
                await asyncio.sleep(at - now)
            yield


def make_client(limits: Limits = Limits()) -> httpx.AsyncClient:
    """One client per process: connection reuse across polls."""
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept": FEED_ACCEPT},
        timeout=httpx.Timeout(
            limits.read_timeout, connect=limits.connect_timeout, pool=limits.total_timeout
        ),
        # Redirects are followed in `fetch`, one checked hop at a time.
        follow_redirects=False,
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
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
    check: HopCheck | None = None,
    headers: Mapping[str, str] | None = None,
    gate: HostGate | None = None,
) -> Fetched:
    """GET `url` conditionally; raise FetchError with a reason when it cannot be had.

    `check` is called on every hop (the first URL and each redirect target) and may refuse it;
    `headers` are sent on every hop (a User-Agent the SEC asks for); `gate` bounds per-host
    concurrency and request rate."""
    sent = dict(headers or {})
    if etag:
        sent["If-None-Match"] = etag
    if last_modified:
        sent["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(limits.total_timeout):
            return await _follow(client, url, sent, limits, check, gate)
    except TimeoutError:
        raise FetchError.named(
            "fetch.error.timeout_total", seconds=f"{limits.total_timeout:g}", network=True
        ) from None
    except httpx.TimeoutException as exc:
        raise FetchError.named(
            "fetch.error.timeout", kind=type(exc).__name__, network=True
        ) from None
    except httpx.DecodingError as exc:
        raise FetchError.named("fetch.error.decode", detail=str(exc)) from None
    except httpx.InvalidURL as exc:
        raise FetchError.named("fetch.error.url", detail=str(exc)) from None
    except httpx.TransportError as exc:
        detail = str(exc) or type(exc).__name__
        raise FetchError.named("fetch.error.network", detail=detail, network=True) from None


async def _follow(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    limits: Limits,
    check: HopCheck | None,
    gate: HostGate | None,
) -> Fetched:
    """Request `url`, following at most `limits.max_redirects` redirects, each hop checked."""
    statuses: list[int] = []
    while True:
        request = await checked_request(client, "GET", url, check, headers=headers)
        slot = gate.slot(url) if gate is not None else contextlib.nullcontext()
        async with slot:
            response = await client.send(request, stream=True)
            try:
                target = redirect_target(url, response)
                if target is not None:
                    if len(statuses) >= limits.max_redirects:
                        raise FetchError.named(
                            "fetch.error.redirects", limit=str(limits.max_redirects)
                        )
                    statuses.append(response.status_code)
                    url = target
                    continue
                moved = url if statuses and all(s in (301, 308) for s in statuses) else None
                return await _read(response, url, moved, limits)
            finally:
                await response.aclose()


async def _read(response: httpx.Response, url: str, moved: str | None, limits: Limits) -> Fetched:
    """The body of a final (non-redirect) answer, within the size limit."""
    if response.status_code == 304:
        # A 304 has no body, but closing a response whose end was not read closes its
        # connection: read that end, so that the connection goes back to the pool (most polls
        # are 304s; a new TCP connection for each costs more than the request itself).
        await response.aread()
        return _fetched(response, url, None, moved)
    if response.status_code >= 400:
        raise FetchError.named(
            "fetch.error.http",
            status=str(response.status_code),
            reason=response.reason_phrase,
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError.named("fetch.error.too_large", size=_size(limits.max_bytes))
    chunks = []
    size = 0
    # iter_bytes decompresses: counting here stops a gzip bomb at the same limit.
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchError.named("fetch.error.too_large", size=_size(limits.max_bytes))
        chunks.append(chunk)
    body = b"".join(chunks)
    # Some servers answer an unchanged feed with an empty 200 instead of a 304.
    return _fetched(response, url, body if body.strip() else None, moved)


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:g} MB" if count >= 1024 * 1024 else f"{count} bytes"


def _fetched(response: httpx.Response, url: str, body: bytes | None, moved: str | None) -> Fetched:
    return Fetched(
        body=body,
        url=url,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        content_type=response.headers.get("Content-Type"),
        permanent_redirect=moved,
        max_age=_max_age(response.headers.get("Cache-Control")),
        link_header=", ".join(response.headers.get_list("Link")) or None,
    )


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
