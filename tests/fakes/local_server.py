"""What the fake servers share: a threaded HTTP server on 127.0.0.1 that can cut its own
keep-alive connections when stopped, and a handler that answers without Nagle's delay.

In: a handler class. Out: `LocalServer` (a ThreadingHTTPServer) and `NoDelayHandler`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LocalServer(ThreadingHTTPServer):
    """Serves each connection in a daemon thread and remembers them, so that `stop()` can
    end keep-alive connections (and their threads) with the server."""

    daemon_threads = True
    # Real servers do not reset connections under load; the default backlog of 5 would, as
    # soon as a client opens a few dozen connections at once.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut keep-alive connections so their handler threads end with the server."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (or close_connections) are not errors worth a traceback."""


class NoDelayHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; headers and body go out at once."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
