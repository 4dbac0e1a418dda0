"""The health and metrics endpoints over HTTP: GET /healthz and GET /metrics.

In: a host and port, a `check()` that says whether this process is healthy (with details),
and a `refresh()` that updates gauges read from the database just before a scrape.
Out: a small HTTP server in a daemon thread (it never blocks the bot's event loop).
/healthz answers 200 with JSON when healthy, 503 with the reason when not; /metrics answers
in the Prometheus text format. Errors inside check/refresh become a 503/500, never a crash.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST

from bot.observability.metrics import render

log = logging.getLogger(__name__)

Check = Callable[[], tuple[bool, dict[str, Any]]]


class HealthServer:
    """Serve /healthz and /metrics on host:port until `stop()`."""

    def __init__(
        self, host: str, port: int, check: Check, refresh: Callable[[], None] = lambda: None
    ) -> None:
        self.check = check
        self.refresh = refresh
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> HealthServer:
        self._thread.start()
        log.info("health and metrics on port %d", self.port)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/healthz":
                    self._health()
                elif path == "/metrics":
                    self._metrics()
                else:
                    self._send(404, "text/plain", b"not found\n")

            def _health(self) -> None:
                try:
                    healthy, details = owner.check()
                except Exception as exc:  # a broken check is an unhealthy process
                    healthy, details = False, {"error": str(exc)}
                body = json.dumps({"status": "ok" if healthy else "unhealthy", **details})
                self._send(200 if healthy else 503, "application/json", body.encode())

            def _metrics(self) -> None:
                try:
                    owner.refresh()
                except Exception:
                    log.exception("could not refresh the outbox gauges")
                self._send(200, CONTENT_TYPE_LATEST, render())

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Scrapes are not events worth a log line."""

        return Handler
