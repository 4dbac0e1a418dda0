"""Every user-facing string, in gettext catalogues: `text(key, lang, **values)`.

In: a key such as "alert.why" (the catalogue's msgid), a language code ("en", "zh_Hans") and
the values the string names. Out: the string in that language, with the values filled in by
`str.format`. The catalogues are `bot/texts/locales/<lang>/LC_MESSAGES/messages.po`, the form
translators' tools (Poedit, Weblate, Babel) read and write; adding a language means adding one
`.po` file (see the README's checklist). They are read once, at first use, with Babel and
compiled in memory into the standard library's `gettext.GNUTranslations`, so that plural forms
follow each catalogue's `Plural-Forms` header (`plural()`), never string concatenation.
A key a language lacks falls back to English. A key English lacks raises `KeyError` (a
programming error the tests catch); a string naming a value the caller did not pass raises
`KeyError` too. Values are inserted as given: callers that build HTML escape the result, never
the other way round, so a string may hold no markup.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DEFAULT_LANG = "en"
# The languages with a catalogue, English first; a new catalogue is added here too, so that a
# stray directory never becomes a language the menu offers.
LANGUAGES = ("en", "zh_Hans")
DOMAIN = "messages"


@dataclass(frozen=True, slots=True)
class Phrase:
    """A message not yet put into words: its key and values, for errors raised deep in a stage
    and shown in whichever language the chat that sees them reads."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def say(self, lang: str = DEFAULT_LANG) -> str:
        """The phrase in `lang`; a value that is itself a phrase (or an error carrying one) is
        said in `lang` too."""
        return text(self.key, lang, **{k: said(v, lang) for k, v in self.values.items()})


class PhraseError(ValueError):
    """An error whose reason is a `Phrase`: str() is English (logs); `say(lang)` is for users."""

    def __init__(self, key: str, /, **values: object) -> None:
        self.phrase = Phrase(key, values)
        super().__init__(self.phrase.say())

    def say(self, lang: str = DEFAULT_LANG) -> str:
        """The reason in `lang`."""
        return self.phrase.say(lang)


def said(value: object, lang: str) -> object:
    """`value` as a user reading `lang` sees it: a phrase, or an error or object that can say
    itself (`say(lang)`), in `lang`; anything else as it is."""
    if isinstance(value, Phrase):
        return value.say(lang)
    say = getattr(value, "say", None)
    return say(lang) if callable(say) else value


@cache
def _catalogue(lang: str) -> gettext.GNUTranslations:
    """The compiled catalogue of `lang` (English falls back to nothing; others to English)."""
    po = resources.files(__package__).joinpath("locales", lang, "LC_MESSAGES", f"{DOMAIN}.po")
    with po.open("rb") as source:
        catalog = read_po(source, locale=None, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    translations = gettext.GNUTranslations(compiled)
    if lang != DEFAULT_LANG:
        translations.add_fallback(_catalogue(DEFAULT_LANG))
    return translations


@cache
def keys(lang: str = DEFAULT_LANG) -> frozenset[str]:
    """The keys `lang`'s catalogue translates (plural ones once)."""
    if lang not in LANGUAGES:
        return frozenset()
    found = _catalogue(lang)._catalog  # type: ignore[attr-defined]  # gettext's own table
    return frozenset(k[0] if isinstance(k, tuple) else k for k in found if k)


@cache
def plural_keys() -> frozenset[str]:
    """The keys whose English string has plural forms (filled by `plural()`)."""
    found = _catalogue(DEFAULT_LANG)._catalog  # type: ignore[attr-defined]
    return frozenset(k[0] for k in found if isinstance(k, tuple))


def languages() -> tuple[str, ...]:
    """The language codes that have a catalogue, English first."""
    return LANGUAGES


def known(lang: str | None) -> str:
    """`lang` if it has a catalogue, else English (a code stored before it was removed)."""
    return lang if lang in LANGUAGES else DEFAULT_LANG


def has_text(key: str, lang: str = DEFAULT_LANG) -> bool:
    """Whether `key` exists in `lang` or in the English fallback."""
    return key in keys(known(lang)) or key in keys(DEFAULT_LANG)


def template(key: str, lang: str = DEFAULT_LANG) -> str:
    """The unformatted string `key` in `lang` (else English), for callers that fill it with HTML."""
    if key not in keys(DEFAULT_LANG):
        raise KeyError(key)
    if key in plural_keys():
        raise KeyError(f"{key} has plural forms: use plural()")
    return _catalogue(known(lang)).gettext(key)


def text(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The string `key` in `lang` (else English), formatted with `values`."""
    return template(key, lang).format(**values)


def plural(key: str, count: int, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The form of `key` that goes with `count` in `lang` (the catalogue's plural rule),
    formatted with `count` and `values`."""
    if key not in plural_keys():
        raise KeyError(f"{key} has no plural forms: use text()")
    return _catalogue(known(lang)).ngettext(key, key, count).format(count=count, **values)
