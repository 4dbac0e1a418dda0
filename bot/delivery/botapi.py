"""A lean Bot API client for the delivery hot path: sendMessage, and editMessageReplyMarkup to
look for a message whose answer was lost.

In: the Bot API root (TELEGRAM_API_URL, e.g. "https://api.telegram.org"), the bot token, the
request timeouts; for each send the chat id, the text and the message's options, the inline
keyboard as Telegram's JSON (`inline_keyboard`, from `bot.render.buttons.Keyboard`). Out: the
id of the message Telegram created (an int). Fails: with python-telegram-bot's own exception
classes, built exactly as PTB's `BaseRequest._request_wrapper` builds them (same classes, same
messages, `RetryAfter.retry_after`, `ChatMigrated.new_chat_id`), so callers handle errors the
same whichever client sent:
- 429 (or any error with parameters.retry_after) -> `RetryAfter`; parameters.migrate_to_chat_id
  -> `ChatMigrated`;
- 400 -> `BadRequest`, 403 -> `Forbidden`, 401 / 404 -> `InvalidToken`, 409 -> `Conflict`, any
  other status (5xx) -> `NetworkError`; the message is Telegram's "description" (PTB's
  `TelegramError` drops a "Bad Request: " prefix and capitalises the rest);
- a timeout -> `TimedOut`; any other transport failure -> `NetworkError`; except that a
  failure to connect (refused, no route, no connection within the connect timeout: the
  request never left) -> `NotSent`, a `NetworkError` too. Everything else that is not an
  answer from Telegram (a timeout, a reset, a 5xx: maybe from a proxy after delivery) leaves
  it open whether the message arrived (`bot.delivery.failures.unanswered`);
- a 2xx answer that is not JSON -> `TelegramError("Invalid server response")`.

Why not PTB's `Bot.send_message`: at hundreds of messages a second it costs several ms of CPU
per message (PTB objects for the arguments, `RequestData`, a form-encoded body, a whole
`Message` built from the answer), most of the sender's budget. Here the JSON body is built once
from plain values and only "message_id" is read from the answer. The rest of the bot (chat
handlers, recovery's editMessageReplyMarkup) keeps using PTB's `Bot`.

HTTP goes through one `aiohttp.ClientSession` (one pool of keep-alive connections), opened at
the first send (inside the running event loop) and kept until `aclose()` (or `async with`).
aiohttp rather than httpx (which PTB uses): measured against the fake Bot API with 16 requests
in flight, httpx cost 1.6 ms of CPU per request (its pool looks at every connection for every
request), aiohttp 0.28 ms.
"""

from __future__ import annotations

import json
import re
import urllib.request
from http import HTTPStatus
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp
import httpx
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

from bot.render.buttons import Button, Keyboard

JSON = dict[str, Any]

_HEADERS = {"Content-Type": "application/json", "User-Agent": "investor-alert-bot delivery"}
# Compact separators: the body is only for Telegram, and smaller is cheaper to send and read.
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


_BALANCE_SHORT = re.compile(r"balance|\bstars?\b", re.IGNORECASE)


class NotSent(NetworkError):
    """The request never left (no connection to the Bot API): it can be sent again as it is."""


class SendApi(Protocol):
    """What the sender needs of Telegram: sendMessage, answering the new message's id, and
    editMessageReplyMarkup, answering the message's text (a probe: `bot.delivery.recovery`)."""

    async def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        parse_mode: str | None = None,
        reply_markup: JSON | None = None,
        link_previews: bool = True,
        disable_notification: bool = False,
        message_thread_id: int | None = None,
        paid_broadcast: bool = False,
    ) -> int: ...

    async def edit_reply_markup(
        self, chat_id: int, message_id: int, reply_markup: JSON | None
    ) -> str | None: ...


def inline_keyboard(keyboard: Keyboard) -> JSON | None:
    """Telegram's reply_markup for a message's keyboard, or None when it has no buttons. The
    same JSON PTB sends for `bot.delivery.recovery.ptb_keyboard` (absent fields left out)."""
    if not keyboard:
        return None  # most rows (digests, notices) have none
    return {"inline_keyboard": [[_button(b) for b in row] for row in keyboard]}


def _button(button: Button) -> JSON:
    out: JSON = {"text": button.label}
    if button.url is not None:
        out["url"] = button.url
    if button.callback_data is not None:
        out["callback_data"] = button.callback_data
    return out


def error_for(status: int, payload: bytes) -> TelegramError:
    """The exception PTB raises for a non-2xx answer (`BaseRequest._request_wrapper`)."""
    try:
        message = f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        message = f"Unknown HTTPError ({status})"
    parsing_failed: TelegramError | None = None
    try:
        data = json.loads(payload.decode("utf-8", "replace"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        message += f". Parsing the server response {payload!r} failed"
        parsing_failed = TelegramError("Invalid server response")
        parsing_failed.__cause__ = exc
    else:
        message = data.get("description") or message
        parameters = data.get("parameters")
        if parameters:
            # As PTB: these two win over the status code.
            if migrate_to_chat_id := parameters.get("migrate_to_chat_id"):
                return ChatMigrated(migrate_to_chat_id)
            if retry_after := parameters.get("retry_after"):
                return RetryAfter(retry_after)
            message += f". The server response contained unknown parameters: {parameters}"
    exception: TelegramError
    if status == HTTPStatus.FORBIDDEN:
        exception = Forbidden(message)
    elif status in (HTTPStatus.NOT_FOUND, HTTPStatus.UNAUTHORIZED):
        exception = InvalidToken(message)
    elif status == HTTPStatus.BAD_REQUEST:
        exception = BadRequest(message)
    elif status == HTTPStatus.CONFLICT:
        exception = Conflict(message)
    else:
        exception = NetworkError(message)
    if parsing_failed is not None:
        exception.__cause__ = parsing_failed
    return exception


def is_balance_short(error: BadRequest) -> bool:
    """Whether Telegram refused a paid broadcast because the bot's Stars balance cannot pay
    for it. The Bot API documents no wording for this 400; Telegram's own error is
    BALANCE_TOO_LOW, so a 400 that speaks of the balance or of Stars is taken as it (words, not
    parts of words: "starting at byte offset" is an HTML error)."""
    return _BALANCE_SHORT.search(error.message) is not None


def message_id_of(payload: bytes) -> int:
    """The new message's id from a 2xx answer; TelegramError when the answer is not one."""
    try:
        data = json.loads(payload.decode("utf-8", "replace"))
        return int(data["result"]["message_id"])
    except (ValueError, TypeError, KeyError) as exc:
        raise TelegramError("Invalid server response") from exc


class BotAPI:
    """sendMessage over one keep-alive connection pool; see the module docstring.

    The timeouts: 5 s to connect and to write, 1 s to get a connection from the pool (PTB's
    `HTTPXRequest` defaults), and 30 s to read the answer (PTB's 5 s took a Telegram slow under
    load for a lost answer, which costs a probe of the chat: `bot.delivery.recovery`).
    aiohttp has no write timeout: the whole request is capped at connect + write + read.
    Proxies from the environment (HTTPS_PROXY ...) are used as httpx would use them.
    """

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        pool_size: int = 256,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        write_timeout: float = 5.0,
        pool_timeout: float = 1.0,
    ) -> None:
        self._root = f"{api_url.rstrip('/')}/bot{token}/"
        self._url = f"{self._root}sendMessage"
        self._pool_size = pool_size
        self._timeout = aiohttp.ClientTimeout(
            total=connect_timeout + write_timeout + read_timeout,
            connect=pool_timeout + connect_timeout,
            sock_connect=connect_timeout,
            sock_read=read_timeout,
        )
        # Looked up once: aiohttp's trust_env would read the environment on every request.
        self._proxy = _env_proxy(api_url)
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Made here, not in __init__: a session belongs to the event loop it is made in.
        # HTTPS trusts what httpx (PTB) trusts: certifi's roots, or SSL_CERT_FILE / _DIR; a
        # slim container may have no system roots for aiohttp's default to find.
        tls = httpx.create_ssl_context() if self._url.startswith("https:") else True
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=tls),
            timeout=self._timeout,
            headers=_HEADERS,
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self._session

    async def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        parse_mode: str | None = None,
        reply_markup: JSON | None = None,
        link_previews: bool = True,
        disable_notification: bool = False,
        message_thread_id: int | None = None,
        paid_broadcast: bool = False,
    ) -> int:
        """Send a text message; its message id. Raises PTB's errors (module docstring).
        `paid_broadcast`: sent with allow_paid_broadcast (Telegram's 1,000 a second, paid in
        Stars; a short balance is a `BadRequest`: `is_balance_short`)."""
        body: JSON = {
            "chat_id": chat_id,
            "text": text,
            "link_preview_options": {"is_disabled": not link_previews},
        }
        if parse_mode is not None:
            body["parse_mode"] = parse_mode
        if reply_markup is not None:
            body["reply_markup"] = reply_markup
        if disable_notification:
            body["disable_notification"] = True
        if message_thread_id is not None:
            body["message_thread_id"] = message_thread_id
        if paid_broadcast:
            body["allow_paid_broadcast"] = True
        status, payload = await self._post(_dumps(body).encode())
        if 200 <= status <= 299:
            return message_id_of(payload)
        raise error_for(status, payload)

    async def edit_reply_markup(
        self, chat_id: int, message_id: int, reply_markup: JSON | None
    ) -> str | None:
        """editMessageReplyMarkup (no markup: the buttons taken off); the edited message's
        text (None if it has none). Raises PTB's errors, as `send_message`: "message is not
        modified" is a `BadRequest`."""
        body: JSON = {"chat_id": chat_id, "message_id": message_id}
        if reply_markup is not None:
            body["reply_markup"] = reply_markup
        url = f"{self._root}editMessageReplyMarkup"
        status, payload = await self._post(_dumps(body).encode(), url)
        if not 200 <= status <= 299:
            raise error_for(status, payload)
        try:
            result = json.loads(payload.decode("utf-8", "replace"))["result"]
        except (ValueError, TypeError, KeyError) as exc:
            raise TelegramError("Invalid server response") from exc
        shown = result.get("text") if isinstance(result, dict) else None
        return shown if isinstance(shown, str) else None

    async def _post(self, content: bytes, url: str | None = None) -> tuple[int, bytes]:
        session = self._session or self._open()
        try:
            async with session.post(url or self._url, data=content, proxy=self._proxy) as response:
                return response.status, await response.read()
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            # Before TimeoutError: no connection, so the request never left.
            raise NotSent(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc
        except TimeoutError as exc:  # aiohttp's connect and read timeouts are TimeoutErrors
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc
        except Exception as exc:  # as PTB: whatever else the transport raises is a network error
            raise NetworkError(f"Unknown error in HTTP implementation: {exc!r}") from exc

    async def aclose(self) -> None:
        """Close the pool's connections (at shutdown)."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> BotAPI:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _env_proxy(url: str) -> str | None:
    """The proxy the environment sets for `url` (HTTPS_PROXY, NO_PROXY ...), if any."""
    parts = urlsplit(url)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme)
