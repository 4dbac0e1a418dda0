"""A chat's language from Telegram's language_code, and Babel's dates, times and numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.texts.formats import (
    ago,
    clock_time,
    day,
    language_for,
    language_name,
    local_moment,
    number,
    telegram_codes,
    time_range,
)

NOW = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("zh", "zh_Hans"),
        ("zh-hans", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh-sg", "zh_Hans"),
        ("zh_Hans", "zh_Hans"),
        ("zh-hant", "en"),
        ("zh-TW", "en"),
        ("en", "en"),
        ("en-US", "en"),
        ("pt-br", "en"),
        (None, "en"),
        ("", "en"),
    ],
    ids=lambda v: repr(v),
)
def test_first_contact_language(code: str | None, lang: str) -> None:
    assert language_for(code) == lang


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ("22:30", "22:30–06:30", "07 Dec", "3 hours ago", "12,345", "English")),
        ("zh_Hans", ("22:30", "22:30–06:30", "12月7日", "3小时前", "12,345", "简体中文")),
    ],
    ids=["en", "zh_Hans"],
)
def test_locale_formats(lang: str, expected: tuple[str, ...]) -> None:
    assert (
        clock_time("22:30", lang),
        time_range("22:30", "06:30", lang),
        day(date(2026, 12, 7), lang),
        ago(NOW - timedelta(hours=3), NOW, lang),
        number(12345, lang),
        language_name(lang),
    ) == expected


@pytest.mark.parametrize(
    ("lang", "zone", "said"),
    [
        ("en", "UTC", "07 Dec 05:00 UTC"),
        ("en", "Europe/Berlin", "07 Dec 06:00 Europe/Berlin"),
        ("zh_Hans", "Asia/Shanghai", "12月7日 13:00 Asia/Shanghai"),
        ("zh_Hans", "Not/AZone", "12月7日 05:00 UTC"),
    ],
    ids=["en-utc", "en-berlin", "zh-shanghai", "zh-unknown-zone"],
)
def test_local_moment(lang: str, zone: str, said: str) -> None:
    assert local_moment(NOW, zone, lang) == said


def test_command_menu_language_codes() -> None:
    assert telegram_codes("en") == ()
    assert telegram_codes("zh_Hans") == ("zh",)
