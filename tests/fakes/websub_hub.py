"""A WebSub hub on 127.0.0.1, as W3C WebSub describes one, for tests and the latency bench.

In:  subscription requests POSTed to `url` (hub.mode, hub.topic, hub.callback, hub.secret,
     hub.lease_seconds, form-encoded), unsubscriptions (hub.mode=unsubscribe: checked the
     same way, with hub.mode=unsubscribe and a challenge; the subscriber is dropped when it
     echoes it); `publish(topic, body)` from the test.
Out: 202 to a well-formed request, then, from a thread of its own, the intent check: a GET on
     the callback with hub.mode=subscribe, hub.topic, hub.challenge and hub.lease_seconds (the
     lease it grants: `lease_seconds`, else what was asked); the subscription counts as
     verified only when the answer is 2xx and echoes the challenge. With `deny=True` it sends
     hub.mode=denied instead; with `refuse=<status>` it answers the request itself with that
     status and checks nothing. `publish` POSTs the body to every verified subscriber of the
     topic with X-Hub-Signature (sha256 HMAC with the subscriber's secret; `forge=True` signs
     with another secret, `unsigned=True` sends none) and returns the statuses.
     `move(path, to, status)` makes a request to `path` answer a redirect to `to` instead.
Fails: a request missing a field answers 400, a GET 405. Records every request (`requests`:
method, path, Host header, form), redirected or not, and intent check (`checks`) with the time
it happened.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

import httpx

from bot.websub.signature import sign
from tests.fakes.local_server import LocalServer, NoDelayHandler, ServedInThread

FIELDS = ("hub.mode", "hub.topic", "hub.callback")


@dataclass(frozen=True)
class Request:
    form: dict[str, str]
    at: float  # time.monotonic()
    path: str = "/"
    host: str = ""  # the Host header
    method: str = "POST"


@dataclass(frozen=True)
class Check:
    callback: str
    mode: str
    status: int
    echoed: bool
    lease_seconds: int
    at: float


@dataclass
class Subscriber:
    callback: str
    secret: str
    lease_seconds: int
    verified_at: float


class FakeHub(ServedInThread):
    """See the module docstring; `url` is the hub's endpoint."""

    def __init__(
        self, *, lease_seconds: int | None = None, deny: bool = False, refuse: int | None = None
    ) -> None:
        super().__init__()
        self.lease_seconds = lease_seconds
        self.deny = deny
        self.refuse = refuse
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        self.checks: list[Check] = []
        self.subscribers: dict[str, dict[str, Subscriber]] = {}  # topic -> callback -> sub
        self.moves: dict[str, tuple[int, str]] = {}  # path -> (redirect status, Location)

    def _new_server(self) -> LocalServer:
        hub = self

        class Handler(NoDelayHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                self._answer(*hub._request(self.command, self.path, self.headers["Host"], body))

            def do_GET(self) -> None:
                self._answer(*hub._request(self.command, self.path, self.headers["Host"], ""))

            def _answer(self, status: int, location: str | None) -> None:
                self.send_response(status)
                if location is not None:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return LocalServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return self.root + "/"

    def move(self, path: str, to: str, status: int) -> str:
        """Requests to `path` answer `status` with `Location: to`; the URL of `path`."""
        self.moves[path] = (status, to)
        return self.root + path

    # ---------------------------------------------------------------- the hub's side

    def _request(self, method: str, path: str, host: str, body: str) -> tuple[int, str | None]:
        """The status (and Location) to answer a request with."""
        form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
        with self._lock:
            self.requests.append(Request(form, time.monotonic(), path, host, method))
        if path in self.moves:
            return self.moves[path]
        if method != "POST":
            return 405, None
        if any(not form.get(name) for name in FIELDS):
            return 400, None
        if self.refuse is not None:
            return self.refuse, None
        threading.Thread(target=self._check_intent, args=(form,), daemon=True).start()
        return 202, None

    def _check_intent(self, form: dict[str, str]) -> None:
        time.sleep(0.05)  # after our 202 has gone out, as real hubs do
        callback, topic = form["hub.callback"], form["hub.topic"]
        asked = int(form.get("hub.lease_seconds") or 0) or 864000
        lease = self.lease_seconds or asked
        challenge = secrets.token_urlsafe(16)
        leaving = form["hub.mode"] == "unsubscribe"
        mode = "unsubscribe" if leaving else "denied" if self.deny else "subscribe"
        params = {"hub.mode": mode, "hub.topic": topic}
        if mode == "denied":
            params["hub.reason"] = "not allowed here"
        else:
            params["hub.challenge"] = challenge
        if mode == "subscribe":
            params["hub.lease_seconds"] = str(lease)
        try:
            answer = httpx.get(callback, params=params, timeout=10)
            status, echoed = answer.status_code, answer.text == challenge
        except httpx.HTTPError:
            status, echoed = 0, False
        now = time.monotonic()
        with self._lock:
            self.checks.append(Check(callback, mode, status, echoed, lease, now))
            confirmed = 200 <= status < 300 and echoed
            if mode == "subscribe" and confirmed:
                sub = Subscriber(callback, form.get("hub.secret", ""), lease, now)
                self.subscribers.setdefault(topic, {})[callback] = sub
            elif mode == "unsubscribe" and confirmed:
                self.subscribers.get(topic, {}).pop(callback, None)

    # ---------------------------------------------------------------- the test's side

    def verified(self, topic: str) -> list[Subscriber]:
        with self._lock:
            return list(self.subscribers.get(topic, {}).values())

    def wait_for(self, predicate: object, timeout: float = 20.0) -> None:
        assert callable(predicate)
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, "the hub did not see what was awaited"
            time.sleep(0.05)

    def publish(
        self,
        topic: str,
        body: bytes,
        *,
        content_type: str = "application/rss+xml",
        forge: bool = False,
        unsigned: bool = False,
    ) -> list[int]:
        """Deliver `body` to the topic's verified subscribers; their answers' statuses."""
        statuses = []
        for sub in self.verified(topic):
            headers = {"Content-Type": content_type}
            if not unsigned:
                secret = "not-the-subscriber-secret" if forge else sub.secret
                headers["X-Hub-Signature"] = sign(body, secret)
            statuses.append(httpx.post(sub.callback, content=body, headers=headers).status_code)
        return statuses
