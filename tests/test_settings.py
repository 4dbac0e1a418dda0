"""Settings: every one documented, parsed as documented, never read at import time."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(n.upper() for n in Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert f"`{name}`" in readme, f"{name} is missing from the README's settings table"
    assert name in example, f"{name} is missing from .env.example"


def test_defaults_need_nothing_but_work_out_of_the_box(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    settings = Settings(_env_file=None)
    assert settings.bot_token is None
    assert settings.database == f"sqlite:///{Path('data') / 'bot.sqlite3'}"
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.disclaimer


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", frozenset()), ("42", frozenset({42})), ("1, 2,3", frozenset({1, 2, 3}))],
    ids=["empty", "one", "several-with-spaces"],
)
def test_admin_chat_ids_are_comma_separated(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: frozenset[int]
) -> None:
    monkeypatch.setenv("ADMIN_CHAT_IDS", raw)
    assert Settings(_env_file=None).admin_chat_ids == expected


def test_a_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLL_INTERVAL", "often")
    with pytest.raises(ValidationError, match="poll_interval"):
        Settings(_env_file=None)


def test_the_token_never_shows_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:SECRET-TOKEN")
    settings = Settings(_env_file=None)
    assert "SECRET-TOKEN" not in repr(settings)
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "123456:SECRET-TOKEN"
