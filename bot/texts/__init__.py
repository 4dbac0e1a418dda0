"""Every user-facing string, one module per language: `text(key, lang, **values)`.

In: a key such as "alert.why", a language code ("en", "pt_BR") and the values the string names.
Out: the string in that language, with the values filled in by `str.format`.
A language module is `bot/texts/<lang>.py` holding `TEXTS: dict[str, str]`; adding a language
means adding one file. A language without the module, or a key it lacks, falls back to English.
A key English lacks raises `KeyError` (a programming error the tests catch); a string naming a
value the caller did not pass raises `KeyError` too. Values are inserted as given: callers that
build HTML escape the result, never the other way round, so a string may hold no markup.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

DEFAULT_LANG = "en"
# Language codes look like "en", "pt_BR"; anything else never reaches importlib.
_LANG_RE = re.compile(r"^[a-z]{2,3}(?:_[A-Z]{2})?$")


@cache
def _table(lang: str) -> dict[str, str]:
    if not _LANG_RE.match(lang):
        return {}
    try:
        module = importlib.import_module(f"{__name__}.{lang}")
    except ModuleNotFoundError:
        return {}
    table = getattr(module, "TEXTS", {})
    return table if isinstance(table, dict) else {}


def languages() -> tuple[str, ...]:
    """The language codes that have a module here, English first."""
    found = sorted(m.name for m in pkgutil.iter_modules(__path__) if _LANG_RE.match(m.name))
    return (DEFAULT_LANG, *(code for code in found if code != DEFAULT_LANG))


def has_text(key: str, lang: str = DEFAULT_LANG) -> bool:
    """Whether `key` exists in `lang` or in the English fallback."""
    return key in _table(lang) or key in _table(DEFAULT_LANG)


def text(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The string `key` in `lang` (else English), formatted with `values`."""
    return template(key, lang).format(**values)


def template(key: str, lang: str = DEFAULT_LANG) -> str:
    """The unformatted string `key` in `lang` (else English), for callers that fill it with HTML."""
    found = _table(lang).get(key)
    return found if found is not None else _table(DEFAULT_LANG)[key]
