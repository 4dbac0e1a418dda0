"""The disclaimer in every language: shipped per language, DISCLAIMER over all, DISCLAIMER_ZH
over Chinese; never none."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from bot.texts import languages, text


@pytest.mark.parametrize(
    ("env", "english", "chinese"),
    [
        ({}, "shipped:en", "shipped:zh_Hans"),
        ({"disclaimer": "Ours."}, "Ours.", "Ours."),
        ({"disclaimer_zh": "我们的。"}, "shipped:en", "我们的。"),
        ({"disclaimer": "Ours.", "disclaimer_zh": "我们的。"}, "Ours.", "我们的。"),
    ],
    ids=["shipped", "DISCLAIMER", "DISCLAIMER_ZH", "both"],
)
def test_disclaimer_for_each_language(env: dict[str, str], english: str, chinese: str) -> None:
    settings = Settings(_env_file=None, **env)  # type: ignore[call-arg]

    def expected(value: str) -> str:
        kind, _, lang = value.partition(":")
        return text("disclaimer", lang) if kind == "shipped" else value

    assert settings.disclaimer_for("en") == expected(english)
    assert settings.disclaimer_for("zh_Hans") == expected(chinese)
    assert all(settings.disclaimers()[lang] for lang in languages())


def test_shipped_disclaimers_differ_by_language() -> None:
    assert "Not investment advice" in text("disclaimer", "en")
    assert "不构成投资建议" in text("disclaimer", "zh_Hans")
