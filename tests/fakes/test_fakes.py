"""Tests of the test harness's fakes: the Telegram HTML checker, FakeBotAPI and FeedServer.

FakeBotAPI is driven by python-telegram-bot's own `telegram.Bot` (none of our code), so these
tests prove the fake speaks the wire protocol PTB 22 uses. FeedServer is driven by httpx and
feedparser with a real publisher's feed from tests/fixtures.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import feedparser
import httpx
import pytest
import telegram
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)

from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI
from tests.fakes.telegram_html import parse_telegram_html, telegram_html_errors

T = TypeVar("T")
TOKEN = "123456:ABC-DEF"

# ------------------------------------------------------------------ telegram_html

VALID_HTML = [
    ("plain", "Amazon beats estimates", "Amazon beats estimates"),
    ("bold-italic", "<b>AMZN</b> <i>up</i> <strong>5%</strong> <em>today</em>", "AMZN up 5% today"),
    ("all-formatting", "<u>u</u><ins>i</ins><s>s</s><strike>k</strike><del>d</del>", "uiskd"),
    ("link-with-escaped-query", '<a href="https://x.com/a?b=1&amp;c=2">read</a>', "read"),
    ("single-quoted-href", "<a href='https://x.com/'>x</a>", "x"),
    ("entities", "P&amp;G &lt;PG&gt; &quot;ok&quot; &#39;q&#39; &#x263A;", "P&G <PG> \"ok\" 'q' ☺"),
    ("spoiler-span", '<span class="tg-spoiler">secret</span>', "secret"),
    ("spoiler-tag", "<tg-spoiler>secret</tg-spoiler>", "secret"),
    ("custom-emoji", '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
    ("code", "<code>x = 1</code>", "x = 1"),
    ("pre-language", '<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
    ("blockquote", "<blockquote>quoted</blockquote>", "quoted"),
    ("expandable-blockquote", "<blockquote expandable>long</blockquote>", "long"),
    ("nested-formatting", "<b>bold <i>both</i></b>", "bold both"),
    ("bold-inside-link", '<a href="https://x.com/"><b>x</b></a>', "x"),
    ("uppercase-tag", "<B>x</B>", "x"),
    ("newlines-kept", "a\n\n<b>b</b>\n", "a\n\nb"),
    ("emoji-and-cjk", "📈 株価 <b>上昇</b>", "📈 株価 上昇"),
    ("exactly-4096", "x" * 4096, "x" * 4096),
    ("4096-after-entities", "&amp;" * 4096, "&" * 4096),
]

INVALID_HTML = [
    ("unknown-tag", "<div>x</div>", 'Unsupported start tag "div"'),
    ("br", "a<br>b", 'Unsupported start tag "br"'),
    ("bare-less-than", "P/E < 10", 'Unsupported start tag ""'),
    ("bare-ampersand", "AT&T", "Unescaped '&'"),
    ("named-entity-not-known", "a&nbsp;b", "Unescaped '&'"),
    ("bare-greater-than", "growth > 5%", "Unescaped '>'"),
    ("unclosed", "<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
    ("misnested", "<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>"'),
    ("stray-end-tag", "x</b>", "Unexpected end tag"),
    ("alias-end-tag", "<b>x</strong>", "Unmatched end tag"),
    ("attribute-not-allowed", '<b class="x">y</b>', 'Attribute "class" is not allowed'),
    ("style-on-link", '<a href="https://x.com/" style="c">y</a>', 'Attribute "style"'),
    ("span-without-spoiler", '<span class="red">x</span>', 'must have class "tg-spoiler"'),
    ("link-without-href", "<a>x</a>", 'must have a non-empty "href"'),
    ("emoji-without-id", "<tg-emoji>👍</tg-emoji>", '"emoji-id"'),
    ("code-class-not-language", '<pre><code class="py">x</code></pre>', '"language-NAME"'),
    ("bold-inside-code", "<code><b>x</b></code>", "can't be inside"),
    ("link-inside-link", '<a href="https://a/"><a href="https://b/">x</a></a>', "can't be"),
    ("nested-blockquote", "<blockquote><blockquote>x</blockquote></blockquote>", "nested"),
    ("unclosed-start-tag", "<b", "Unclosed start tag"),
    ("unclosed-attribute", '<a href="https://x.com/>x</a>', "Unclosed start tag"),
    ("too-long", "x" * 4097, "text is too long: 4097"),
    ("too-long-after-tags", "<b>" + "x" * 4097 + "</b>", "text is too long"),
]


@pytest.mark.parametrize(
    ("html", "visible"), [(h, v) for _, h, v in VALID_HTML], ids=[i for i, _, _ in VALID_HTML]
)
def test_valid_telegram_html_is_accepted(html: str, visible: str) -> None:
    parsed = parse_telegram_html(html)
    assert parsed.errors == []
    assert parsed.text == visible


@pytest.mark.parametrize(
    ("html", "problem"),
    [(h, p) for _, h, p in INVALID_HTML],
    ids=[i for i, _, _ in INVALID_HTML],
)
def test_invalid_telegram_html_is_refused(html: str, problem: str) -> None:
    errors = telegram_html_errors(html)
    assert len(errors) >= 1
    assert problem in errors[0]


def test_html_entities_have_telegram_offsets_in_utf16() -> None:
    parsed = parse_telegram_html('📈 <b>AMZN</b> <a href="https://x.com/">read</a>')
    # 📈 is two UTF-16 code units, so "AMZN" starts at 3.
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "text_link", "offset": 8, "length": 4, "url": "https://x.com/"},
    ]


def test_html_byte_offset_in_errors_counts_utf8_bytes() -> None:
    assert telegram_html_errors("é<x>") == ['Unsupported start tag "x" at byte offset 2']


# ------------------------------------------------------------------ FakeBotAPI via PTB


def run(factory: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(factory())  # type: ignore[arg-type]


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api
    assert api.server_errors == []


def make_bot(fake: FakeBotAPI, token: str = TOKEN) -> telegram.Bot:
    return telegram.Bot(token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")


def test_get_me_returns_the_bot_user(fake: FakeBotAPI) -> None:
    async def go() -> telegram.User:
        async with make_bot(fake) as bot:
            return await bot.get_me()

    me = run(go)
    assert me.is_bot
    assert me.username == "fake_alert_bot"
    assert [c["method"] for c in fake.calls] == ["getMe", "getMe"]  # initialize + our call


def test_wrong_token_is_refused_like_telegram() -> None:
    async def go(url: str) -> None:
        async with telegram.Bot("999:WRONG", base_url=f"{url}/bot"):
            pass

    with FakeBotAPI(token=TOKEN) as api, pytest.raises(InvalidToken):
        run(lambda: go(api.url))
    assert api.calls[0]["response"] == {
        "ok": False,
        "error_code": 401,
        "description": "Unauthorized",
    }


def test_send_message_with_html_and_inline_keyboard(fake: FakeBotAPI) -> None:
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Mute AMZN", callback_data="mute:AMZN")],
            [InlineKeyboardButton("Read", url="https://example.com/a")],
        ]
    )

    async def go() -> tuple[telegram.Message, telegram.Message]:
        async with make_bot(fake) as bot:
            first = await bot.send_message(
                42,
                "<b>AMZN</b> up &amp; away",
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
            second = await bot.send_message(42, "second")
            return first, second

    first, second = run(go)
    assert first.text == "AMZN up & away"
    assert first.entities[0].type == "bold"
    assert first.reply_markup == markup
    assert first.from_user is not None
    assert first.from_user.is_bot
    assert (first.message_id, second.message_id) == (1, 2)
    (record, _) = fake.sent(42)
    assert record["text"] == "<b>AMZN</b> up &amp; away"
    assert record["params"]["reply_markup"] == markup.to_dict()
    assert record["params"]["link_preview_options"] == {"is_disabled": True}
    assert fake.accepted_count(42) == 2


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<div>x</div>", 'Bad Request: can\'t parse entities: Unsupported start tag "div"'),
        ("AT&T", "Bad Request: can't parse entities: Unescaped '&'"),
        ("<b>" + "x" * 4097 + "</b>", "Bad Request: message is too long"),
        ("<b> </b>", "Bad Request: message text is empty"),
    ],
    ids=["bad-tag", "bare-ampersand", "too-long", "empty"],
)
def test_bad_html_is_a_bad_request(fake: FakeBotAPI, text: str, description: str) -> None:
    async def go() -> None:
        async with make_bot(fake) as bot:
            await bot.send_message(42, text, parse_mode=ParseMode.HTML)

    with pytest.raises(BadRequest) as caught:
        run(go)
    assert fake.calls[-1]["response"]["description"].startswith(description)
    # PTB strips "Bad Request: " and recapitalises the rest.
    assert caught.value.message.lower().startswith(description.lower()[len("Bad Request: ") :])
    assert fake.accepted_count(42) == 0


def test_get_updates_long_poll_returns_as_soon_as_a_user_writes(fake: FakeBotAPI) -> None:
    async def go() -> tuple[list[telegram.Update], float, list[telegram.Update]]:
        async with make_bot(fake) as bot:
            threading.Timer(0.3, fake.user_sends, args=("/watch AMZN",)).start()
            started = time.monotonic()
            updates = await bot.get_updates(timeout=5)
            waited = time.monotonic() - started
            after = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
            return list(updates), waited, list(after)

    updates, waited, after = run(go)
    assert 0.2 < waited < 3
    message = updates[0].message
    assert message is not None
    assert message.text == "/watch AMZN"
    assert message.chat.type == "private"
    assert message.entities[0].type == "bot_command"
    assert message.entities[0].length == len("/watch")
    assert after == []
    assert fake.pending_updates == []


def test_a_newer_get_updates_terminates_the_older_with_conflict(fake: FakeBotAPI) -> None:
    async def go() -> None:
        async with make_bot(fake) as first, make_bot(fake) as second:
            older = asyncio.create_task(first.get_updates(timeout=5))
            await asyncio.sleep(0.3)
            await second.get_updates(timeout=0)
            await older

    with pytest.raises(Conflict, match=r"(?i)terminated by other getupdates"):
        run(go)


def test_callback_query_round_trip(fake: FakeBotAPI) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Mute", callback_data="mute:AMZN")]])

    async def go() -> telegram.Message:
        async with make_bot(fake) as bot:
            await bot.send_message(7, "alert", reply_markup=markup)
            fake.press_button(fake.sent(7)[0], "mute:AMZN")
            (update,) = await bot.get_updates(timeout=1)
            query = update.callback_query
            assert query is not None
            assert query.data == "mute:AMZN"
            assert await bot.answer_callback_query(query.id, text="Muted")
            assert query.message is not None
            edited = await bot.edit_message_text("alert (muted)", 7, query.message.message_id)
            assert isinstance(edited, telegram.Message)
            with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
                await bot.answer_callback_query(query.id)
            return edited

    edited = run(go)
    assert edited.text == "alert (muted)"
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    assert fake.callback_answers[0]["text"] == "Muted"
    assert fake.chat_messages(7)[0]["text"] == "alert (muted)"
    with pytest.raises(AssertionError, match="has no button"):
        fake.press_button(fake.sent(7)[0], "mute:AMZN")


def test_replies_share_the_chats_message_ids(fake: FakeBotAPI) -> None:
    update = fake.user_sends("hello", user_id=8)
    asked = update["message"]["message_id"]

    async def go() -> telegram.Message:
        async with make_bot(fake) as bot:
            with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
                await bot.send_message(8, "x", reply_parameters=ReplyParameters(999))
            return await bot.send_message(8, "hi", reply_parameters=ReplyParameters(asked))

    reply = run(go)
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "hello"
    assert reply.message_id == asked + 1


def test_edit_unchanged_and_delete_missing_are_refused(fake: FakeBotAPI) -> None:
    async def go() -> None:
        async with make_bot(fake) as bot:
            message = await bot.send_message(7, "same")
            with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
                await bot.edit_message_text("same", 7, message.message_id)
            assert await bot.delete_message(7, message.message_id)
            with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
                await bot.delete_message(7, message.message_id)
            with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
                await bot.edit_message_text("new", 7, message.message_id)

    run(go)
    assert fake.chat_messages(7) == []


def test_429_surfaces_as_retry_after_and_is_not_counted(
    fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22 warns on RetryAfter.retry_after unless this opt-in (read on access) is set.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    fake.fail_next("sendMessage", chat_id=5, retry_after=7)

    async def go() -> telegram.Message:
        async with make_bot(fake) as bot:
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(5, "first try")
            assert caught.value.retry_after == timedelta(seconds=7)
            return await bot.send_message(5, "second try")

    message = run(go)
    assert message.text == "second try"
    refused = [c for c in fake.calls if c["status"] == 429]
    assert refused[0]["response"] == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert fake.accepted_count(5) == 1


def test_blocked_chat_surfaces_as_forbidden(fake: FakeBotAPI) -> None:
    fake.block_chat(9)

    async def go() -> None:
        async with make_bot(fake) as bot:
            await bot.send_message(10, "other chats still work")
            await bot.send_message(9, "hello")

    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        run(go)
    assert fake.accepted == {10: 1}


def test_migrated_group_surfaces_as_chat_migrated(fake: FakeBotAPI) -> None:
    fake.fail_next("sendmessage", chat_id=-55, migrate_to_chat_id=-1005555)

    async def go() -> None:
        async with make_bot(fake) as bot:
            await bot.send_message(-55, "hello group")

    with pytest.raises(ChatMigrated) as caught:
        run(go)
    assert caught.value.new_chat_id == -1005555


def test_server_error_and_delay_are_injected(fake: FakeBotAPI) -> None:
    fake.fail_next("sendMessage", error_code=500, description="Internal Server Error")
    fake.set_delay(0.3, "sendMessage")

    async def go() -> float:
        async with make_bot(fake) as bot:
            with pytest.raises(telegram.error.NetworkError, match="Internal Server Error"):
                await bot.send_message(1, "x")
            started = time.monotonic()
            await bot.send_message(1, "y")
            return time.monotonic() - started

    assert run(go) >= 0.3


def test_flood_limits_answer_429_per_chat(fake: FakeBotAPI) -> None:
    fake.set_flood_limits(per_chat_per_second=2, overall_per_second=None)
    url = f"{fake.url}/bot{TOKEN}/sendMessage"
    codes = [httpx.post(url, data={"chat_id": 1, "text": f"m{i}"}).status_code for i in range(3)]
    other = httpx.post(url, data={"chat_id": 2, "text": "other chat"})
    assert codes == [200, 200, 429]
    assert other.status_code == 200
    assert fake.calls[2]["response"]["parameters"] == {"retry_after": 1}
    assert fake.accepted == {1: 2, 2: 1}


@pytest.mark.parametrize(
    ("paid", "accepted"),
    [(None, 30), ("true", 40)],
    ids=["free-30-a-second", "paid-broadcast-1000-a-second"],
)
def test_the_overall_limit_is_1000_a_second_for_paid_broadcasts(
    fake: FakeBotAPI, paid: str | None, accepted: int
) -> None:
    fake.set_flood_limits()
    url = f"{fake.url}/bot{TOKEN}/sendMessage"
    extra = {"allow_paid_broadcast": paid} if paid else {}
    with httpx.Client() as client:  # 40 chats within a second
        codes = [
            client.post(url, data={"chat_id": c, "text": "m", **extra}).status_code
            for c in range(1, 41)
        ]
    assert codes == [200] * accepted + [429] * (40 - accepted)
    assert fake.paid_sends == (accepted if paid else 0)


def test_a_paid_broadcast_beyond_the_stars_balance_is_refused(fake: FakeBotAPI) -> None:
    fake.set_star_balance(0.2)  # two messages
    url = f"{fake.url}/bot{TOKEN}/sendMessage"
    paid = {"allow_paid_broadcast": "true", "text": "m"}
    answers = [httpx.post(url, data={"chat_id": c, **paid}) for c in (1, 2, 3)]
    free = httpx.post(url, data={"chat_id": 3, "text": "m"})
    assert [a.status_code for a in answers] == [200, 200, 400]
    assert answers[2].json()["description"] == "Bad Request: BALANCE_TOO_LOW"
    assert free.status_code == 200  # without the parameter, nothing to pay


def test_set_my_commands_is_recorded(fake: FakeBotAPI) -> None:
    commands = [BotCommand("watch", "Watch tickers"), BotCommand("list", "Your watch list")]

    async def go() -> tuple[telegram.BotCommand, ...]:
        async with make_bot(fake) as bot:
            assert await bot.set_my_commands(commands)
            with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
                await bot.set_my_commands([BotCommand("Bad-Name", "x")])
            return await bot.get_my_commands()

    got = run(go)
    assert list(got) == commands
    assert fake.commands == [c.to_dict() for c in commands]


def test_send_photo_and_document_record_the_bytes(fake: FakeBotAPI) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))

    async def go() -> tuple[telegram.Message, bytes]:
        async with make_bot(fake) as bot:
            photo = await bot.send_photo(
                3, png, filename="chart.png", caption="<b>AMZN</b>", parse_mode=ParseMode.HTML
            )
            document = await bot.send_document(3, b"a,b\n1,2\n", filename="list.csv")
            assert document.document is not None
            file = await bot.get_file(document.document.file_id)
            return photo, bytes(await file.download_as_bytearray())

    photo, downloaded = run(go)
    assert photo.caption == "AMZN"
    (record,) = fake.sent(3, "sendPhoto")
    assert record["files"]["photo"]["content"] == png
    assert record["files"]["photo"]["filename"] == "chart.png"
    assert fake.sent(3, "sendDocument")[0]["files"]["document"]["filename"] == "list.csv"
    assert downloaded == b"a,b\n1,2\n"
    assert fake.accepted_count(3) == 2


def test_user_document_can_be_downloaded_by_the_bot(fake: FakeBotAPI) -> None:
    fake.send_document_from_user(b"AMZN\nNVDA\n", "tickers.txt", mime_type="text/plain")

    async def go() -> bytes:
        async with make_bot(fake) as bot:
            (update,) = await bot.get_updates()
            assert update.message is not None
            assert update.message.document is not None
            file = await update.message.document.get_file()
            return bytes(await file.download_as_bytearray())

    assert run(go) == b"AMZN\nNVDA\n"


@pytest.mark.parametrize(
    ("chat_id", "status", "expected"),
    [
        (1001, None, "creator"),
        (-100200, None, "member"),
        (-100200, "administrator", "administrator"),
        (-100200, "creator", "creator"),
    ],
    ids=["private-default", "group-default", "group-admin", "group-owner"],
)
def test_get_chat_member_status(
    fake: FakeBotAPI, chat_id: int, status: str | None, expected: str
) -> None:
    if status:
        fake.set_member_status(chat_id, 1001, status)

    async def go() -> tuple[str, tuple[telegram.ChatMember, ...] | None]:
        async with make_bot(fake) as bot:
            member = await bot.get_chat_member(chat_id, 1001)
            admins = await bot.get_chat_administrators(chat_id) if chat_id < 0 else None
            return member.status, admins

    got, admins = run(go)
    assert got == expected
    if admins is not None:
        assert [a.user.id for a in admins] == ([1001] if status else [])


def test_group_message_and_get_chat(fake: FakeBotAPI) -> None:
    fake.user_sends(
        "/watch@fake_alert_bot NVDA",
        chat_id=-100300,
        chat_type="supergroup",
        chat_title="Investors",
        message_thread_id=4,
    )

    async def go() -> tuple[telegram.Update, telegram.ChatFullInfo, telegram.Message]:
        async with make_bot(fake) as bot:
            (update,) = await bot.get_updates()
            info = await bot.get_chat(-100300)
            reply = await bot.send_message(-100300, "ok", message_thread_id=4)
            return update, info, reply

    update, info, reply = run(go)
    assert update.message is not None
    assert update.message.chat.title == "Investors"
    assert update.message.entities[0].length == len("/watch@fake_alert_bot")
    assert info.type == "supergroup"
    assert reply.message_thread_id == 4


def test_webhook_blocks_polling_until_deleted(fake: FakeBotAPI) -> None:
    async def go() -> str:
        async with make_bot(fake) as bot:
            await bot.set_webhook("https://example.com/hook")
            with pytest.raises(Conflict, match=r"(?i)webhook is active"):
                await bot.get_updates()
            info = await bot.get_webhook_info()
            assert await bot.delete_webhook(drop_pending_updates=True)
            assert await bot.get_updates() == ()
            assert await bot.close()
            return info.url

    fake.user_sends("dropped")
    assert run(go) == "https://example.com/hook"


def test_unknown_method_is_404(fake: FakeBotAPI) -> None:
    async def go() -> None:
        async with make_bot(fake) as bot:
            await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})

    with pytest.raises(EndPointNotFound):
        run(go)
    assert fake.calls[-1]["response"] == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found",
    }


@pytest.mark.parametrize(
    "encoding", ["json", "form", "query"], ids=["json-body", "form-body", "get-query"]
)
def test_plain_http_clients_get_the_same_answers(fake: FakeBotAPI, encoding: str) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    url = f"{fake.url}/bot{TOKEN}/SENDMESSAGE"
    params: dict[str, Any] = {"chat_id": 11, "text": "<i>hi</i>", "parse_mode": "HTML"}
    if encoding == "json":
        response = httpx.post(url, json={**params, "reply_markup": markup})
    elif encoding == "form":
        response = httpx.post(url, data={**params, "reply_markup": json.dumps(markup)})
    else:
        response = httpx.get(url, params={**params, "reply_markup": json.dumps(markup)})
    body = response.json()
    assert response.status_code == 200
    assert body["result"]["text"] == "hi"
    assert body["result"]["reply_markup"] == markup


def test_wait_for_sent_times_out_with_what_was_sent(fake: FakeBotAPI) -> None:
    httpx.post(f"{fake.url}/bot{TOKEN}/sendMessage", data={"chat_id": 1, "text": "only one"})
    assert [r["text"] for r in fake.wait_for_sent(1, chat_id=1)] == ["only one"]
    with pytest.raises(AssertionError, match="only one"):
        fake.wait_for_sent(2, chat_id=1, timeout=0.2)


def test_stop_wakes_a_waiting_long_poll() -> None:
    api = FakeBotAPI().start()
    url = f"{api.url}/bot{TOKEN}/getUpdates"
    result: list[Any] = []
    poller = threading.Thread(target=lambda: result.append(_post_quietly(url, {"timeout": 30})))
    poller.start()
    time.sleep(0.2)
    started = time.monotonic()
    api.stop()
    poller.join(timeout=5)
    assert time.monotonic() - started < 3
    assert not poller.is_alive()


def _post_quietly(url: str, data: dict[str, Any]) -> int | str:
    try:
        return httpx.post(url, data=data, timeout=40).status_code
    except httpx.HTTPError as err:
        return type(err).__name__


# ------------------------------------------------------------------ FeedServer


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture(scope="module")
def cnbc_feed(real_dir: Path) -> bytes:
    return (real_dir / "cnbc_finance_rss_2019.xml").read_bytes()


def test_feed_server_serves_a_real_feed(feeds: FeedServer, cnbc_feed: bytes) -> None:
    url = feeds.set("/cnbc.xml", cnbc_feed)
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.content == cnbc_feed
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert parsed.entries
    assert feeds.hits("/cnbc.xml") == 1
    assert feeds.requests("/cnbc.xml")[0]["Host"].startswith("127.0.0.1")
    assert httpx.get(feeds.url("/missing.xml")).status_code == 404


@pytest.mark.parametrize(
    ("request_headers", "status"),
    [
        ({"If-None-Match": '"v1"'}, 304),
        ({"If-None-Match": 'W/"v1"'}, 304),
        ({"If-None-Match": '"v0", "v1"'}, 304),
        ({"If-None-Match": '"v0"'}, 200),
        ({"If-Modified-Since": "Mon, 01 Jan 2024 10:00:00 GMT"}, 304),
        ({"If-Modified-Since": "Mon, 01 Jan 2024 09:59:59 GMT"}, 200),
        ({"If-None-Match": '"v0"', "If-Modified-Since": "Tue, 02 Jan 2024 00:00:00 GMT"}, 200),
        ({}, 200),
    ],
    ids=[
        "etag",
        "weak-etag",
        "etag-list",
        "etag-changed",
        "ims-same",
        "ims-older",
        "etag-wins-over-ims",
        "unconditional",
    ],
)
def test_feed_server_conditional_get(
    feeds: FeedServer, cnbc_feed: bytes, request_headers: dict[str, str], status: int
) -> None:
    url = feeds.set(
        "/feed", cnbc_feed, etag="v1", last_modified=datetime(2024, 1, 1, 10, tzinfo=UTC)
    )
    response = httpx.get(url, headers=request_headers)
    assert response.status_code == status
    assert response.headers["etag"] == '"v1"'
    assert response.headers["last-modified"] == "Mon, 01 Jan 2024 10:00:00 GMT"
    assert len(response.content) == (0 if status == 304 else len(cnbc_feed))


def test_feed_server_redirect_and_loop(feeds: FeedServer, cnbc_feed: bytes) -> None:
    feeds.set("/new.xml", cnbc_feed)
    feeds.redirect("/old.xml", "/new.xml", status=301)
    response = httpx.get(feeds.url("/old.xml"), follow_redirects=True)
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [301]
    assert response.content == cnbc_feed
    feeds.redirect("/a", "/b", status=302)
    feeds.redirect("/b", "/a", status=302)
    with pytest.raises(httpx.TooManyRedirects):
        httpx.get(feeds.url("/a"), follow_redirects=True)


def test_feed_server_gzip_and_custom_headers(feeds: FeedServer, cnbc_feed: bytes) -> None:
    url = feeds.set("/gz", cnbc_feed, gzip=True, headers={"Cache-Control": "max-age=60"})
    response = httpx.get(url)
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == "max-age=60"
    assert response.content == cnbc_feed  # httpx decodes
    with httpx.stream("GET", url) as streamed:
        raw = b"".join(streamed.iter_raw())
    assert raw != cnbc_feed
    assert gzip.decompress(raw) == cnbc_feed


def test_feed_server_status_and_stall(feeds: FeedServer, cnbc_feed: bytes) -> None:
    feeds.set("/gone", b"gone", content_type="text/plain", status=410)
    assert httpx.get(feeds.url("/gone")).status_code == 410
    url = feeds.set("/slow", cnbc_feed)
    feeds.stall("/slow", 5)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(url, timeout=httpx.Timeout(5, read=0.3))
    assert time.monotonic() - started < 2
    feeds.stall("/slow", 0.2)
    assert httpx.get(url, timeout=5).content == cnbc_feed


# A whole PTB Application in another process, as `python -m bot run` will be: polling,
# a command with an HTML answer and a keyboard, a button press edited in place.
ECHO_BOT = """
import os
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Mute", callback_data="mute")]])
    await update.effective_message.reply_html("<b>Hello</b> &amp; welcome", reply_markup=keyboard)

async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer("done")
    await update.callback_query.edit_message_text("Muted")

async def post_init(app: Application) -> None:
    await app.bot.set_my_commands([("start", "Say hello")])

root = os.environ["TELEGRAM_API_URL"]
app = (
    Application.builder().token(os.environ["BOT_TOKEN"]).base_url(f"{root}/bot")
    .base_file_url(f"{root}/file/bot").post_init(post_init).build()
)
app.add_handler(CommandHandler("start", start))
app.add_handler(CallbackQueryHandler(pressed))
app.run_polling(timeout=1, poll_interval=0)
"""


def test_a_ptb_application_in_another_process_works_against_the_fake() -> None:
    with FakeBotAPI(token=TOKEN) as api:
        env = {**os.environ, "TELEGRAM_API_URL": api.url, "BOT_TOKEN": TOKEN}
        process = subprocess.Popen(
            [sys.executable, "-c", ECHO_BOT],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            api.user_sends("/start", user_id=77)
            (hello,) = api.wait_for_sent(1, chat_id=77, timeout=20)
            assert hello["result"]["text"] == "Hello & welcome"
            api.press_button(hello, "mute", user_id=77)
            (edit,) = api.wait_for_sent(1, chat_id=77, method="editMessageText")
            assert edit["result"]["text"] == "Muted"
            assert api.callback_answers[0]["text"] == "done"
            assert api.commands == [{"command": "start", "description": "Say hello"}]
        finally:
            process.terminate()
            output, _ = process.communicate(timeout=20)
        assert process.returncode == 0, output.decode()
        assert api.accepted_count(77) == 1
        assert api.server_errors == []
