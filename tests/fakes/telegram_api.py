"""A fake Telegram Bot API server for end-to-end tests, speaking the real wire protocol.

In:  HTTP requests from a real bot (python-telegram-bot with `base_url=f"{fake.url}/bot"`, or the
     bot process started with `TELEGRAM_API_URL=fake.url`): `POST /bot<TOKEN>/<method>` with
     form-urlencoded, multipart or JSON parameters, and `GET /file/bot<TOKEN>/<path>` downloads.
     From the test: `user_sends`, `press_button`, `send_document_from_user`, fault injection.
Out: Telegram-shaped answers (`{"ok": true, "result": ...}` or `{"ok": false, "error_code": ...,
     "description": ..., "parameters": ...}`), and a thread-safe record of what the bot did:
     `sent()`, `wait_for_sent()`, `calls`, `commands`, `accepted_count()`.
Fails: a test-side helper raises AssertionError when the bot did not do what the test expects
     (`wait_for_sent` timeout, a button that is not on the message). A bug in this fake answers
     HTTP 500 and is kept in `server_errors`, so a test can assert it stayed empty.

The server runs in a background thread of the test process on 127.0.0.1 (a free port), so the
bot under test can live in another process. Messages sent with parse_mode=HTML are checked with
`telegram_html` (stricter than Telegram: see that module). Optional Telegram-like flood control:
`set_flood_limits()` (1,000 a second overall for sends with allow_paid_broadcast, 30
otherwise), and a Stars balance for paid broadcasts: `set_star_balance()`. Answers that go
astray: `lose_answer_next()` (delivered, then the connection is dropped without an answer,
as when a timeout, a reset or a proxy loses it) and `set_chaos()` (429s, 502s before and
after delivery, slow and lost answers at random). Not
modelled: webhook delivery (setWebhook is only recorded), MarkdownV2
parsing, auto-detected url/cashtag entities, and "bot can't initiate conversation" (a send to an
unknown chat id creates that chat: private for positive ids, supergroup for -100...).
"""

from __future__ import annotations

import contextlib
import copy
import email.parser
import email.policy
import json
import math
import random
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.local_server import LocalServer, NoDelayHandler, ServedInThread
from tests.fakes.telegram_html import (
    MAX_CAPTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    parse_telegram_html,
    utf16_len,
)

JSON = dict[str, Any]

DEFAULT_USER_ID = 1001
DEFAULT_GROUP_ID = -1001000000001
BLOCKED_DESCRIPTION = "Forbidden: bot was blocked by the user"
# Telegram's answer to a paid broadcast the bot's Stars cannot pay for (MTProto's error name;
# the Bot API documents no wording for it).
BALANCE_DESCRIPTION = "Bad Request: BALANCE_TOO_LOW"
PAID_BROADCAST_COST = 0.1  # Stars per message sent with allow_paid_broadcast
CONFLICT_DESCRIPTION = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)

# Parameters whose form value is JSON (PTB json-dumps every non-string value).
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "media",
        "menu_button",
        "rights",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "message_thread_id",
        "reply_to_message_id",
        "cache_time",
        "from_chat_id",
        "max_connections",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "is_personal",
        "allow_paid_broadcast",
    }
)
# Methods that put a new message into a chat: blocked chats refuse them, and they are counted.
_SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument"})
_EDIT_METHODS = frozenset({"editmessagetext", "editmessagereplymarkup"})
# Harmless setters a bot may call at start-up; recorded and answered with True.
_TRIVIAL_METHODS = frozenset(
    {
        "sendchataction",
        "setmydescription",
        "setmyshortdescription",
        "setmyname",
        "setchatmenubutton",
        "setmydefaultadministratorrights",
        "pinchatmessage",
        "unpinchatmessage",
    }
)
# How Telegram spells the methods this fake knows (the wire is case-insensitive).
_KNOWN_METHODS = {
    name.lower(): name
    for name in (
        "getMe",
        "getUpdates",
        "deleteWebhook",
        "setWebhook",
        "getWebhookInfo",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
        "answerCallbackQuery",
        "sendPhoto",
        "sendDocument",
        "getFile",
        "getChat",
        "getChatMember",
        "getChatAdministrators",
        "close",
        "logOut",
        "sendChatAction",
        "setMyDescription",
        "setMyShortDescription",
        "setMyName",
        "setChatMenuButton",
        "setMyDefaultAdministratorRights",
        "pinChatMessage",
        "unpinChatMessage",
    )
}
_MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "left", "kicked"})
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,64})?")
_BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")


class ApiError(Exception):
    """A Telegram error answer: HTTP status = error_code, with optional `parameters`."""

    def __init__(self, error_code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class _Fault:
    method: str  # lowercased
    chat_id: int | str | None
    remaining: int
    error: ApiError


@dataclass
class _RawAnswer:
    """Not Telegram's JSON: what a proxy or a broken server in front of it may answer."""

    method: str  # lowercased
    remaining: int
    status: int
    content_type: str
    body: bytes


# The status `handle` returns for "drop the connection without answering".
LOST = -1
_PROXY_502 = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


@dataclass
class Chaos:
    """What `set_chaos` does to each call of `methods`, drawn at random (seeded): a 429 with
    retry_after, a proxy's 502 before the call reaches Telegram (nothing happens), a slow
    answer, a lost answer (done, then no answer), or a proxy's 502 after it was done. The
    rest are answered normally."""

    seed: int = 1
    too_many: float = 0.0
    bad_gateway: float = 0.0
    slow: float = 0.0
    lost: float = 0.0
    late_bad_gateway: float = 0.0
    retry_after: int = 1
    slow_seconds: float = 0.3
    hang_seconds: float = 0.2  # how long a lost answer keeps the connection before dropping it
    methods: tuple[str, ...] = ("sendMessage",)

    def draw(self, rng: random.Random) -> str:
        roll = rng.random()
        for name in ("too_many", "bad_gateway", "slow", "lost", "late_bad_gateway"):
            chance: float = getattr(self, name)
            if roll < chance:
                return name
            roll -= chance
        return "ok"


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    filename: str
    content: bytes
    content_type: str

    @property
    def file_path(self) -> str:
        return f"documents/{self.file_unique_id}/{self.filename}"


@dataclass
class _Upload:
    filename: str
    content: bytes
    content_type: str


class FakeBotAPI(ServedInThread):
    """A Telegram Bot API server on 127.0.0.1; see the module docstring.

    Use as `with FakeBotAPI() as fake: ...` or call `start()`/`stop()`.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        bot_username: str = "fake_alert_bot",
        bot_name: str = "Alert Bot",
    ) -> None:
        self._expected_token = token
        self.token = token or "123456:TEST-TOKEN"
        bot_id_text = self.token.split(":", 1)[0]
        self.bot_user: JSON = {
            "id": int(bot_id_text) if bot_id_text.isdigit() else 123456,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        super().__init__()
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        # Bot API state, all guarded by _lock.
        self._next_update_id = 1
        self._updates: list[JSON] = []
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._webhook: JSON = {"url": ""}
        self._chats: dict[int, JSON] = {}
        self._users: dict[int, JSON] = {}
        self._member_status: dict[tuple[int, int], str] = {}
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[int, dict[int, JSON]] = {}
        self._accepted: dict[int, int] = {}
        self._blocked: set[int] = set()
        self._faults: list[_Fault] = []
        self._raw_answers: list[_RawAnswer] = []
        self._delay: dict[str | None, float] = {}
        self._lose: list[_Fault] = []  # (method, chat, remaining; error unused)
        self._chaos: Chaos | None = None
        self._rng = random.Random(1)
        self.lost_answers = 0  # calls done and never answered (or answered 502 after)
        self.chaos_counts: dict[str, int] = {}
        self._flood_limits: dict[str, int] = {}
        # Accepted sends: all of them within the last second, each chat's within the last
        # minute (deques, so that a check costs the same at 1,000 messages a second).
        self._overall_times: deque[float] = deque()
        self._chat_times: dict[Any, deque[float]] = {}
        self._stars: float | None = None  # the bot's Stars balance (None: never short)
        self.paid_sends = 0  # sends accepted with allow_paid_broadcast
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._last_commands: list[JSON] | None = None
        self._open_queries: dict[str, JSON] = {}
        self._next_query_id = 9_000_000_001
        self._files: dict[str, _StoredFile] = {}
        self._calls: list[JSON] = []
        self._sent: list[JSON] = []
        self._callback_answers: list[JSON] = []
        self.server_errors: list[str] = []

    # ---------------------------------------------------------------- lifecycle

    def _new_server(self) -> _Server:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.api = self
        return server

    def _wake(self) -> None:
        """Stopping also ends long polls (getUpdates waiting for an update)."""
        super()._wake()
        with self._changed:
            self._changed.notify_all()

    @property
    def url(self) -> str:
        """The root to pass as TELEGRAM_API_URL, e.g. "http://127.0.0.1:40123"."""
        return self.root

    # ---------------------------------------------------------------- test side: users act

    def add_chat(
        self,
        chat_id: int,
        chat_type: str = "private",
        title: str | None = None,
        *,
        username: str | None = None,
        is_forum: bool = False,
    ) -> JSON:
        """Create or update a chat; returns its Chat object."""
        with self._lock:
            chat: JSON = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                user = self._user(chat_id)
                chat["first_name"] = user["first_name"]
                chat["username"] = username or user.get("username")
            else:
                chat["title"] = title or f"Group {chat_id}"
                if username:
                    chat["username"] = username
                if is_forum:
                    chat["is_forum"] = True
            self._chats[chat_id] = chat
            return dict(chat)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Set what getChatMember says about `user_id` in `chat_id`."""
        if status not in _MEMBER_STATUSES:
            raise ValueError(f"status must be one of {sorted(_MEMBER_STATUSES)}")
        with self._lock:
            self._member_status[(chat_id, user_id)] = status

    def user_sends(
        self,
        text: str,
        chat_id: int | None = None,
        user_id: int = DEFAULT_USER_ID,
        chat_type: str = "private",
        chat_title: str | None = None,
        message_thread_id: int | None = None,
        *,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str = "en",
    ) -> JSON:
        """Enqueue a text message from a user, as the Update getUpdates will return.

        A leading /command (optionally /command@bot) gets a `bot_command` entity, as Telegram
        adds. In a private chat the chat id is the user id.
        """
        with self._changed:
            user = self._user(user_id, first_name, username, language_code)
            chat = self._chat_for_user(chat_id, user_id, chat_type, chat_title, message_thread_id)
            message = self._new_message(chat, user, message_thread_id)
            message["text"] = text
            command = _COMMAND_RE.match(text)
            if command:
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
                ]
            return self._enqueue({"message": message})

    def send_document_from_user(
        self,
        content: bytes,
        filename: str,
        chat_id: int | None = None,
        user_id: int = DEFAULT_USER_ID,
        *,
        caption: str | None = None,
        mime_type: str = "application/octet-stream",
        chat_type: str = "private",
    ) -> JSON:
        """Enqueue a document message from a user; the bot can getFile and download it."""
        with self._changed:
            user = self._user(user_id)
            chat = self._chat_for_user(chat_id, user_id, chat_type, None, None)
            stored = self._store_file(filename, content, mime_type)
            message = self._new_message(chat, user, None)
            message["document"] = _document_object(stored)
            if caption:
                message["caption"] = caption
            return self._enqueue({"message": message})

    def press_button(self, message: JSON | Any, data: str, user_id: int | None = None) -> JSON:
        """Enqueue a callback_query for a button with `data` on a message the bot sent.

        `message` is a Message dict, a record from `sent()`, or a PTB Message. Raises
        AssertionError when the message is gone or has no button with that callback_data.
        """
        raw = message.to_dict() if hasattr(message, "to_dict") else dict(message)
        raw = raw.get("result", raw)
        chat_id, message_id = int(raw["chat"]["id"]), int(raw["message_id"])
        with self._changed:
            current = self._messages.get(chat_id, {}).get(message_id)
            if current is None:
                raise AssertionError(f"message {message_id} in chat {chat_id} does not exist")
            offered = _callback_data(current)
            if data not in offered:
                raise AssertionError(
                    f"message {message_id} in chat {chat_id} has no button with callback_data "
                    f"{data!r}; it offers {offered}"
                )
            if user_id is None:
                user_id = chat_id if chat_id > 0 else DEFAULT_USER_ID
            query_id = str(self._next_query_id)
            self._next_query_id += 1
            query: JSON = {
                "id": query_id,
                "from": self._user(user_id),
                "message": copy.deepcopy(current),
                "chat_instance": str(abs(chat_id) * 7 + 13),
                "data": data,
            }
            self._open_queries[query_id] = query
            return self._enqueue({"callback_query": query})

    # ---------------------------------------------------------------- test side: inspect

    @property
    def calls(self) -> list[JSON]:
        """Every request: {"method", "params", "time", "status", "response"} ("response" is
        None for an `answer_raw_next` answer)."""
        with self._lock:
            return list(self._calls)

    @property
    def commands(self) -> list[JSON] | None:
        """The command list of the last successful setMyCommands (None if never called)."""
        with self._lock:
            return None if self._last_commands is None else list(self._last_commands)

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The commands currently set for a scope and language, as getMyCommands would say."""
        with self._lock:
            return list(self._commands.get(_commands_key(scope, language_code), []))

    @property
    def callback_answers(self) -> list[JSON]:
        """Parameters of every accepted answerCallbackQuery."""
        with self._lock:
            return list(self._callback_answers)

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by the bot (via a later getUpdates offset)."""
        with self._lock:
            return list(self._updates)

    def sent(self, chat_id: int | None = None, method: str | None = "sendMessage") -> list[JSON]:
        """Accepted calls of `method` (all methods when None), oldest first.

        Each record: {"method", "chat_id", "params", "text" (the raw text/caption parameter),
        "files" ({field: {"filename", "content", "content_type"}}), "result", "time"}.
        """
        wanted = method.lower() if method else None
        with self._lock:
            return [
                record
                for record in self._sent
                if (wanted is None or record["method"].lower() == wanted)
                and (chat_id is None or record["chat_id"] == chat_id)
            ]

    def wait_for_sent(
        self,
        count: int,
        chat_id: int | None = None,
        timeout: float = 10.0,
        method: str | None = "sendMessage",
    ) -> list[JSON]:
        """Block until at least `count` calls of `method` were accepted; return them all."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                records = self.sent(chat_id, method)
                if len(records) >= count:
                    return records
                left = deadline - time.monotonic()
                if left <= 0:
                    texts = [r["text"] for r in records]
                    errors = [c for c in self._calls if c["status"] != 200][-5:]
                    raise AssertionError(
                        f"expected {count} {method} to chat {chat_id}, got {len(records)} "
                        f"after {timeout}s: {texts}; last refused calls: {errors}"
                    )
                self._changed.wait(left)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block until `predicate()` (evaluated under the fake's lock) is true."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"condition not met within {timeout}s")
                self._changed.wait(left)

    def accepted_count(self, chat_id: int) -> int:
        """How many messages sendMessage/sendPhoto/sendDocument accepted for this chat."""
        with self._lock:
            return self._accepted.get(chat_id, 0)

    @property
    def accepted(self) -> dict[int, int]:
        """Accepted new messages per chat id."""
        with self._lock:
            return dict(self._accepted)

    def chat_messages(self, chat_id: int) -> list[JSON]:
        """The bot's messages as the chat shows them now (after edits, without deleted)."""
        with self._lock:
            return [
                copy.deepcopy(m)
                for m in self._messages.get(chat_id, {}).values()
                if m.get("from", {}).get("id") == self.bot_user["id"]
            ]

    # ---------------------------------------------------------------- test side: faults

    def fail_next(
        self,
        method: str,
        *,
        chat_id: int | str | None = None,
        times: int = 1,
        error_code: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Make the next `times` calls of `method` (to `chat_id`, if given) fail.

        Defaults: 429 "Too Many Requests: retry after N" with parameters.retry_after = N
        (N = retry_after or 3); with migrate_to_chat_id, 400 "Bad Request: group chat was
        upgraded to a supergroup chat" with parameters.migrate_to_chat_id. Any other
        error_code/description (e.g. 500, 403) is answered as given.
        """
        parameters: JSON = {}
        if migrate_to_chat_id is not None:
            code = error_code or 400
            text = description or "Bad Request: group chat was upgraded to a supergroup chat"
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        else:
            code = error_code or 429
            if code == 429:
                wait = retry_after if retry_after is not None else _retry_after_of(description)
                text = description or f"Too Many Requests: retry after {wait}"
                parameters["retry_after"] = wait
            else:
                text = description or _default_description(code)
                if retry_after is not None:
                    parameters["retry_after"] = retry_after
        error = ApiError(code, text, parameters or None)
        with self._lock:
            self._faults.append(_Fault(method.lower(), chat_id, times, error))

    def answer_raw_next(
        self,
        method: str,
        status: int,
        body: bytes,
        *,
        content_type: str = "text/html",
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with this HTTP status and body instead of
        Telegram's JSON (e.g. a proxy's 502 page, or a 200 that is not JSON). The call is
        recorded with the status; nothing is sent."""
        with self._lock:
            self._raw_answers.append(
                _RawAnswer(method.lower(), times, status, content_type, bytes(body))
            )

    def block_chat(self, chat_id: int) -> None:
        """From now on every send to this chat answers 403 (the user blocked the bot)."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    def set_flood_limits(
        self,
        *,
        per_chat_per_second: int | None = 1,
        per_group_per_minute: int | None = 20,
        overall_per_second: int | None = 30,
        paid_per_second: int | None = 1000,
    ) -> None:
        """Answer 429 (with retry_after) to sends beyond Telegram's published limits.

        Off by default. Counts accepted sendMessage/sendPhoto/sendDocument calls in sliding
        windows; pass None to leave one limit out. A send with allow_paid_broadcast is held to
        `paid_per_second` overall instead of `overall_per_second`.
        """
        with self._lock:
            self._flood_limits = {
                k: v
                for k, v in {
                    "per_chat_per_second": per_chat_per_second,
                    "per_group_per_minute": per_group_per_minute,
                    "overall_per_second": overall_per_second,
                    "paid_per_second": paid_per_second,
                }.items()
                if v is not None
            }

    def set_star_balance(self, stars: float | None) -> None:
        """The bot's Stars balance: each accepted paid broadcast takes `PAID_BROADCAST_COST`;
        one it cannot pay for is refused with 400 BALANCE_TOO_LOW. None: never short."""
        with self._lock:
            self._stars = stars

    def lose_answer_next(
        self, method: str, *, chat_id: int | None = None, times: int = 1, hang: float = 0.0
    ) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) are done (a message
        is delivered), then the connection is dropped after `hang` seconds, unanswered."""
        with self._lock:
            self._lose.append(_Fault(method.lower(), chat_id, times, ApiError(0, "lost")))

    def set_chaos(self, chaos: Chaos | None) -> None:
        """Answer calls at random as `chaos` says (None: no more chaos)."""
        with self._lock:
            self._chaos = chaos
            self._rng = random.Random(chaos.seed if chaos else 1)

    def _take_lost(self, name: str, params: JSON) -> bool:
        with self._lock:
            for fault in self._lose:
                if fault.method != name or fault.remaining <= 0:
                    continue
                if fault.chat_id is not None and str(fault.chat_id) != str(params.get("chat_id")):
                    continue
                fault.remaining -= 1
                self._lose = [f for f in self._lose if f.remaining > 0]
                return True
        return False

    def _draw_chaos(self, name: str) -> tuple[str, Chaos | None]:
        with self._lock:
            chaos = self._chaos
            if chaos is None or name not in {m.lower() for m in chaos.methods}:
                return "ok", None
            outcome = chaos.draw(self._rng)
            self.chaos_counts[outcome] = self.chaos_counts.get(outcome, 0) + 1
            return outcome, chaos

    def _astray(self, method: str, params: JSON, started: float) -> tuple[int, str, bytes] | None:
        """An answer `lose_answer_next` or `set_chaos` sends astray, or None for a normal one."""
        name = method.lower()
        outcome, chaos = self._draw_chaos(name)
        if self._take_lost(name, params):
            outcome, chaos = "lost", chaos or Chaos(hang_seconds=0.0)
        if chaos is None or outcome == "ok":
            return None
        if outcome == "too_many":
            wait = chaos.retry_after
            error = ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
            self._record_call(method, params, started, 429, error.payload())
            return 429, "application/json", json.dumps(error.payload()).encode()
        if outcome == "bad_gateway":
            self._record_call(method, params, started, 502, None)
            return 502, "text/html", _PROXY_502
        if outcome == "slow":
            self._stopping.wait(chaos.slow_seconds)
            return None
        try:  # lost, late_bad_gateway: done, and the answer goes astray
            result = self._dispatch(method, params)
        except ApiError as err:  # refused: that answer is lost too
            result = err.payload()
        with self._changed:
            self.lost_answers += 1
        self._record_call(method, params, started, LOST, {"ok": True, "result": result})
        if outcome == "late_bad_gateway":
            return 502, "text/html", _PROXY_502
        self._stopping.wait(chaos.hang_seconds)
        return LOST, "", b""

    def set_delay(self, seconds: float, method: str | None = None) -> None:
        """Delay every answer (or only `method`'s) by `seconds`; getUpdates is never delayed."""
        with self._lock:
            self._delay[method.lower() if method else None] = seconds

    # ---------------------------------------------------------------- HTTP side

    def handle(self, path: str, query: str, headers: Any, body: bytes) -> tuple[int, str, bytes]:
        """Answer one HTTP request: (status, content type, body)."""
        file_match = re.fullmatch(r"/file/bot([^/]*)/(.+)", path)
        if file_match:
            return self._download(file_match.group(1), file_match.group(2))
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z0-9_]+)/?", path)
        started = time.time()
        method = match.group(2) if match else path
        params: JSON = {}
        try:
            if match is None:
                raise ApiError(404, "Not Found")
            if self._expected_token is not None and match.group(1) != self._expected_token:
                raise ApiError(401, "Unauthorized")
            params = _decode_params(query, headers.get("Content-Type", ""), body)
            raw = self._take_raw_answer(method)
            if raw is not None:
                self._record_call(method, params, started, raw.status, None)
                return raw.status, raw.content_type, raw.body
            astray = self._astray(method, params, started)
            if astray is not None:
                return astray
            status, payload = 200, {"ok": True, "result": self._dispatch(method, params)}
        except ApiError as err:
            status, payload = err.error_code, err.payload()
        except Exception as err:  # a bug in this fake must not look like Telegram's answer
            message = f"{type(err).__name__}: {err}"
            with self._lock:
                self.server_errors.append(f"{method}: {message}")
            status = 500
            payload = {"ok": False, "error_code": 500, "description": f"fake crashed: {message}"}
        self._record_call(method, params, started, status, payload)
        return status, "application/json", json.dumps(payload).encode()

    def _record_call(
        self, method: str, params: JSON, started: float, status: int, payload: JSON | None
    ) -> None:
        with self._changed:
            self._calls.append(
                {
                    "method": method,
                    "params": _without_files(params),
                    "time": started,
                    "status": status,
                    "response": payload,
                }
            )
            self._changed.notify_all()

    def _take_raw_answer(self, method: str) -> _RawAnswer | None:
        name = method.lower()
        with self._lock:
            for raw in self._raw_answers:
                if raw.method == name and raw.remaining > 0:
                    raw.remaining -= 1
                    self._raw_answers = [r for r in self._raw_answers if r.remaining > 0]
                    return raw
        return None

    def _dispatch(self, method: str, params: JSON) -> Any:
        name = method.lower()
        handler = self._handlers().get(name)
        if handler is None and name not in _TRIVIAL_METHODS:
            raise ApiError(404, "Not Found")
        if name == "getupdates":
            with self._changed:
                self._check_faults(name, params)
            return self._get_updates(params)
        with self._lock:
            delay = self._delay.get(name, self._delay.get(None, 0.0))
        if delay:
            self._stopping.wait(delay)
        # Checks, the change and its record happen under one lock, so concurrent sends are
        # counted and rate-limited exactly.
        with self._changed:
            self._check_faults(name, params)
            chat_id = params.get("chat_id")
            if name in _SEND_METHODS | _EDIT_METHODS and chat_id in self._blocked:
                raise ApiError(403, BLOCKED_DESCRIPTION)
            if name in _SEND_METHODS:
                self._check_flood(chat_id, params.get("allow_paid_broadcast") is True)
            result: Any = True if handler is None else handler(params)
            self._record(method, params, result)
            return result

    def _record(self, method: str, params: JSON, result: Any) -> None:
        name = method.lower()
        record_chat = params.get("chat_id")
        if isinstance(result, dict) and "chat" in result:
            record_chat = result["chat"]["id"]
        now = time.time()
        self._sent.append(
            {
                "method": _canonical(method),
                "chat_id": record_chat,
                "params": _without_files(params),
                "text": params.get("text", params.get("caption")),
                "files": {
                    k: {
                        "filename": v.filename,
                        "content": v.content,
                        "content_type": v.content_type,
                    }
                    for k, v in params.items()
                    if isinstance(v, _Upload)
                },
                "result": result,
                "time": now,
            }
        )
        if name in _SEND_METHODS and isinstance(record_chat, int):
            self._accepted[record_chat] = self._accepted.get(record_chat, 0) + 1
            now = time.monotonic()
            self._overall_times.append(now)
            self._chat_times.setdefault(record_chat, deque()).append(now)
            if params.get("allow_paid_broadcast") is True:
                self.paid_sends += 1
                if self._stars is not None:
                    self._stars -= PAID_BROADCAST_COST
        self._changed.notify_all()

    def _check_flood(self, chat_id: Any, paid: bool) -> None:
        """429 when an accepted send would break the limits set with `set_flood_limits` (the
        overall one is `paid_per_second` for a send with allow_paid_broadcast); 400 when a paid
        broadcast finds the Stars balance short (`set_star_balance`)."""
        if paid and self._stars is not None and self._stars < PAID_BROADCAST_COST - 1e-9:
            raise ApiError(400, BALANCE_DESCRIPTION)
        limits = self._flood_limits
        if not limits:
            return
        now = time.monotonic()
        overall = self._overall_times
        while overall and now - overall[0] >= 1.0:
            overall.popleft()
        mine = self._chat_times.get(chat_id, deque())
        while mine and now - mine[0] >= 60.0:
            mine.popleft()
        is_group = isinstance(chat_id, int) and chat_id < 0
        windows = [
            ("per_chat_per_second", 1.0, mine),
            ("per_group_per_minute", 60.0, mine if is_group else deque()),
            ("paid_per_second" if paid else "overall_per_second", 1.0, overall),
        ]
        for key, window, times in windows:
            limit = limits.get(key)
            if limit is None:
                continue
            recent = [t for t in times if now - t < window] if window < 60.0 else list(times)
            if len(recent) >= limit:
                wait = max(1, math.ceil(window - (now - recent[-int(limit)])))
                raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    def _handlers(self) -> dict[str, Callable[[JSON], Any]]:
        return {
            "getme": lambda p: dict(self.bot_user),
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "sendphoto": lambda p: self._send_file(p, "photo"),
            "senddocument": lambda p: self._send_file(p, "document"),
            "getfile": self._get_file,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "getchatadministrators": self._get_chat_administrators,
            "close": lambda p: True,
            "logout": lambda p: True,
        }

    def _check_faults(self, name: str, params: JSON) -> None:
        for fault in self._faults:
            if fault.method != name or fault.remaining <= 0:
                continue
            if fault.chat_id is not None and str(fault.chat_id) != str(params.get("chat_id")):
                continue
            fault.remaining -= 1
            self._faults = [f for f in self._faults if f.remaining > 0]
            raise fault.error

    # ---------------------------------------------------------------- updates

    def _get_updates(self, params: JSON) -> list[JSON]:
        offset = params.get("offset")
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        deadline = time.monotonic() + timeout
        with self._changed:
            if self._webhook["url"]:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            # A newer getUpdates terminates an older one, as Telegram does.
            self._poll_generation += 1
            generation = self._poll_generation
            self._changed.notify_all()
            if "allowed_updates" in params and params["allowed_updates"] is not None:
                self._allowed_updates = list(params["allowed_updates"]) or None
            if isinstance(offset, int):
                self._confirm(offset)
            while True:
                if generation != self._poll_generation:
                    raise ApiError(409, CONFLICT_DESCRIPTION)
                self._drop_disallowed()
                left = deadline - time.monotonic()
                if self._updates or left <= 0 or self._stopping.is_set():
                    return copy.deepcopy(self._updates[:limit])
                self._changed.wait(left)

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._updates = self._updates[offset:]
        else:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _drop_disallowed(self) -> None:
        allowed = self._allowed_updates
        if allowed:
            self._updates = [u for u in self._updates if _update_type(u) in allowed]

    def _enqueue(self, content: JSON) -> JSON:
        update = {"update_id": self._next_update_id, **content}
        self._next_update_id += 1
        self._updates.append(update)
        self._changed.notify_all()
        return copy.deepcopy(update)

    def _delete_webhook(self, params: JSON) -> bool:
        with self._lock:
            self._webhook = {"url": ""}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _set_webhook(self, params: JSON) -> bool:
        url = str(params.get("url") or "")
        with self._lock:
            self._webhook = {"url": url, "params": params}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _get_webhook_info(self, params: JSON) -> JSON:
        with self._lock:
            return {
                "url": self._webhook["url"],
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }

    # ---------------------------------------------------------------- commands

    def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("commands must be a list of at most 100 BotCommand")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand")
            if not _BOT_COMMAND_NAME_RE.fullmatch(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = _commands_key(params.get("scope"), str(params.get("language_code") or ""))
        with self._lock:
            self._commands[key] = list(commands)
            self._last_commands = list(commands)
        return True

    def _get_my_commands(self, params: JSON) -> list[JSON]:
        key = _commands_key(params.get("scope"), str(params.get("language_code") or ""))
        with self._lock:
            return list(self._commands.get(key, []))

    def _delete_my_commands(self, params: JSON) -> bool:
        key = _commands_key(params.get("scope"), str(params.get("language_code") or ""))
        with self._lock:
            self._commands.pop(key, None)
        return True

    # ---------------------------------------------------------------- messages

    def _send_message(self, params: JSON) -> JSON:
        visible, entities = _message_text(params, "text", "entities", MAX_MESSAGE_LENGTH)
        markup = _inline_markup(params.get("reply_markup"))
        with self._changed:
            chat = self._target_chat(params.get("chat_id"))
            replied = self._replied_message(chat["id"], params)
            message = self._new_message(chat, self.bot_user, params.get("message_thread_id"))
            if replied:
                message["reply_to_message"] = replied
            message["text"] = visible
            if entities:
                message["entities"] = entities
            if markup:
                message["reply_markup"] = markup
            if isinstance(params.get("link_preview_options"), dict):
                message["link_preview_options"] = params["link_preview_options"]
            return copy.deepcopy(message)

    def _send_file(self, params: JSON, field: str) -> JSON:
        caption: str | None = None
        caption_entities: list[JSON] = []
        if params.get("caption"):
            caption, caption_entities = _message_text(
                params, "caption", "caption_entities", MAX_CAPTION_LENGTH
            )
        markup = _inline_markup(params.get("reply_markup"))
        value = params.get(field)
        with self._changed:
            chat = self._target_chat(params.get("chat_id"))
            replied = self._replied_message(chat["id"], params)
            if isinstance(value, _Upload):
                stored = self._store_file(value.filename, value.content, value.content_type)
            elif isinstance(value, str) and value in self._files:
                stored = self._files[value]
            elif isinstance(value, str) and value.startswith(("http://", "https://")):
                stored = self._store_file(value.rsplit("/", 1)[-1] or "file", b"", "")
            else:
                raise _bad_request(f"there is no {field} in the request")
            message = self._new_message(chat, self.bot_user, params.get("message_thread_id"))
            if replied:
                message["reply_to_message"] = replied
            if field == "photo":
                message["photo"] = [
                    {
                        "file_id": stored.file_id,
                        "file_unique_id": stored.file_unique_id,
                        "width": 320,
                        "height": 240,
                        "file_size": len(stored.content),
                    }
                ]
            else:
                message["document"] = _document_object(stored)
            if caption:
                message["caption"] = caption
                if caption_entities:
                    message["caption_entities"] = caption_entities
            if markup:
                message["reply_markup"] = markup
            return copy.deepcopy(message)

    def _edit_message_text(self, params: JSON) -> JSON:
        visible, entities = _message_text(params, "text", "entities", MAX_MESSAGE_LENGTH)
        markup = _inline_markup(params.get("reply_markup"))
        with self._changed:
            message = self._editable(params, "edit")
            if "text" not in message:
                raise _bad_request("there is no text in the message to edit")
            unchanged = (
                message["text"] == visible
                and message.get("entities", []) == entities
                and message.get("reply_markup") == markup
            )
            if unchanged:
                raise _bad_request(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            message["text"] = visible
            _set_or_drop(message, "entities", entities)
            _set_or_drop(message, "reply_markup", markup)
            message["edit_date"] = int(time.time())
            return copy.deepcopy(message)

    def _edit_message_reply_markup(self, params: JSON) -> JSON:
        markup = _inline_markup(params.get("reply_markup"))
        with self._changed:
            message = self._editable(params, "edit")
            if message.get("reply_markup") == markup:
                raise _bad_request(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            _set_or_drop(message, "reply_markup", markup)
            message["edit_date"] = int(time.time())
            return copy.deepcopy(message)

    def _delete_message(self, params: JSON) -> bool:
        with self._changed:
            chat = self._target_chat(params.get("chat_id"))
            message_id = params.get("message_id")
            if self._messages.get(chat["id"], {}).pop(message_id, None) is None:  # type: ignore[arg-type]
                raise _bad_request("message to delete not found")
        return True

    def _editable(self, params: JSON, verb: str) -> JSON:
        if params.get("inline_message_id"):
            raise _bad_request("inline messages are not supported by the fake")
        chat = self._target_chat(params.get("chat_id"))
        message = self._messages.get(chat["id"], {}).get(params.get("message_id"))  # type: ignore[arg-type]
        if message is None:
            raise _bad_request(f"message to {verb} not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise _bad_request("message can't be edited")
        return message

    def _replied_message(self, chat_id: int, params: JSON) -> JSON | None:
        """The message a send replies to (a copy), checked before anything is created."""
        reply = params.get("reply_parameters")
        target = reply.get("message_id") if isinstance(reply, dict) else None
        target = target or params.get("reply_to_message_id")
        if not target:
            return None
        original = self._messages.get(chat_id, {}).get(int(target))
        allow = params.get("allow_sending_without_reply") or (
            isinstance(reply, dict) and reply.get("allow_sending_without_reply")
        )
        if original is None and not allow:
            raise _bad_request("message to be replied not found")
        return None if original is None else copy.deepcopy(original)

    def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        with self._changed:
            if self._open_queries.pop(query_id, None) is None:
                raise _bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            self._callback_answers.append(dict(params))
        return True

    # ---------------------------------------------------------------- chats and files

    def _get_chat(self, params: JSON) -> JSON:
        with self._lock:
            chat = dict(self._target_chat(params.get("chat_id")))
        chat.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return chat

    def _get_chat_member(self, params: JSON) -> JSON:
        with self._lock:
            chat = self._target_chat(params.get("chat_id"))
            user_id = params.get("user_id")
            if not isinstance(user_id, int):
                raise _bad_request("invalid user_id specified")
            return self._member(chat, user_id)

    def _get_chat_administrators(self, params: JSON) -> list[JSON]:
        with self._lock:
            chat = self._target_chat(params.get("chat_id"))
            if chat["type"] == "private":
                raise _bad_request("there are no administrators in the private chat")
            return [
                self._member(chat, user_id)
                for (chat_id, user_id), status in sorted(self._member_status.items())
                if chat_id == chat["id"] and status in {"creator", "administrator"}
            ]

    def _member(self, chat: JSON, user_id: int) -> JSON:
        default = "creator" if chat["type"] == "private" and user_id == chat["id"] else "member"
        status = self._member_status.get((chat["id"], user_id), default)
        user = self.bot_user if user_id == self.bot_user["id"] else self._user(user_id)
        member: JSON = {"status": status, "user": dict(user)}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            )
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _get_file(self, params: JSON) -> JSON:
        with self._lock:
            stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _download(self, token: str, file_path: str) -> tuple[int, str, bytes]:
        if self._expected_token is not None and token != self._expected_token:
            return (
                401,
                "application/json",
                json.dumps(ApiError(401, "Unauthorized").payload()).encode(),
            )
        with self._lock:
            for stored in self._files.values():
                if stored.file_path == file_path:
                    return 200, stored.content_type or "application/octet-stream", stored.content
        return 404, "application/json", json.dumps(ApiError(404, "Not Found").payload()).encode()

    def _store_file(self, filename: str, content: bytes, content_type: str) -> _StoredFile:
        number = len(self._files) + 1
        stored = _StoredFile(f"FILE{number:06d}", f"U{number:06d}", filename, content, content_type)
        self._files[stored.file_id] = stored
        return stored

    # ---------------------------------------------------------------- registries (under _lock)

    def _user(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str = "en",
    ) -> JSON:
        user = self._users.get(user_id)
        if user is None or first_name or username:
            user = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name or f"User{user_id}",
                "username": username or f"user{user_id}",
                "language_code": language_code,
            }
            self._users[user_id] = user
        return dict(user)

    def _chat_for_user(
        self,
        chat_id: int | None,
        user_id: int,
        chat_type: str,
        title: str | None,
        thread_id: int | None,
    ) -> JSON:
        if chat_type == "private":
            if chat_id is not None and chat_id != user_id:
                raise ValueError("in a private chat, chat_id is the user's id")
            chat_id = user_id
        elif chat_id is None:
            chat_id = DEFAULT_GROUP_ID
        existing = self._chats.get(chat_id)
        if existing and existing["type"] == chat_type and title in (None, existing.get("title")):
            if thread_id is not None and not existing.get("is_forum"):
                existing["is_forum"] = True
            return existing
        self.add_chat(chat_id, chat_type, title, is_forum=thread_id is not None)
        return self._chats[chat_id]

    def _target_chat(self, chat_id: Any) -> JSON:
        """The chat a method addresses; unknown numeric ids are created on the fly."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.get("username") == chat_id[1:]:
                    return chat
            raise _bad_request("chat not found")
        if not isinstance(chat_id, int) or chat_id == 0:
            raise _bad_request("chat not found" if chat_id else "chat_id is empty")
        if chat_id not in self._chats:
            kind = (
                "private"
                if chat_id > 0
                else ("supergroup" if str(chat_id).startswith("-100") else "group")
            )
            self.add_chat(chat_id, kind)
        return self._chats[chat_id]

    def _new_message(self, chat: JSON, sender: JSON, thread_id: Any) -> JSON:
        chat_id = chat["id"]
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message: JSON = {
            "message_id": message_id,
            "from": dict(sender),
            "chat": dict(chat),
            "date": int(time.time()),
        }
        if isinstance(thread_id, int) and chat.get("is_forum"):
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        self._messages.setdefault(chat_id, {})[message_id] = message
        return message


# -------------------------------------------------------------------- pure helpers


def _message_text(
    params: JSON, field: str, entities_field: str, max_length: int
) -> tuple[str, list[JSON]]:
    """The visible text and entities Telegram would store, or the ApiError it would answer."""
    raw = params.get(field)
    if not isinstance(raw, str) or not raw.strip():
        raise _bad_request("message text is empty")
    mode = str(params.get("parse_mode") or "")
    if mode.lower() == "html":
        parsed = parse_telegram_html(raw, max_length=1 << 30)
        if parsed.errors:
            raise _bad_request(f"can't parse entities: {parsed.errors[0]}")
        visible, entities = parsed.text, parsed.entities
    elif mode.lower() in {"markdown", "markdownv2"}:
        visible, entities = raw.strip(), []  # not parsed by the fake: the bot speaks HTML
    elif mode:
        raise _bad_request("unsupported parse_mode")
    else:
        given = params.get(entities_field)
        visible, entities = raw.strip(), list(given) if isinstance(given, list) else []
    if not visible:
        raise _bad_request("message text is empty")
    if len(visible) > max_length:
        raise _bad_request(
            "message is too long" if field == "text" else "message caption is too long"
        )
    return visible, entities


def _inline_markup(markup: Any) -> JSON | None:
    """The reply_markup Telegram echoes on the Message (only inline keyboards), validated."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise _bad_request("BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise _bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                raise _bad_request("BUTTON_URL_INVALID")
    return {"inline_keyboard": rows}


def _callback_data(message: JSON) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


def _set_or_drop(target: JSON, key: str, value: Any) -> None:
    if value:
        target[key] = value
    else:
        target.pop(key, None)


def _document_object(stored: _StoredFile) -> JSON:
    document: JSON = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.filename,
        "file_size": len(stored.content),
    }
    if stored.content_type:
        document["mime_type"] = stored.content_type
    return document


def _update_type(update: JSON) -> str:
    return next(k for k in update if k != "update_id")


def _commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    if not isinstance(scope, dict) or not scope:
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code


def _retry_after_of(description: str | None) -> int:
    found = re.search(r"retry after (\d+)", description or "")
    return int(found.group(1)) if found else 3


def _default_description(code: int) -> str:
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
        502: "Bad Gateway",
    }.get(code, "Error")


def _canonical(method: str) -> str:
    """sendmessage -> sendMessage, for known methods; others as the bot spelled them."""
    return _KNOWN_METHODS.get(method.lower(), method)


def _without_files(params: JSON) -> JSON:
    return {
        k: ({"filename": v.filename, "size": len(v.content)} if isinstance(v, _Upload) else v)
        for k, v in params.items()
    }


def _decode_params(query: str, content_type: str, body: bytes) -> JSON:
    """Parameters from the query string and a JSON, form-urlencoded or multipart body."""
    raw: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";", 1)[0].strip().lower()
    if body and kind == "application/json":
        try:
            loaded = json.loads(body)
        except ValueError as err:
            raise _bad_request("can't parse JSON body") from err
        if not isinstance(loaded, dict):
            raise _bad_request("JSON body must be an object")
        raw.update(loaded)
    elif body and kind == "multipart/form-data":
        raw.update(_parse_multipart(content_type, body))
    elif body:
        raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return {key: _coerce(key, value) for key, value in raw.items()}


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            fields[str(name)] = _Upload(filename, content, part.get_content_type())
        else:
            fields[str(name)] = content.decode("utf-8")
    return fields


def _coerce(key: str, value: Any) -> Any:
    """Form values arrive as strings; give them the type Telegram reads them as."""
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError as err:
            if key == "reply_markup":
                raise _bad_request("can't parse reply keyboard markup JSON object") from err
            raise _bad_request(f"can't parse {key} JSON object") from err
    if key in _INT_FIELDS and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if key in _INT_FIELDS and re.fullmatch(r"-?\d+\.\d*", value.strip()):
        return int(float(value))
    if key in _BOOL_FIELDS:
        return value.strip().lower() in {"true", "1"}
    return value


# -------------------------------------------------------------------- HTTP plumbing


class _Server(LocalServer):
    api: FakeBotAPI


class _Handler(NoDelayHandler):
    server: _Server

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        body = _read_body(self)
        status, content_type, payload = self.server.api.handle(
            parts.path, parts.query, self.headers, body
        )
        if status == LOST:  # no answer: the connection is dropped
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the record in FakeBotAPI.calls is more useful than an access log


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def iter_texts(records: Iterable[JSON]) -> list[str]:
    """The visible texts of sent-message records, for compact assertions."""
    return [str(r["result"].get("text", r["result"].get("caption", ""))) for r in records]


def most_within(times: Iterable[float], window: float = 1.0) -> int:
    """The most of `times` (seconds, any order) within any `window` seconds: how many sends
    Telegram would have counted in its worst second."""
    ordered = sorted(times)
    best, left = 0, 0
    for right, t in enumerate(ordered):
        while t - ordered[left] >= window - 1e-9:  # a float's rounding is not a send more
            left += 1
        best = max(best, right - left + 1)
    return best
