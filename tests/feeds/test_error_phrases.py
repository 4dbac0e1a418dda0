"""The feed checks' errors in the chat's language: every refusal of the SSRF guard, of the
sniffer and of the parser carries a catalogue phrase, says itself in Simplified Chinese with no
English left (but what the document or URL itself holds), keeps its English reason as str()
(logs, the feed's state, `error_kind`), and survives pickling and the parse pool's process
boundary with its phrase.
"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Iterator

import pytest

from bot.feeds.fetch import Blocked, FetchError
from bot.feeds.guard import Guard
from bot.feeds.parse import FeedError, NotAFeed, parse_feed
from bot.feeds.pool import ParsePool
from bot.poll.result import error_kind
from tests.texts.test_no_english import english_left

ZH = "zh_Hans"
BROKEN = b'<?xml version="1.0"?><rss version="2.0"><channel><title>\xe5\x9d\x8f</title>'

DOCUMENTS = [
    ("empty", b"  ", FeedError, "empty document", "文档为空"),
    ("json", b'{"a": 1}', NotAFeed, "not a feed: JSON", "JSON 数据"),
    (
        "json-feed",
        b'{"version": "https://jsonfeed.org/version/1.1"}',
        NotAFeed,
        "not a feed: a JSON Feed (not supported)",
        "暂不支持",
    ),
    (
        "html",
        b"<!doctype html><html><body>x</body></html>",
        NotAFeed,
        "not a feed: an HTML page",
        "HTML 网页",
    ),
    (
        "html-titled",
        "<html><head><title>新浪财经</title></head></html>".encode(),
        NotAFeed,
        "not a feed: an HTML page (<title>新浪财经</title>)",
        "标题为“新浪财经”",
    ),
    (
        "text",
        "服务不可用".encode(),
        NotAFeed,
        "not a feed: text, not XML (starts with '服务不可用')",
        "纯文本",
    ),
    (
        "other-xml",
        b"<?xml version='1.0'?><urlset><url/></urlset>",
        NotAFeed,
        "not a feed: an XML document with root element <urlset>",
        "根元素为 <urlset> 的 XML 文档",
    ),
    ("broken-xml", BROKEN, FeedError, "broken XML at line 1: no element found", "找不到任何元素"),
    (
        "bad-token",
        b'<?xml version="1.0"?>\n<rss version="2.0"><channel>\x01</channel></rss>',
        FeedError,
        "broken XML at line 2: not well-formed (invalid token)",
        "第 2 行",
    ),
]


@pytest.mark.parametrize(
    ("content", "error", "reason", "chinese"),
    [case[1:] for case in DOCUMENTS],
    ids=[case[0] for case in DOCUMENTS],
)
def test_a_document_refused_says_why_in_chinese(
    content: bytes, error: type[FeedError], reason: str, chinese: str
) -> None:
    with pytest.raises(error) as caught:
        parse_feed(content, source="t")
    assert str(caught.value) == reason
    said = caught.value.say(ZH)
    assert chinese in said
    assert english_left(said, ("urlset",)) == [], said
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is error
    assert (str(copy), copy.phrase) == (reason, caught.value.phrase)
    assert copy.say(ZH) == said


def test_a_document_feedparser_crashes_on_is_a_broken_feed_in_chinese() -> None:
    content = b'<rss version="2.0"><channel><item><title>&#xFFFFFFF;</title></item></channel></rss>'
    with pytest.raises(FeedError) as caught:
        parse_feed(content, source="t")
    assert str(caught.value).startswith("broken feed: ValueError: ")
    # Python's own message stays as Python wrote it; the frame is Chinese.
    assert caught.value.say(ZH).startswith("订阅源已损坏：ValueError: ")
    assert pickle.loads(pickle.dumps(caught.value)).phrase == caught.value.phrase


async def _no_dns(host: str, port: int) -> list[str]:
    raise OSError(-2, "Name or service not known")


async def _nothing(host: str, port: int) -> list[str]:
    return []


async def _private(host: str, port: int) -> list[str]:
    return ["10.1.2.3"]


URLS = [
    ("invalid", "http://[::1", _private, "invalid URL: http://[::1", "无效的网址"),
    (
        "scheme",
        "ftp://example.com/feed",
        _private,
        "only http and https feeds are allowed, not ftp:",
        "只允许",
    ),
    ("no-host", "http:///feed", _private, "the URL has no host", "没有主机名"),
    (
        "no-dns",
        "http://nowhere.test/",
        _no_dns,
        "cannot resolve nowhere.test: Name or service not known",
        "无法解析",
    ),
    ("no-address", "http://nowhere.test/", _nothing, "cannot resolve nowhere.test", "无法解析"),
    (
        "loopback",
        "http://127.0.0.1:8080/",
        _private,
        "refused: 127.0.0.1 -> 127.0.0.1 is a loopback address",
        "回环地址",
    ),
    (
        "private",
        "http://intranet.test/",
        _private,
        "refused: intranet.test -> 10.1.2.3 is a private address",
        "私有地址",
    ),
    (
        "link-local",
        "http://169.254.169.254/",
        _private,
        "refused: 169.254.169.254 -> 169.254.169.254 is a link-local address",
        "链路本地地址",
    ),
]


@pytest.mark.parametrize(
    ("url", "resolver", "reason", "chinese"),
    [case[1:] for case in URLS],
    ids=[case[0] for case in URLS],
)
def test_a_url_the_guard_refuses_says_why_in_chinese(
    url: str, resolver: object, reason: str, chinese: str
) -> None:
    guard = Guard(resolver=resolver)  # type: ignore[arg-type]
    with pytest.raises(Blocked) as caught:
        asyncio.run(guard.check(url))
    assert str(caught.value) == reason
    said = caught.value.say(ZH)
    assert chinese in said
    # What the user typed (host names) and what the OS said stay as they are.
    left = english_left(
        said, (url, "ftp:", "nowhere.test", "intranet.test", "Name or service not known")
    )
    assert left == [], said
    assert error_kind(caught.value) == "other"
    copy = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(copy, FetchError)
    assert copy.say(ZH) == said


@pytest.fixture
def pool() -> Iterator[ParsePool]:
    made = ParsePool(1)
    yield made
    made.close()


def test_errors_from_a_worker_process_keep_their_phrase(pool: ParsePool) -> None:
    async def go(content: bytes) -> str:
        try:
            await pool.parse(content, source="t")
        except FeedError as exc:
            return exc.say(ZH)
        raise AssertionError("parsed")

    assert asyncio.run(go(BROKEN)) == "XML 在第 1 行损坏：找不到任何元素"
    assert pool.in_processes
    assert pool.pids()
