"""A chat's own feeds and the operators' feed health, end to end through the fake Bot API.

The real application (tests/chat/conftest.py) against a real feed server on 127.0.0.1 serving the
real example feed: /addfeed, /myfeeds, /removefeed, /exportopml, an OPML file captioned
/importopml (and a malformed one refused with its reason), the SSRF guard refusing a loopback
address when ALLOW_PRIVATE_FEEDS is off, and /feedhealth for operators only.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.feeds.opml import read_opml
from bot.feeds.parse import parse_feed
from tests.chat.conftest import OPERATOR, StartBot
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI

USER = 5151
OTHER = 5252
NOT_A_FEED = "<!doctype html><html><head><title>Home</title></head><body><p>Hi</p></body></html>"


def say(telegram: FakeBotAPI, command: str, chat_id: int = USER) -> str:
    """Send a command and return the bot's next message in that chat."""
    before = len(telegram.sent(chat_id=chat_id))
    telegram.user_sends(command, chat_id=chat_id, user_id=chat_id)
    return str(telegram.wait_for_sent(before + 1, chat_id=chat_id)[-1]["text"])


def send_file(
    telegram: FakeBotAPI, content: bytes, caption: str | None, chat_id: int = USER
) -> str:
    """Send a document (with `caption`) and return the bot's answer."""
    before = len(telegram.sent(chat_id=chat_id))
    telegram.send_document_from_user(
        content, "feeds.opml", chat_id=chat_id, user_id=chat_id, caption=caption
    )
    return str(telegram.wait_for_sent(before + 1, chat_id=chat_id)[-1]["text"])


def test_add_list_export_remove_and_import(
    start_bot: StartBot, telegram: FakeBotAPI, feed_server: FeedServer, seed_article_path: Path
) -> None:
    bot = start_bot()
    url = feed_server.set("/seed.rss", seed_article_path.read_bytes())
    page = feed_server.set("/home.html", NOT_A_FEED, content_type="text/html; charset=utf-8")

    assert "/addfeed https://" in say(telegram, "/addfeed")
    assert "Added “Deep News - Markets”" in say(telegram, f"/addfeed {url}")
    assert "already has “Deep News - Markets”" in say(telegram, f"/addfeed {url}")
    refused = say(telegram, f"/addfeed {page}")
    assert refused.startswith("I can't add that feed:")
    assert "html" in refused.lower()
    assert [s.feed.url for s in bot.svc.store.feeds.user_feeds(USER)] == [url]

    listed = say(telegram, "/myfeeds")
    assert "1. Deep News - Markets: " + url in listed

    telegram.user_sends("/exportopml", chat_id=USER, user_id=USER)
    (exported,) = telegram.wait_for_sent(1, chat_id=USER, method="sendDocument")
    opml = exported["files"]["document"]["content"]
    opml_bytes = opml.encode() if isinstance(opml, str) else bytes(opml)
    assert read_opml(opml_bytes) == [("Deep News - Markets", url)]

    assert "no feed 7" in say(telegram, "/removefeed 7")
    assert "Removed “Deep News - Markets”" in say(telegram, "/removefeed 1")
    assert "no feeds of its own" in say(telegram, "/myfeeds")
    assert "no feeds to export" in say(telegram, "/exportopml")
    # Nobody has the feed any more: it is no longer polled.
    assert url not in {s.feed.url for s in bot.svc.store.feeds.feed_states()}

    # The exported file brings the feed back, in another chat too.
    assert "Imported 1 feed (0 skipped)" in send_file(telegram, opml_bytes, "/importopml")
    assert [s.feed.url for s in bot.svc.store.feeds.user_feeds(USER)] == [url]
    assert "Imported 1 feed " in send_file(telegram, opml_bytes, "/importopml", chat_id=OTHER)
    assert "1. Deep News - Markets" in say(telegram, "/myfeeds", chat_id=OTHER)
    assert "/removefeed 2" in say(telegram, "/removefeed")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"this is not xml at all", "not XML"),
        (b"<html><body><p>Hi</p></body></html>", "the root element is <html>, not <opml>"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<opml version="2.0"><body><outline text="&b;" xmlUrl="https://x.example/f"/>'
            b"</body></opml>",
            "refused XML construct",
        ),
    ],
    ids=["not-xml", "html-page", "entity-expansion"],
)
def test_malformed_opml_is_refused_with_a_reason(
    start_bot: StartBot, telegram: FakeBotAPI, content: bytes, reason: str
) -> None:
    bot = start_bot()
    answer = send_file(telegram, content, "/importopml")
    assert answer.startswith("That file is not OPML I can read:")
    assert reason in answer
    assert bot.svc.store.feeds.user_feeds(USER) == []


def test_private_addresses_refused_and_feed_health_for_operators_only(
    start_bot: StartBot, telegram: FakeBotAPI, feed_server: FeedServer, seed_article_path: Path
) -> None:
    bot = start_bot(allow_private_feeds=False)
    url = feed_server.set("/seed.rss", seed_article_path.read_bytes())

    # SSRF: 127.0.0.1 is refused before any request is made, by /addfeed and by an import.
    refused = say(telegram, f"/addfeed {url}")
    assert "I can't add that feed:" in refused
    assert "127.0.0.1 is a loopback address" in refused
    opml = (
        '<?xml version="1.0"?><opml version="2.0"><body>'
        f'<outline text="Local" xmlUrl="{url}"/></body></opml>'
    ).encode()
    imported = send_file(telegram, opml, "/importopml")
    assert "Imported 0 feeds (1 skipped)" in imported
    assert f"Skipped {url}: " in imported
    assert "127.0.0.1 is a loopback address" in imported
    assert feed_server.hits("/seed.rss") == 0
    assert bot.svc.store.feeds.user_feeds(USER) == []

    # /feedhealth: the operators' command, absent from everyone's menu, answered to others
    # exactly as a command the bot does not have (no hint that it exists), and in the menu
    # of the operators' own chats.
    assert "feedhealth" not in {c["command"] for c in telegram.commands_for()}
    operator_scope = {"type": "chat", "chat_id": OPERATOR}
    assert "feedhealth" in {c["command"] for c in telegram.commands_for(operator_scope)}
    unknown = say(telegram, "/nosuchcommand").replace("/nosuchcommand", "/feedhealth")
    assert say(telegram, "/feedhealth") == unknown
    assert "operator" not in unknown
    health = say(telegram, "/feedhealth", chat_id=OPERATOR)
    assert health.startswith("1 feeds:")
    assert "Deep News (catalogue)" in health


GROUP = -1001234567890
MEMBER = 5001
ADMIN = 5002


def test_in_a_group_only_administrators_add_remove_and_import_feeds(
    start_bot: StartBot, telegram: FakeBotAPI, feed_server: FeedServer, seed_article_path: Path
) -> None:
    """The README: only administrators change what a group receives. A member's /addfeed is
    refused before anything is fetched; their /removefeed and OPML import change nothing."""
    bot = start_bot()
    url = feed_server.set("/seed.rss", seed_article_path.read_bytes())
    telegram.add_chat(GROUP, "supergroup", "Traders")
    telegram.set_member_status(GROUP, ADMIN, "administrator")

    def say_in_group(command: str, user_id: int) -> str:
        before = len(telegram.sent(chat_id=GROUP))
        telegram.user_sends(command, chat_id=GROUP, user_id=user_id, chat_type="supergroup")
        return str(telegram.wait_for_sent(before + 1, chat_id=GROUP)[-1]["text"])

    assert "only this group's administrators" in say_in_group(f"/addfeed {url}", MEMBER)
    assert feed_server.hits("/seed.rss") == 0
    assert bot.svc.store.feeds.user_feeds(GROUP) == []

    assert "Added “Deep News - Markets”" in say_in_group(f"/addfeed {url}", ADMIN)
    assert "only this group's administrators" in say_in_group("/removefeed 1", MEMBER)
    assert [s.feed.url for s in bot.svc.store.feeds.user_feeds(GROUP)] == [url]
    # Reading is for everyone.
    assert "1. Deep News - Markets" in say_in_group("/myfeeds", MEMBER)

    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><body>'
        b'<outline text="Other" xmlUrl="https://other.example.com/feed.xml"/></body></opml>'
    )
    before = len(telegram.sent(chat_id=GROUP))
    telegram.send_document_from_user(
        opml,
        "feeds.opml",
        chat_id=GROUP,
        user_id=MEMBER,
        caption="/importopml",
        chat_type="supergroup",
    )
    refusal = telegram.wait_for_sent(before + 1, chat_id=GROUP)[-1]["text"]
    assert "only this group's administrators" in refusal
    assert [s.feed.url for s in bot.svc.store.feeds.user_feeds(GROUP)] == [url]

    assert "Removed “Deep News - Markets”" in say_in_group("/removefeed 1", ADMIN)
    assert bot.svc.store.feeds.user_feeds(GROUP) == []


def many_items(seed: bytes, count: int) -> bytes:
    """The real example feed with its article repeated `count` times (distinct ids and links):
    a large document, slow to parse."""
    head, rest = seed.decode().split("<item>", 1)
    item, tail = rest.split("</item>", 1)
    guid = item.split("<guid", 1)[1].split(">", 1)[1].split("<", 1)[0]
    copies = "".join(
        "<item>" + item.replace(guid, f"{guid}-{n}").replace("?utm", f"-{n}?utm") + "</item>"
        for n in range(count)
    )
    return (head + copies + tail).encode()


def test_addfeed_parses_the_document_off_the_event_loop(
    start_bot: StartBot, telegram: FakeBotAPI, feed_server: FeedServer, seed_article_path: Path
) -> None:
    """While /addfeed parses a large document, the bot's event loop (the poll and delivery
    jobs, Telegram's updates) keeps answering: a probe run on the loop never waits for the
    parse."""
    bot = start_bot()
    document = many_items(seed_article_path.read_bytes(), 600)
    started = time.monotonic()
    assert len(parse_feed(document, source="probe").articles) == 600
    parse_seconds = time.monotonic() - started
    url = feed_server.set("/big.rss", document)

    telegram.user_sends(f"/addfeed {url}", chat_id=USER, user_id=USER)
    waits: list[float] = []
    deadline = time.monotonic() + 60
    while not telegram.sent(chat_id=USER):
        assert time.monotonic() < deadline, "no answer to /addfeed"
        probe = time.monotonic()
        asyncio.run_coroutine_threadsafe(asyncio.sleep(0), bot.loop).result(60)
        waits.append(time.monotonic() - probe)
        time.sleep(0.01)
    assert "Added “Deep News - Markets”" in telegram.sent(chat_id=USER)[-1]["text"]
    assert max(waits) < parse_seconds / 2, (max(waits), parse_seconds)
