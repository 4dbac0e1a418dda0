"""The pure parts of the subscriptions package: chat settings as typed, and the checks an
/import file must pass (table tests, no I/O but the SEC ticker table)."""

from __future__ import annotations

import json

import pytest

from bot.delivery.preferences import PreferenceError
from bot.matching.tickers import TickerUniverse
from bot.models import DeliveryMode
from bot.subscriptions.setting_values import parse_setting
from bot.subscriptions.transfer import FORMAT, ImportRefused, read_import


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("mode", "Daily", {"delivery_mode": DeliveryMode.DAILY}),
        ("digest", "7.30", {"digest_time": "07:30"}),
        ("tz", "asia/tokyo", {"timezone": "Asia/Tokyo"}),
        ("quiet", "22:00-07:00", {"quiet_start": "22:00", "quiet_end": "07:00"}),
        ("quiet", "off", {"quiet_start": None, "quiet_end": None}),
        ("rate", "10", {"max_per_hour": 10}),
        ("rate", "off", {"max_per_hour": None}),
        ("previews", "on", {"link_previews": True}),
        ("lang", "en", {"lang": "en"}),
    ],
    ids=[
        "mode",
        "digest",
        "timezone",
        "quiet",
        "quiet-off",
        "rate",
        "rate-off",
        "previews",
        "lang",
    ],
)
def test_settings_values(name: str, value: str, expected: dict[str, object]) -> None:
    assert parse_setting(name, value) == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("mode", "weekly"),
        ("digest", "25:00"),
        ("timezone", "Mars/Base"),
        ("rate", "-3"),
        ("previews", "maybe"),
        ("lang", "xx"),
        ("colour", "blue"),
    ],
    ids=["mode", "digest", "timezone", "rate", "previews", "lang", "unknown-setting"],
)
def test_bad_settings_values_say_why(name: str, value: str) -> None:
    with pytest.raises(PreferenceError) as raised:
        parse_setting(name, value)
    assert str(raised.value)


def _file(**changes: object) -> bytes:
    document: dict[str, object] = {
        "format": FORMAT,
        "version": 1,
        "subscriptions": [{"kind": "ticker", "value": "AMZN", "muted": False}],
        "settings": {"mode": "daily"},
    }
    document.update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json at all", "not a JSON file"),
        (b"\xff\xfe", "not a JSON file"),
        (json.dumps({"hello": 1}).encode(), "not an export"),
        (_file(version=9), "version 9"),
        (_file(subscriptions={"AMZN": 1}), "wrong shape"),
        (_file(subscriptions=[{"kind": "ticker", "value": "ZZZZQQ"}]), "ZZZZQQ"),
        (_file(subscriptions=[{"kind": "keyword", "value": '"AI chips'}]), "subscription 1"),
        (_file(subscriptions=[{"kind": "crypto", "value": "BTC"}]), "neither"),
        (_file(subscriptions=[{"kind": "ticker"}]), "subscription 1"),
        (_file(settings={"timezone": "Mars/Base"}), "timezone"),
        (_file(settings={"colour": "blue"}), "colour"),
        (_file(subscriptions=[{"kind": "ticker", "value": "AMZN"}] * 3), "at most 2"),
        (b" " * (300 * 1024), "larger than"),
    ],
    ids=[
        "not-json",
        "not-utf8",
        "other-format",
        "version",
        "subscriptions-shape",
        "unknown-ticker",
        "bad-query",
        "bad-kind",
        "missing-value",
        "bad-setting-value",
        "unknown-setting",
        "over-the-limit",
        "too-large",
    ],
)
def test_malformed_imports_are_refused_with_the_reason(
    universe: TickerUniverse, raw: bytes, reason: str
) -> None:
    with pytest.raises(ImportRefused, match=reason):
        read_import(raw, universe, limit=2)


def test_a_good_import_is_read(universe: TickerUniverse) -> None:
    subs, changes = read_import(_file(), universe, limit=2)
    assert [(s.kind.value, s.value, s.muted) for s in subs] == [("ticker", "AMZN", False)]
    assert changes == {"delivery_mode": DeliveryMode.DAILY}


def test_an_export_made_before_operators_in_any_case_is_read_back(
    universe: TickerUniverse,
) -> None:
    """A query saved when only OR in capitals was an operator ("chips and") reads back with its
    meaning of then, as the match index reads it, rather than refusing the whole file."""
    raw = _file(subscriptions=[{"kind": "keyword", "value": "chips and", "muted": True}])
    subs, _ = read_import(raw, universe, limit=2)
    assert [(s.kind.value, s.muted) for s in subs] == [("keyword", True)]
    assert subs[0].value.split() == ["chips", "and"]
