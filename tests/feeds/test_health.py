"""The feed-health report (`python -m bot feeds`, /feedhealth) with WebSub: how each hub
updates its feed, in English and Simplified Chinese, for every subscription state; feeds
without a hub as before; never a secret, a topic or a URL that may carry a token."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.feeds.health import format_health, hub_line
from bot.feeds.state import FeedHealth, FeedState, HubView
from bot.models import Feed
from bot.websub.lease import HubLink, HubState, HubSubscription

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HOST = "hub.example.com"
ZH = "zh_Hans"


def view(state: HubState, **changes: object) -> HubView:
    """A subscription in `state`, asked 2 minutes ago, pushed 3 minutes ago, leased 5 days,
    asked again in 6 hours after a failure."""
    base = HubView(
        feed_id=1,
        host=HOST,
        state=state,
        requested_at=NOW - timedelta(minutes=2),
        lease_until=NOW + timedelta(days=5),
        retry_at=NOW + timedelta(hours=6),
        last_push_at=NOW - timedelta(minutes=3),
        reason="HTTP 503 busy",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


CASES = [
    (
        view(HubState.ACTIVE),
        "pushed by hub.example.com, lease until 12 Dec 09:00 UTC, last push 3 minutes ago",
        "由 hub.example.com 推送，租约至 12月12日 09:00 UTC，上次推送：3分钟前",
    ),
    (
        view(HubState.ACTIVE, last_push_at=None),
        "pushed by hub.example.com, lease until 12 Dec 09:00 UTC, last push never",
        "由 hub.example.com 推送，租约至 12月12日 09:00 UTC，上次推送：从未",
    ),
    (
        view(HubState.ACTIVE, lease_until=NOW - timedelta(hours=1)),
        "hub hub.example.com: lease ended 1 hour ago, polled until it is renewed",
        "推送中心 hub.example.com：租约已结束（1小时前），续订前改为轮询",
    ),
    (
        view(HubState.PENDING),
        "hub hub.example.com pending (asked 2 minutes ago)",
        "推送中心 hub.example.com 等待确认（请求于2分钟前）",
    ),
    (
        view(HubState.NEW),
        "hub hub.example.com found, not asked yet; polled",
        "发现推送中心 hub.example.com，尚未请求；轮询中",
    ),
    (
        view(HubState.FAILED),
        "hub hub.example.com failed: HTTP 503 busy, polled; asking again at 07 Dec 15:00 UTC",
        "推送中心 hub.example.com 失败：HTTP 503 busy，改为轮询；将于12月7日 15:00 UTC再次请求",
    ),
    (
        view(HubState.FAILED, reason=None, retry_at=None),
        "hub hub.example.com failed: no reason given, polled; asking again at the next check",
        "推送中心 hub.example.com 失败：未说明原因，改为轮询；将于下次检查时再次请求",
    ),
    (
        view(HubState.DENIED, reason="topic not allowed"),
        "hub hub.example.com refused: topic not allowed, polled; asking again at 07 Dec 15:00 UTC",
        "推送中心 hub.example.com 拒绝：topic not allowed，改为轮询；将于12月7日 15:00 UTC再次请求",
    ),
    (
        view(HubState.SILENT),
        "hub hub.example.com silent (polls found stories it never pushed), polled; "
        "asking again at 07 Dec 15:00 UTC",
        "推送中心 hub.example.com 无推送（轮询发现了它未推送的新闻），改为轮询；"
        "将于12月7日 15:00 UTC再次请求",
    ),
    (
        view(HubState.LEAVING),
        "hub hub.example.com: unsubscribing (the feed was removed)",
        "推送中心 hub.example.com：正在退订（订阅源已移除）",
    ),
]
IDS = [
    "active",
    "active-never-pushed",
    "active-lease-ended",
    "pending",
    "new",
    "failed",
    "failed-no-reason",
    "denied",
    "silent",
    "leaving",
]


@pytest.mark.parametrize(("hub", "english", "chinese"), CASES, ids=IDS)
def test_how_a_hub_updates_its_feed(hub: HubView, english: str, chinese: str) -> None:
    assert hub_line(hub, NOW) == english
    assert hub_line(hub, NOW, ZH) == chinese


def test_every_state_has_a_line() -> None:
    assert {hub.state for hub, _, _ in CASES} == set(HubState)


def health(feed_id: int, name: str, **state: object) -> FeedHealth:
    feed = Feed(name=name, url=f"https://{name.lower()}.example.com/feed.rss", interval=300)
    base = FeedState(
        feed=replace(feed, id=feed_id),
        etag=None,
        last_modified=None,
        baseline_at=NOW - timedelta(days=1),
        error_count=0,
        last_success_at=NOW - timedelta(minutes=5),
        last_error=None,
        next_poll_at=NOW + timedelta(minutes=30),
    )
    return FeedHealth(replace(base, **state), True, None, 2.5)  # type: ignore[arg-type]


ROWS = [
    health(1, "Wire"),
    health(
        2,
        "Desk",
        error_count=3,
        last_error="HTTP 500",
        failing_since=NOW - timedelta(hours=1),
    ),
]


def test_a_feed_without_a_hub_reads_as_before() -> None:
    assert format_health(ROWS, NOW) == format_health(ROWS, NOW, hubs={})
    assert format_health(ROWS, NOW).splitlines() == [
        "2 feeds: 1 failing, 1 ok",
        "",
        "[failing] Desk (catalogue)",
        "  https://desk.example.com/feed.rss",
        "  last success 5 minutes ago; next poll in 30 minutes; 2.5 articles/day",
        "  last error never (3 in a row): HTTP 500",
        "",
        "[ok] Wire (catalogue)",
        "  https://wire.example.com/feed.rss",
        "  last success 5 minutes ago; next poll in 30 minutes; 2.5 articles/day",
    ]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "[ok] Wire (catalogue)",
                "  https://wire.example.com/feed.rss",
                "  last success 5 minutes ago; next poll in 30 minutes; 2.5 articles/day",
                "  pushed by hub.example.com, lease until 12 Dec 09:00 UTC, "
                "last push 3 minutes ago",
            ],
        ),
        (
            ZH,
            [
                "[正常] Wire（目录）",
                "  https://wire.example.com/feed.rss",
                "  上次成功：5分钟前；下次轮询：30分钟后；每天 2.5 篇",
                "  由 hub.example.com 推送，租约至 12月12日 09:00 UTC，上次推送：3分钟前",
            ],
        ),
    ],
    ids=["en", "zh"],
)
def test_a_pushed_feed_says_by_whom_under_its_polls(lang: str, expected: list[str]) -> None:
    report = format_health(ROWS, NOW, hubs={1: view(HubState.ACTIVE)}, lang=lang).splitlines()
    assert report[-4:] == expected
    assert sum(HOST in line for line in report) == 1  # the other feed has no hub


def test_the_summary_and_the_limit_in_chinese() -> None:
    report = format_health(ROWS, NOW, lang=ZH, limit=1).splitlines()
    assert report[0] == "2 个订阅源：1 个出错中，1 个正常"
    assert report[2] == "[出错中] Desk（目录）"
    assert report[5] == "  上次出错：从未（连续 3 次）：HTTP 500"
    assert report[-1] == "……另有 1 个（python -m bot feeds 可列出全部）"


SECRET = "s3cr3t-" + "ab" * 20


@pytest.mark.parametrize(
    ("hub", "error", "host", "reason"),
    [
        ("https://hub.example.com/", None, HOST, None),
        ("https://user:pass@hub.example.com:8443/p?token=t0k", None, HOST, None),
        (
            "https://hub.example.com/",
            "ConnectError: https://user:pass@hub.example.com/sub?token=t0k refused",
            HOST,
            "ConnectError: hub.example.com refused",
        ),
        (
            "https://hub.example.com/",
            f"HTTP 400 bad hub.secret {SECRET}",
            HOST,
            "HTTP 400 bad hub.secret [secret]",
        ),
        ("not a url", "HTTP 500", "?", "HTTP 500"),
        ("https://[::1/", "HTTP 500", "?", "HTTP 500"),
    ],
    ids=["plain", "credentials", "url-in-reason", "secret-in-reason", "no-host", "malformed"],
)
def test_a_view_shows_the_host_and_hides_secrets(
    hub: str, error: str | None, host: str, reason: str | None
) -> None:
    sub = HubSubscription(
        id=7,
        feed_id=1,
        link=HubLink(hub, "https://wire.example.com/feed.rss?key=k3y"),
        secret=SECRET,
        state=HubState.FAILED,
        error=error,
    )
    shown = HubView.of(sub)
    assert (shown.host, shown.reason) == (host, reason)
    said = repr(shown) + hub_line(shown, NOW) + hub_line(shown, NOW, ZH)
    for hidden in (SECRET, "pass", "t0k", "k3y", "wire.example.com"):
        assert hidden not in said
