"""What the fake servers share: a threaded HTTP server on 127.0.0.1 that can cut its own
keep-alive connections when stopped, a handler that answers without Nagle's delay, and the
start/stop lifecycle of a fake that serves in a daemon thread.

In: a handler class. Out: `LocalServer` (a ThreadingHTTPServer), `NoDelayHandler` and
`ServedInThread` (the base of `FeedServer` and `FakeBotAPI`).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


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


class ServedInThread:
    """`start()` serves a `LocalServer` on a free port of 127.0.0.1 in a daemon thread;
    `stop()` wakes the answers that wait (`_wake`), cuts open connections and joins the thread;
    `with` does both. Subclasses make their server (`_new_server`)."""

    def __init__(self) -> None:
        self._stopping = threading.Event()  # set while stopping: waiting answers end
        self._server: LocalServer | None = None
        self._thread: threading.Thread | None = None

    def _new_server(self) -> LocalServer:
        raise NotImplementedError

    def _wake(self) -> None:
        self._stopping.set()

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = self._server = self._new_server()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=type(self).__name__,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._wake()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def root(self) -> str:
        """e.g. "http://127.0.0.1:40123"."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"
