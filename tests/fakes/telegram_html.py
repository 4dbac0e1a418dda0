"""Check a message the way Telegram's Bot API checks `parse_mode=HTML` text.

In:  the `text` a bot would send with `parse_mode="HTML"`.
Out: `telegram_html_errors(text)` -> a list of problems (empty when Telegram would accept it);
     `parse_telegram_html(text)` -> `ParsedHTML(text, entities, errors)`, the visible text and
     the MessageEntity dicts Telegram would put on the Message it returns.
Fails: never raises for any input string; every problem is reported in `errors`, worded like
Telegram's "can't parse entities" descriptions (offsets are UTF-8 byte offsets, as Telegram's).

The rules follow the Bot API documentation ("HTML style"), which is a little stricter than what
the real server lets through: a bare `&` or `>` is an error here (the docs say they must be
escaped), unknown attributes are errors (Telegram drops them silently), and tags are nested only
as the docs allow. Being strict is the point of a fake: it catches renderer bugs before Telegram
does. Length is counted in Unicode code points of the visible, trimmed text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# Canonical tag -> the entity type Telegram creates for it.
_ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}

# Attributes each tag may carry; everything else is refused.
_ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "span": frozenset({"class"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "code": frozenset({"class"}),
    "blockquote": frozenset({"expandable"}),
}

# Formatting entities may sit inside anything but code/pre; these may not contain one another.
_FORMATTING = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})

_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot);|#([0-9]{1,7});|#[xX]([0-9a-fA-F]{1,6});)")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_-]*")
_UNQUOTED_VALUE_RE = re.compile(r"[^\s>\"'=<`]+")


@dataclass
class ParsedHTML:
    """The visible text, Telegram-style entities (UTF-16 offsets), and the problems found."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class _Open:
    name: str  # the tag name as written, lowercased (end tags must repeat it)
    entity_type: str
    start: int  # offset in the visible text, in UTF-16 code units
    extra: dict[str, Any]


def telegram_html_errors(text: str, *, max_length: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Problems that would make Telegram refuse `text` sent with parse_mode=HTML."""
    return parse_telegram_html(text, max_length=max_length).errors


def parse_telegram_html(text: str, *, max_length: int = MAX_MESSAGE_LENGTH) -> ParsedHTML:
    """Parse `text` as Telegram HTML; see the module docstring."""
    parser = _Parser(text)
    parser.run()
    visible, entities = _trim(parser.out_text(), parser.entities)
    errors = list(parser.errors)
    if len(visible) > max_length:
        errors.append(
            f"text is too long: {len(visible)} characters after entity parsing, "
            f"the limit is {max_length}"
        )
    return ParsedHTML(visible, entities, errors)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


class _Parser:
    """A single pass over the text; stops at the first syntax error, as Telegram does."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.parts: list[str] = []
        self.length16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []
        self.errors: list[str] = []

    def byte_offset(self, pos: int) -> int:
        return len(self.text[:pos].encode("utf-8", "surrogatepass"))

    def emit(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.length16 += utf16_len(chunk)

    def out_text(self) -> str:
        return "".join(self.parts)

    def fail(self, message: str) -> None:
        self.errors.append(message)

    def run(self) -> None:
        text = self.text
        n = len(text)
        while self.pos < n and not self.errors:
            ch = text[self.pos]
            if ch == "&":
                self.entity()
            elif ch == ">":
                self.fail(f"Unescaped '>' at byte offset {self.byte_offset(self.pos)}; use &gt;")
            elif ch == "<":
                if text.startswith("</", self.pos):
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                nxt = _next_special(text, self.pos)
                self.emit(text[self.pos : nxt])
                self.pos = nxt
        if not self.errors and self.stack:
            self.fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')

    def entity(self) -> None:
        match = _ENTITY_RE.match(self.text, self.pos)
        if match is None:
            self.fail(
                f"Unescaped '&' at byte offset {self.byte_offset(self.pos)}; "
                "use &amp; (only &lt; &gt; &amp; &quot; and numeric entities are known)"
            )
            return
        named, dec, hexa = match.groups()
        if named:
            self.emit(_NAMED[named])
        else:
            code = int(dec) if dec else int(hexa, 16)
            if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                self.fail(f"Invalid numeric entity at byte offset {self.byte_offset(self.pos)}")
                return
            self.emit(chr(code))
        self.pos = match.end()

    def start_tag(self) -> None:
        start = self.pos
        name_match = _TAG_NAME_RE.match(self.text, start + 1)
        if name_match is None:
            self.fail(f'Unsupported start tag "" at byte offset {self.byte_offset(start)}')
            return
        name = name_match.group().lower()
        if name not in _ENTITY_TYPE:
            self.fail(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(start)}')
            return
        self.pos = name_match.end()
        attributes = self.attributes(name, start)
        if attributes is None:
            return
        self.open_tag(name, attributes, start)

    def attributes(self, name: str, start: int) -> dict[str, str] | None:
        """Read attributes up to and including the closing `>`; None after an error."""
        text = self.text
        found: dict[str, str] = {}
        while True:
            while self.pos < len(text) and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(text):
                self.fail(f"Unclosed start tag at byte offset {self.byte_offset(start)}")
                return None
            if text[self.pos] == ">":
                self.pos += 1
                return found
            attr_match = _ATTR_NAME_RE.match(text, self.pos)
            if attr_match is None:
                self.fail(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{self.byte_offset(start)}"
                )
                return None
            attr = attr_match.group().lower()
            self.pos = attr_match.end()
            value = self.attribute_value(start)
            if value is None:
                return None
            if attr not in _ALLOWED_ATTRIBUTES.get(name, frozenset()):
                self.fail(
                    f'Attribute "{attr}" is not allowed in the tag "{name}" at byte offset '
                    f"{self.byte_offset(start)}"
                )
                return None
            found[attr] = value

    def attribute_value(self, start: int) -> str | None:
        text = self.text
        probe = self.pos
        while probe < len(text) and text[probe].isspace():
            probe += 1
        if probe >= len(text) or text[probe] != "=":
            return ""  # a bare attribute such as `expandable`
        probe += 1
        while probe < len(text) and text[probe].isspace():
            probe += 1
        if probe < len(text) and text[probe] in "\"'":
            quote = text[probe]
            end = text.find(quote, probe + 1)
            if end < 0:
                self.fail(f"Unclosed start tag at byte offset {self.byte_offset(start)}")
                return None
            raw = text[probe + 1 : end]
            self.pos = end + 1
        else:
            value_match = _UNQUOTED_VALUE_RE.match(text, probe)
            if value_match is None:
                self.fail(f"Expected an attribute value at byte offset {self.byte_offset(probe)}")
                return None
            raw = value_match.group()
            self.pos = value_match.end()
        return _decode_attribute(raw)

    def open_tag(self, name: str, attributes: dict[str, str], start: int) -> None:
        offset = self.byte_offset(start)
        entity_type = _ENTITY_TYPE[name]
        extra: dict[str, Any] = {}
        if name == "span":
            if attributes.get("class") != "tg-spoiler":
                self.fail(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
                return
        elif name == "a":
            href = attributes.get("href", "").strip()
            if not href:
                self.fail(f'Tag "a" must have a non-empty "href" at byte offset {offset}')
                return
            extra["url"] = href
        elif name == "tg-emoji":
            emoji_id = attributes.get("emoji-id", "")
            if not emoji_id.isdigit():
                self.fail(f'Tag "tg-emoji" must have a numeric "emoji-id" at byte offset {offset}')
                return
            extra["custom_emoji_id"] = emoji_id
        elif name == "code" and "class" in attributes:
            css = attributes["class"]
            if not css.startswith("language-") or len(css) == len("language-"):
                self.fail(f'Tag "code" may only have class "language-NAME" at byte offset {offset}')
                return
            extra["language"] = css.removeprefix("language-")
        elif name == "blockquote" and "expandable" in attributes:
            entity_type = "expandable_blockquote"
        problem = _nesting_problem(entity_type, [o.entity_type for o in self.stack])
        if problem:
            self.fail(f"{problem} at byte offset {offset}")
            return
        if "language" in extra and (not self.stack or self.stack[-1].entity_type != "pre"):
            self.fail(
                f'"code" with a language must be directly inside "pre" at byte offset {offset}'
            )
            return
        self.stack.append(_Open(name, entity_type, self.length16, extra))

    def end_tag(self) -> None:
        start = self.pos
        offset = self.byte_offset(start)
        name_match = _TAG_NAME_RE.match(self.text, start + 2)
        end = self.text.find(">", start)
        if name_match is None or end < 0 or self.text[name_match.end() : end].strip():
            self.fail(f"Unclosed end tag at byte offset {offset}")
            return
        name = name_match.group().lower()
        self.pos = end + 1
        if not self.stack:
            self.fail(f'Unexpected end tag "{name}" at byte offset {offset}')
            return
        top = self.stack[-1]
        if top.name != name:
            self.fail(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                f'found "</{name}>"'
            )
            return
        self.stack.pop()
        self.close_entity(top)

    def close_entity(self, opened: _Open) -> None:
        if opened.entity_type == "code" and self.stack and self.stack[-1].entity_type == "pre":
            # <pre><code class="language-x"> is one `pre` entity carrying the language.
            if "language" in opened.extra:
                self.stack[-1].extra["language"] = opened.extra["language"]
            return
        length = self.length16 - opened.start
        if length <= 0:
            return  # Telegram drops empty entities
        entity: dict[str, Any] = {"type": opened.entity_type, "offset": opened.start}
        entity["length"] = length
        entity.update(opened.extra)
        self.entities.append(entity)


def _next_special(text: str, pos: int) -> int:
    """Index of the next `<`, `>` or `&` at or after `pos`, or len(text)."""
    hits = [i for i in (text.find(c, pos) for c in "<>&") if i >= 0]
    return min(hits) if hits else len(text)


def _decode_attribute(raw: str) -> str:
    """Attribute values may use the same entities as text; unknown `&` stay literal."""

    def replace(match: re.Match[str]) -> str:
        named, dec, hexa = match.groups()
        if named:
            return _NAMED[named]
        code = int(dec) if dec else int(hexa, 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else ""

    return _ENTITY_RE.sub(replace, raw)


def _nesting_problem(entity_type: str, open_types: list[str]) -> str | None:
    """Why `entity_type` may not open inside `open_types` (outermost first), or None."""
    if not open_types:
        return None
    parent = open_types[-1]
    if parent == "pre" and entity_type == "code":
        return None
    if "code" in open_types or "pre" in open_types:
        inner = "code" if "code" in open_types else "pre"
        return f'Tag "{entity_type}" can\'t be inside "{inner}"'
    if entity_type in _FORMATTING:
        return None
    quotes = {"blockquote", "expandable_blockquote"}
    if entity_type in quotes:
        if quotes & set(open_types):
            return "Blockquotes can't be nested"
        return None
    # url/custom emoji/code/pre can't contain each other; quotes and formatting may hold them.
    inner_kinds = [t for t in open_types if t not in _FORMATTING and t not in quotes]
    if inner_kinds:
        return f'Entity "{entity_type}" can\'t be inside "{inner_kinds[-1]}"'
    return None


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip leading/trailing whitespace as Telegram does, moving and clipping entities."""
    stripped = text.strip()
    if stripped == text:
        return text, sorted(entities, key=lambda e: (e["offset"], -e["length"]))
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    moved: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return stripped, sorted(moved, key=lambda e: (e["offset"], -e["length"]))
