"""The gettext catalogues: English complete, every other language with exactly its keys and
placeholders, plural forms from each catalogue's rule, and every key the code uses present."""

from __future__ import annotations

import ast
import string
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.texts import has_text, languages, plural, template, text

BOT = Path(__file__).resolve().parents[2] / "bot"
# Callables whose first argument is a catalogue key.
KEYED = {"text", "template", "has_text", "plural", "Phrase", "named", "PreferenceError"}
KEYED |= {"ImportRefused", "QueryError", "PhraseError"}


@cache
def catalogue(lang: str) -> Catalog:
    po = resources.files("bot.texts").joinpath("locales", lang, "LC_MESSAGES", "messages.po")
    with po.open("rb") as source:
        return read_po(source)


def forms(lang: str) -> dict[str, tuple[str, ...]]:
    """Key -> its translated form(s), as the catalogue holds them."""
    found: dict[str, tuple[str, ...]] = {}
    for message in catalogue(lang):
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found[key] = tuple(strings)
    return found


def fields(value: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(value) if f}


def keys_used_in_code() -> set[str]:
    """Every literal key passed to the catalogue anywhere in bot/."""
    used: set[str] = set()
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            # Called by name, or as FetchError.named (sqlalchemy's sa.text is no key).
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if isinstance(func, ast.Attribute) and name != "named":
                continue
            first = node.args[0]
            if name in KEYED and isinstance(first, ast.Constant) and isinstance(first.value, str):
                used.add(first.value)
    return used


def test_every_key_used_exists_in_english() -> None:
    used = keys_used_in_code()
    assert {"alert.why", "error.timezone", "query.error.quote", "fetch.error.http"} <= used
    assert sorted(used - forms("en").keys()) == []


@pytest.mark.parametrize("lang", languages(), ids=str)
def test_every_catalogue_has_every_key_with_the_same_placeholders(lang: str) -> None:
    english, table = forms("en"), forms(lang)
    assert sorted(english.keys() - table.keys()) == [], "missing"
    assert sorted(table.keys() - english.keys()) == [], "unknown"
    for key, strings in table.items():
        assert all(strings), f"{key} is untranslated"
        expected = set().union(*(fields(s) for s in english[key]))
        for value in strings:
            # A plural form may leave the count unsaid ("one more"), never add a field.
            shown = fields(value)
            assert shown == expected or (shown | {"count"}) == expected, key


@pytest.mark.parametrize("lang", languages(), ids=str)
def test_catalogues_are_complete_and_not_fuzzy(lang: str) -> None:
    found = catalogue(lang)
    assert str(found.locale) == lang
    assert [m.id for m in found if m.id and m.fuzzy] == []
    assert found.num_plurals == (2 if lang == "en" else 1)


@pytest.mark.parametrize("lang", languages(), ids=str)
def test_catalogues_hold_no_markup(lang: str) -> None:
    flat = [(k, s) for k, strings in forms(lang).items() for s in strings]
    assert [k for k, s in flat if "<" in s or "&" in s] == []


def test_lookup_and_fallback() -> None:
    assert text("alert.button.mute", name="$AMZN") == "Mute $AMZN"
    assert text("alert.button.mute", "xx", name="$AMZN") == "Mute $AMZN"
    assert text("alert.button.mute", "zh_Hans", name="$AMZN") == "屏蔽 $AMZN"
    assert template("alert.why") == "Why: {reasons}"
    assert has_text("sec.item.2.02")
    assert not has_text("sec.item.9.99")
    with pytest.raises(KeyError):
        text("no.such.key")
    with pytest.raises(KeyError):
        text("chat.test.more", count=2)  # a plural message goes through plural()


@pytest.mark.parametrize(
    ("lang", "count", "said"),
    [
        ("en", 1, "Imported 1 feed (0 skipped)."),
        ("en", 2, "Imported 2 feeds (0 skipped)."),
        ("en", 0, "Imported 0 feeds (0 skipped)."),
        ("zh_Hans", 1, "已导入 1 个订阅源（跳过 0 个）。"),
        ("zh_Hans", 5, "已导入 5 个订阅源（跳过 0 个）。"),
    ],
    ids=["en-one", "en-other", "en-zero", "zh-one", "zh-other"],
)
def test_plural_forms_follow_the_catalogue_rule(lang: str, count: int, said: str) -> None:
    assert plural("feeds.opml.imported", count, lang, skipped=0) == said
