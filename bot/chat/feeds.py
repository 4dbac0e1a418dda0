"""Chat commands for a chat's own feeds.

In: Telegram updates (PTB handlers) and the shared `Services`. Out: replies; user feeds written
to the store (`feeds` of kind "user" and their `feed_owners`), which the poll job then polls
with the same limits as every feed and through the SSRF guard. Commands:
- `/addfeed URL`: the URL is checked (http(s) only; a public address unless
  ALLOW_PRIVATE_FEEDS, after DNS resolution and at every redirect) and fetched once: a page that
  is not a feed is refused with the reason. At most MAX_USER_FEEDS per chat. The document is
  parsed in the parse pool, off the event loop (the poll and delivery jobs keep running).
- `/myfeeds`, `/removefeed N|URL`, `/exportopml` (an OPML document), and an OPML file sent
  with the caption `/importopml` (each URL checked like /addfeed, without the trial fetch).
In a group only administrators add, remove and import feeds (`admins_only`); anyone may list
and export them. A bad argument is answered with what was wrong and an example, never silence.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from telegram import InputFile, Update

from bot.chat.context import Context, reply
from bot.chat.gate import admins_only, remember_chat
from bot.feeds.fetch import FetchError, Limits, fetch, make_client
from bot.feeds.guard import Guard
from bot.feeds.opml import MAX_OPML_BYTES, OpmlError, read_opml, write_opml
from bot.feeds.parse import FeedError, ParsedFeed
from bot.feeds.urls import canonical_url
from bot.models import Feed
from bot.services import Services
from bot.texts import plural, said, text

TRIAL_TIMEOUT = 30.0  # seconds for /addfeed's one fetch


def _guard(context: Context) -> Guard:
    allow = context.svc.settings.allow_private_feeds
    return Guard(allow_private=allow, resolver=context.bot_data.resolver)


def _room(svc: Services, chat_id: int, lang: str) -> str | None:
    """Why this chat may not add another feed (None when it may)."""
    limit = svc.settings.max_user_feeds
    if limit == 0:
        return text("feeds.add.off", lang)
    count = len(svc.store.feeds.user_feeds(chat_id))
    return text("feeds.add.limit", lang, count=count) if count >= limit else None


@admins_only
async def add_feed(update: Update, context: Context) -> None:
    """/addfeed URL: check, fetch once, and add a feed for this chat."""
    svc = context.svc
    chat_id = remember_chat(update, context)
    if len(context.args or []) != 1:
        await reply(update, text("feeds.add.usage", context.lang))
        return
    problem = _room(svc, chat_id, context.lang)
    if problem:
        await reply(update, problem)
        return
    url = canonical_url(context.args[0]) if context.args else ""
    if not url:
        await reply(
            update,
            text(
                "feeds.add.refused", context.lang, reason=text("feeds.add.not_http", context.lang)
            ),
        )
        await reply(update, text("feeds.add.usage", context.lang))
        return
    try:
        parsed = await _try_feed(context, url)
    except (FetchError, FeedError) as exc:
        await reply(update, text("feeds.add.refused", context.lang, reason=said(exc, context.lang)))
        return
    name = parsed.title or urlsplit(url).hostname or url
    feed = Feed(name=name[:255], url=url, interval=svc.settings.poll_interval)
    _, added = svc.store.feeds.add_user_feed(chat_id, feed, now=svc.clock())
    await reply(
        update, text("feeds.add.added" if added else "feeds.add.already", context.lang, name=name)
    )


async def _try_feed(context: Context, url: str) -> ParsedFeed:
    """Fetch `url` once through the SSRF guard and parse it in the parse pool (a large
    document must not stop the event loop). Raises FetchError or FeedError with the reason."""
    limits = Limits(max_bytes=context.svc.settings.max_feed_bytes, total_timeout=TRIAL_TIMEOUT)
    async with make_client(limits) as client:
        fetched = await fetch(client, url, limits=limits, check=_guard(context).check)
    if fetched.body is None:
        raise FeedError.named("feeds.add.empty")
    return await context.bot_data.parse_pool.parse(
        fetched.body, source=url, url=fetched.url, content_type=fetched.content_type
    )


async def my_feeds(update: Update, context: Context) -> None:
    """/myfeeds: the feeds this chat added, numbered, with their state."""
    chat_id = remember_chat(update, context)
    states = context.svc.store.feeds.user_feeds(chat_id)
    if not states:
        await reply(update, text("feeds.list.empty", context.lang))
        return
    lines = [text("feeds.list.header", context.lang)]
    for number, state in enumerate(states, start=1):
        status = ""
        if state.broken_at is not None:
            status = text(
                "feeds.list.broken", context.lang, error=state.error_for(context.lang) or "?"
            )
        elif state.error_count:
            status = text(
                "feeds.list.failing", context.lang, error=state.error_for(context.lang) or "?"
            )
        lines.append(
            text(
                "feeds.list.line",
                context.lang,
                number=number,
                name=state.feed.name,
                url=state.feed.url,
                status=status,
            )
        )
    await reply(update, "\n".join(lines))


@admins_only
async def remove_feed(update: Update, context: Context) -> None:
    """/removefeed N|URL: take a feed from this chat."""
    svc = context.svc
    chat_id = remember_chat(update, context)
    if len(context.args or []) != 1:
        await reply(update, text("feeds.remove.usage", context.lang))
        return
    which = (context.args or [""])[0]
    states = svc.store.feeds.user_feeds(chat_id)
    chosen = None
    if which.isdigit() and 1 <= int(which) <= len(states):
        chosen = states[int(which) - 1]
    else:
        wanted = canonical_url(which) or which
        chosen = next((s for s in states if s.feed.url in (which, wanted)), None)
    if chosen is None or chosen.feed.id is None:
        await reply(update, text("feeds.remove.unknown", context.lang, which=which))
        return
    svc.store.feeds.remove_user_feed(chat_id, chosen.feed.id)
    await reply(update, text("feeds.remove.done", context.lang, name=chosen.feed.name))


@admins_only
async def import_opml(update: Update, context: Context) -> None:
    """An OPML document with the caption /importopml: add each of its feeds to this chat."""
    svc = context.svc
    chat_id = remember_chat(update, context)
    message = update.effective_message
    document = message.document if message is not None else None
    if document is None:
        await reply(update, text("feeds.opml.usage", context.lang))
        return
    if document.file_size is not None and document.file_size > MAX_OPML_BYTES:
        await reply(update, text("feeds.opml.bad", context.lang, reason="the file is too large"))
        return
    try:
        file = await document.get_file()
        entries = read_opml(bytes(await file.download_as_bytearray()))
    except OpmlError as exc:
        await reply(update, text("feeds.opml.bad", context.lang, reason=said(exc, context.lang)))
        return
    guard = _guard(context)
    added = 0
    skipped: list[str] = []
    for title, raw in entries:
        url = canonical_url(raw)
        problem = _room(svc, chat_id, context.lang)
        if problem is None:
            try:
                await guard.check(url or raw)
            except FetchError as exc:
                problem = str(said(exc, context.lang))
        if problem is not None:
            skipped.append(text("feeds.opml.skipped", context.lang, url=raw, reason=problem))
            continue
        feed = Feed(name=(title or url)[:255], url=url, interval=svc.settings.poll_interval)
        added += svc.store.feeds.add_user_feed(chat_id, feed, now=svc.clock())[1]
    lines = [
        plural("feeds.opml.imported", added, context.lang, skipped=len(skipped)),
        *skipped[:10],
    ]
    await reply(update, "\n".join(lines))


async def export_opml(update: Update, context: Context) -> None:
    """/exportopml: this chat's feeds as an OPML document."""
    svc = context.svc
    chat_id = remember_chat(update, context)
    states = svc.store.feeds.user_feeds(chat_id)
    message = update.effective_message
    if not states or message is None:
        await reply(update, text("feeds.opml.empty", context.lang))
        return
    body = write_opml(
        [s.feed for s in states], title=text("feeds.opml.caption", context.lang), now=svc.clock()
    )
    await message.reply_document(
        InputFile(body, filename="feeds.opml"), caption=text("feeds.opml.caption", context.lang)
    )
