"""The delivery's Bot API client against the fake Bot API over real HTTP: what goes on the wire,
the message id it answers, and every error raised exactly as python-telegram-bot raises it (each
fault is answered once to PTB's own `Bot` and once to `BotAPI`, and the two errors compared)."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, LinkPreviewOptions
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.delivery.botapi import BotAPI, NotSent, inline_keyboard
from bot.delivery.recovery import ptb_keyboard as keyboard
from bot.render.buttons import Keyboard, from_json
from tests.delivery.conftest import alert_buttons as stored_buttons
from tests.fakes.telegram_api import FakeBotAPI


def alert_buttons(article_id: int) -> Keyboard:
    """An alert's keyboard: mute, and open the article."""
    return from_json(stored_buttons(article_id))


CHAT = 777
HTML = "<b>Amazon</b> announces Trainium3\n<i>Why: $AMZN</i>"


def send(fake: FakeBotAPI, text: str = HTML, **options: Any) -> int:
    async def run() -> int:
        async with BotAPI(fake.url, fake.token, read_timeout=0.5) as api:
            return await api.send_message(CHAT, text, **options)

    return asyncio.run(run())


def error_of(call: Callable[[], Any]) -> TelegramError:
    with pytest.raises(TelegramError) as caught:
        call()
    return caught.value


def ptb_error(fake: FakeBotAPI, text: str = HTML, *, token: str | None = None) -> TelegramError:
    """The error PTB's own Bot raises for the same request (same timeouts)."""

    async def run() -> None:
        request = HTTPXRequest(read_timeout=0.5)
        async with Bot(token or fake.token, base_url=f"{fake.url}/bot", request=request) as bot:
            await bot.send_message(CHAT, text, parse_mode="HTML")

    # Bot.__aenter__ calls getMe, which must not meet the fault: faults here concern sends.
    return error_of(lambda: asyncio.run(run()))


def ours_error(fake: FakeBotAPI, text: str = HTML, *, token: str | None = None) -> TelegramError:
    async def run() -> None:
        async with BotAPI(fake.url, token or fake.token, read_timeout=0.5) as api:
            await api.send_message(CHAT, text, parse_mode="HTML")

    return error_of(lambda: asyncio.run(run()))


def assert_same(ours: TelegramError, ptb: TelegramError) -> None:
    assert type(ours) is type(ptb)
    assert ours.message == ptb.message
    assert str(ours) == str(ptb)
    if isinstance(ptb.__cause__, TelegramError) or ptb.__cause__ is None:
        assert type(ours.__cause__) is type(ptb.__cause__)
    else:  # a transport error: httpx's under PTB, aiohttp's under ours
        assert ours.__cause__ is not None


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake is on 127.0.0.1: a proxy set in the environment must not be asked for it."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_a_send_answers_the_message_id_and_puts_exactly_the_alert_on_the_wire(
    fake: FakeBotAPI,
) -> None:
    fake.add_chat(CHAT, "supergroup", is_forum=True)
    first = send(fake)
    markup = inline_keyboard(alert_buttons(5))
    second = send(
        fake,
        parse_mode="HTML",
        reply_markup=markup,
        link_previews=False,
        disable_notification=True,
        message_thread_id=12,
    )
    assert (first, second) == (1, 2)
    plain, full = (r["params"] for r in fake.sent(CHAT))
    assert plain == {"chat_id": CHAT, "text": HTML, "link_preview_options": {"is_disabled": False}}
    assert full == {
        "chat_id": CHAT,
        "text": HTML,
        "parse_mode": "HTML",
        "reply_markup": {
            "inline_keyboard": [
                [
                    {"text": "Mute AMZN", "callback_data": "mute:1"},
                    {"text": "Open", "url": "https://news.example.com/5"},
                ]
            ]
        },
        "link_preview_options": {"is_disabled": True},
        "disable_notification": True,
        "message_thread_id": 12,
    }
    message = fake.chat_messages(CHAT)[-1]
    assert message["message_id"] == 2
    assert message["message_thread_id"] == 12
    assert message["text"] == "Amazon announces Trainium3\nWhy: $AMZN"


def test_the_request_is_json_and_the_same_as_ptbs(fake: FakeBotAPI) -> None:
    """The fields PTB would send for the same message, with the same values (recovery probes
    with PTB's keyboard, so the two must be one keyboard)."""
    buttons = alert_buttons(9)

    async def with_ptb() -> None:
        async with Bot(fake.token, base_url=f"{fake.url}/bot") as bot:
            await bot.send_message(
                CHAT,
                HTML,
                parse_mode="HTML",
                reply_markup=keyboard(buttons),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                disable_notification=True,
            )

    asyncio.run(with_ptb())
    send(
        fake,
        parse_mode="HTML",
        reply_markup=inline_keyboard(buttons),
        link_previews=False,
        disable_notification=True,
    )
    theirs, ours = (r["params"] for r in fake.sent(CHAT))
    assert ours == theirs
    markup = keyboard(buttons)
    assert markup is not None
    assert inline_keyboard(buttons) == markup.to_dict()


def test_stored_keyboards_become_telegrams_reply_markup() -> None:
    assert inline_keyboard(from_json("[]")) is None
    assert inline_keyboard(from_json("")) is None
    assert inline_keyboard(from_json(None)) is None
    stored = json.dumps([[{"label": "Open", "url": "https://x.example"}]])
    assert inline_keyboard(from_json(stored)) == {
        "inline_keyboard": [[{"text": "Open", "url": "https://x.example"}]]
    }


def test_flood_control_is_retry_after_with_telegrams_wait(fake: FakeBotAPI) -> None:
    fake.fail_next("sendMessage", retry_after=7)
    ptb = ptb_error(fake)
    fake.fail_next("sendMessage", retry_after=7)
    ours = ours_error(fake)
    assert isinstance(ours, RetryAfter)
    assert_same(ours, ptb)
    assert ours.retry_after == timedelta(seconds=7)  # PTB_TIMEDELTA=1, as the bot sets it


def test_a_migrated_group_names_its_new_chat(fake: FakeBotAPI) -> None:
    fake.fail_next("sendMessage", migrate_to_chat_id=-1009999)
    ptb = ptb_error(fake)
    fake.fail_next("sendMessage", migrate_to_chat_id=-1009999)
    ours = ours_error(fake)
    assert isinstance(ours, ChatMigrated)
    assert ours.new_chat_id == -1009999
    assert_same(ours, ptb)


def test_a_blocked_bot_is_forbidden(fake: FakeBotAPI) -> None:
    fake.block_chat(CHAT)
    ours = ours_error(fake)
    assert isinstance(ours, Forbidden)
    assert ours.message == "Forbidden: bot was blocked by the user"
    assert_same(ours, ptb_error(fake))


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("Bad Request: chat not found", "Chat not found"),
        ("Bad Request: user is deactivated", "User is deactivated"),
        ("Bad Request", "Bad Request"),
    ],
)
def test_bad_requests_carry_telegrams_description_as_ptb_words_it(
    fake: FakeBotAPI, description: str, message: str
) -> None:
    fake.fail_next("sendMessage", error_code=400, description=description)
    ours = ours_error(fake)
    assert isinstance(ours, BadRequest)
    assert ours.message == message
    fake.fail_next("sendMessage", error_code=400, description=description)
    assert_same(ours, ptb_error(fake))


def test_html_telegram_cannot_parse_is_a_bad_request(fake: FakeBotAPI) -> None:
    broken = "<b>unclosed"
    ours = ours_error(fake, broken)
    assert isinstance(ours, BadRequest)
    assert ours.message.startswith("Can't parse entities")
    assert_same(ours, ptb_error(fake, broken))


@pytest.mark.parametrize(
    ("code", "kind"),
    [(500, NetworkError), (502, NetworkError), (409, Conflict), (403, Forbidden)],
)
def test_other_statuses_map_as_in_ptb(fake: FakeBotAPI, code: int, kind: type) -> None:
    fake.fail_next("sendMessage", error_code=code)
    ours = ours_error(fake)
    assert type(ours) is kind
    fake.fail_next("sendMessage", error_code=code)
    assert_same(ours, ptb_error(fake))


def test_unknown_parameters_are_named_in_the_message(fake: FakeBotAPI) -> None:
    fake.fail_next("sendMessage", error_code=400, description="Bad Request: odd", retry_after=0)
    ours = ours_error(fake)
    assert isinstance(ours, BadRequest)
    assert "unknown parameters: {'retry_after': 0}" in ours.message
    fake.fail_next("sendMessage", error_code=400, description="Bad Request: odd", retry_after=0)
    assert_same(ours, ptb_error(fake))


def test_a_wrong_token_is_invalid_token() -> None:
    with FakeBotAPI(token="42:RIGHT") as fake:
        ours = ours_error(fake, token="42:WRONG")
        assert isinstance(ours, InvalidToken)
        assert ours.message == "Unauthorized"


def test_a_wrong_api_root_is_invalid_token_as_ptb_says_for_404(fake: FakeBotAPI) -> None:
    async def run() -> None:
        async with BotAPI(f"{fake.url}/nowhere", fake.token) as api:
            await api.send_message(CHAT, "hello")

    ours = error_of(lambda: asyncio.run(run()))
    assert isinstance(ours, InvalidToken)
    assert ours.message == "Not Found"


def test_a_proxy_page_instead_of_json_is_a_network_error(fake: FakeBotAPI) -> None:
    page = b"<html><body>502 Bad Gateway</body></html>"
    fake.answer_raw_next("sendMessage", 502, page)
    ours = ours_error(fake)
    assert type(ours) is NetworkError
    assert ours.message == f"Bad Gateway (502). Parsing the server response {page!r} failed"
    assert isinstance(ours.__cause__, TelegramError)
    fake.answer_raw_next("sendMessage", 502, page)
    assert_same(ours, ptb_error(fake))
    assert fake.accepted_count(CHAT) == 0


def test_a_success_that_is_not_json_is_an_invalid_server_response(fake: FakeBotAPI) -> None:
    fake.answer_raw_next("sendMessage", 200, b"OK")
    ours = ours_error(fake)
    assert type(ours) is TelegramError
    assert ours.message == "Invalid server response"
    fake.answer_raw_next("sendMessage", 200, b"OK")
    assert_same(ours, ptb_error(fake))


def test_a_stalled_server_times_out(fake: FakeBotAPI) -> None:
    fake.set_delay(2.0, "sendMessage")
    ours = ours_error(fake)  # read timeout 0.5 s
    assert isinstance(ours, TimedOut)
    assert ours.message == "Timed out"
    assert_same(ours, ptb_error(fake))


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A port on 127.0.0.1 where nothing listens (bound, never listening)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_no_server_is_a_network_error_that_says_the_request_never_left(dead_port: int) -> None:
    """A refused connection: the message certainly did not arrive, so it can be sent again
    blindly (every other transport failure leaves that open)."""

    async def run() -> None:
        async with BotAPI(f"http://127.0.0.1:{dead_port}", "1:T") as api:
            await api.send_message(CHAT, "hello")

    ours = error_of(lambda: asyncio.run(run()))
    assert type(ours) is NotSent
    assert isinstance(ours, NetworkError)


def test_a_server_that_hangs_up_is_a_network_error() -> None:
    """Accepts, reads the request, closes without answering."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def hang_up() -> None:
        connection, _ = server.accept()
        connection.recv(65536)
        connection.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()

    async def run() -> None:
        async with BotAPI(f"http://127.0.0.1:{port}", "1:T") as api:
            await api.send_message(CHAT, "hello")

    try:
        ours = error_of(lambda: asyncio.run(run()))
    finally:
        thread.join(5)
        server.close()
    assert type(ours) is NetworkError


def test_one_client_sends_many_at_once_over_its_pool(fake: FakeBotAPI) -> None:
    async def run() -> list[int]:
        async with BotAPI(fake.url, fake.token, pool_size=4) as api:
            return await asyncio.gather(
                *(api.send_message(1000 + n, f"hello {n}") for n in range(40))
            )

    assert asyncio.run(run()) == [1] * 40  # each chat's first message
    assert sum(fake.accepted.values()) == 40


class _Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b'{"ok":true,"result":{"message_id":31,"date":0,"chat":{"id":1,"type":"private"}}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate; its URL and the cert."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_https_trusts_what_ptb_trusts(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram is HTTPS: certificates are verified, against the roots httpx (so PTB) uses,
    which SSL_CERT_FILE can replace."""
    url, cert = tls_server

    async def run() -> int:
        async with BotAPI(url, "1:T") as api:
            return await api.send_message(CHAT, "hello")

    untrusted = error_of(lambda: asyncio.run(run()))
    assert type(untrusted) is NotSent  # no TLS connection: the request never left
    assert "certificate" in untrusted.message.lower()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert asyncio.run(run()) == 31
