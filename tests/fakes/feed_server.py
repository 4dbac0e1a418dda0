"""A real HTTP server on 127.0.0.1 that serves the feed documents a test sets.

In:  `set(path, body, ...)` documents with their status, type, validators and headers;
     faults: `redirect(path, to)`, `stall(path, seconds)`, `gzip=True` bodies.
Out: HTTP answers to any client (the bot's fetcher, httpx, feedparser), 304 when
     If-None-Match / If-Modified-Since match, and a thread-safe record per path:
     `hits(path)` and `requests(path)` (the request headers of each hit).
Fails: an unknown path answers 404; `url()` before `start()` raises RuntimeError.

Paths are matched with their query string first, then without it. Runs in a daemon thread of
the test process; use as a context manager or call `start()`/`stop()`.
"""

from __future__ import annotations

import gzip as gzip_module
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.local_server import LocalServer, NoDelayHandler, ServedInThread


@dataclass
class _Document:
    body: bytes
    content_type: str
    status: int
    headers: dict[str, str]
    etag: str | None
    last_modified: str | None
    gzip: bool
    redirect_to: str | None = None
    stall_seconds: float = 0.0


@dataclass
class _Record:
    hits: int = 0
    requests: list[dict[str, str]] = field(default_factory=list)


class FeedServer(ServedInThread):
    """Serve documents on 127.0.0.1 (random free port); see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._documents: dict[str, _Document] = {}
        self._records: dict[str, _Record] = {}

    def _new_server(self) -> _Server:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.feeds = self
        return server

    def url(self, path: str) -> str:
        """The absolute URL of `path` ("/feed.xml" or "feed.xml")."""
        return self.root + _normal(path)

    # ---------------------------------------------------------------- configure

    def set(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = "application/rss+xml; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | datetime | None = None,
        gzip: bool = False,
    ) -> str:
        """Serve `body` at `path` (replacing what was there); returns its URL.

        `etag` may be given with or without quotes; `last_modified` as an HTTP date or an
        aware datetime. With `gzip=True` the body is sent gzip-encoded whatever the client
        asked (as some misconfigured servers do).
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        if etag is not None and not etag.startswith(('"', 'W/"')):
            etag = f'"{etag}"'
        if isinstance(last_modified, datetime):
            last_modified = format_datetime(last_modified.astimezone(UTC), usegmt=True)
        document = _Document(
            data, content_type, status, dict(headers or {}), etag, last_modified, gzip
        )
        with self._lock:
            self._documents[_normal(path)] = document
        return self.url(path) if self._server else _normal(path)

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        """Answer `path` with a redirect to `to` (a path on this server or an absolute URL)."""
        location = to if "://" in to else _normal(to)
        with self._lock:
            self._documents[_normal(path)] = _Document(
                b"", "text/plain", status, {}, None, None, False, redirect_to=location
            )

    def stall(self, path: str, seconds: float) -> None:
        """Send the headers and half the body of `path`, wait `seconds`, then the rest."""
        with self._lock:
            self._documents[_normal(path)].stall_seconds = seconds

    def remove(self, path: str) -> None:
        """Stop serving `path` (it answers 404 again)."""
        with self._lock:
            self._documents.pop(_normal(path), None)

    # ---------------------------------------------------------------- inspect

    def hits(self, path: str) -> int:
        """How many requests `path` got (any answer, 304 and 404 included)."""
        with self._lock:
            record = self._records.get(_normal(path))
            return record.hits if record else 0

    def requests(self, path: str) -> list[dict[str, str]]:
        """The request headers of each hit on `path`, oldest first (names as sent)."""
        with self._lock:
            record = self._records.get(_normal(path))
            return [dict(r) for r in record.requests] if record else []

    # ---------------------------------------------------------------- serving

    def answer(self, handler: BaseHTTPRequestHandler, head_only: bool) -> None:
        """Serve one request on `handler` (called from the server's threads)."""
        target = urlsplit(handler.path)
        full = target.path + (f"?{target.query}" if target.query else "")
        with self._lock:
            key = full if full in self._documents else target.path
            record = self._records.setdefault(key, _Record())
            record.hits += 1
            record.requests.append(dict(handler.headers.items()))
            document = self._documents.get(key)
        if document is None:
            _write(handler, 404, {"Content-Type": "text/plain"}, b"not found", head_only)
            return
        if document.redirect_to is not None:
            location = document.redirect_to
            if location.startswith("/"):
                location = self.root + location
            _write(handler, document.status, {"Location": location}, b"", head_only)
            return
        headers = {"Content-Type": document.content_type, **document.headers}
        if document.etag:
            headers["ETag"] = document.etag
        if document.last_modified:
            headers["Last-Modified"] = document.last_modified
        if document.status == 200 and _not_modified(handler, document):
            _write(handler, 304, _validators(headers), b"", head_only)
            return
        body = document.body
        if document.gzip:
            body = gzip_module.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        if document.stall_seconds > 0 and not head_only:
            self._stalled_write(handler, document.status, headers, body, document.stall_seconds)
            return
        _write(handler, document.status, headers, body, head_only)

    def _stalled_write(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        headers: dict[str, str],
        body: bytes,
        seconds: float,
    ) -> None:
        half = len(body) // 2
        _write_head(handler, status, headers, len(body))
        handler.wfile.write(body[:half])
        handler.wfile.flush()
        if self._stopping.wait(seconds):
            return
        handler.wfile.write(body[half:])


def _normal(path: str) -> str:
    return path if path.startswith("/") else f"/{path}"


def _validators(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k in {"ETag", "Last-Modified"}}


def _not_modified(handler: BaseHTTPRequestHandler, document: _Document) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since; weak comparison for ETags."""
    none_match = handler.headers.get("If-None-Match")
    if none_match is not None:
        if document.etag is None:
            return False
        wanted = {tag.strip().removeprefix("W/") for tag in none_match.split(",")}
        return "*" in wanted or document.etag.removeprefix("W/") in wanted
    since = handler.headers.get("If-Modified-Since")
    if since is None or document.last_modified is None:
        return False
    try:
        return parsedate_to_datetime(document.last_modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _write_head(
    handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], length: int
) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    if status != 304:
        handler.send_header("Content-Length", str(length))
    handler.end_headers()


def _write(
    handler: BaseHTTPRequestHandler,
    status: int,
    headers: dict[str, str],
    body: bytes,
    head_only: bool,
) -> None:
    _write_head(handler, status, headers, len(body))
    if body and not head_only and status != 304:
        handler.wfile.write(body)


class _Server(LocalServer):
    feeds: FeedServer


class _Handler(NoDelayHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.feeds.answer(self, head_only=False)

    def do_HEAD(self) -> None:
        self.server.feeds.answer(self, head_only=True)

    def log_message(self, format: str, *args: Any) -> None:
        pass
