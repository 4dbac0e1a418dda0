"""User-facing strings: one module per language, English complete, every key used exists."""

from __future__ import annotations

import ast
import importlib
import string
from pathlib import Path

import pytest

from bot.texts import has_text, languages, template, text
from bot.texts.en import TEXTS

BOT = Path(__file__).resolve().parents[2] / "bot"


def keys_used_in_code() -> set[str]:
    """Every literal key passed to text(), template() or has_text() anywhere in bot/."""
    used: set[str] = set()
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"text", "template", "has_text"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                used.add(node.args[0].value)
    return used


def test_every_key_used_exists_in_english() -> None:
    used = keys_used_in_code()
    assert "alert.why" in used
    assert sorted(used - TEXTS.keys()) == []


@pytest.mark.parametrize("lang", languages(), ids=str)
def test_languages_have_no_unknown_keys_and_same_fields(lang: str) -> None:
    table: dict[str, str] = importlib.import_module(f"bot.texts.{lang}").TEXTS
    assert sorted(table.keys() - TEXTS.keys()) == []
    for key, value in table.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(value) if f}
        english = {f for _, f, _, _ in string.Formatter().parse(TEXTS[key]) if f}
        assert fields == english, key


def test_english_holds_no_markup() -> None:
    assert [k for k, v in TEXTS.items() if "<" in v or "&" in v] == []


def test_lookup_and_fallback() -> None:
    assert text("alert.button.mute", name="$AMZN") == "Mute $AMZN"
    assert text("alert.button.mute", "xx", name="$AMZN") == "Mute $AMZN"
    assert template("alert.why") == "Why: {reasons}"
    assert has_text("sec.item.2.02")
    assert not has_text("sec.item.9.99")
    with pytest.raises(KeyError):
        text("no.such.key")
