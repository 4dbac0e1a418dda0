"""Chat commands for a chat's own feeds, and the operators' feed health.

In: Telegram updates (PTB handlers) and the shared `Services`. Out: replies; user feeds written
to the store (`feeds` of kind "user" and their `feed_owners`), which the poll job then polls
with the same limits as every feed and through the SSRF guard. Commands:
- `/addfeed URL`: the URL is checked (http(s) only; a public address unless
  ALLOW_PRIVATE_FEEDS, after DNS resolution and at every redirect) and fetched once: a page that
  is not a feed is refused with the reason. At most MAX_USER_FEEDS per chat.
- `/myfeeds`, `/removefeed N|URL`, `/exportopml` (an OPML document), and an OPML file sent
  with the caption `/importopml` (each URL checked like /addfeed, without the trial fetch).
- `/feedhealth`: operators only (ADMIN_CHAT_IDS): every feed's health, worst first.
A bad argument is answered with what was wrong and an example, never silence.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from telegram import InputFile, LinkPreviewOptions, Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.chat.common import remember_chat
from bot.feeds.fetch import FetchError, Limits, fetch, make_client
from bot.feeds.guard import Guard, Resolver, system_resolver
from bot.feeds.health import format_health
from bot.feeds.opml import MAX_OPML_BYTES, OpmlError, read_opml, write_opml
from bot.feeds.parse import FeedError, parse_feed
from bot.feeds.urls import canonical_url
from bot.models import Feed
from bot.services import Services
from bot.texts import text

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
RESOLVER_KEY = "feed_resolver"  # bot_data key: tests put their own DNS resolver here
HEALTH_LIMIT = 25
MESSAGE_LIMIT = 4000


def _services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    found = context.bot_data["services"]
    assert isinstance(found, Services)
    return found


def _guard(context: ContextTypes.DEFAULT_TYPE, svc: Services) -> Guard:
    resolver: Resolver = context.bot_data.get(RESOLVER_KEY, system_resolver)
    return Guard(allow_private=svc.settings.allow_private_feeds, resolver=resolver)


async def _reply(update: Update, message: str) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            message[:MESSAGE_LIMIT], link_preview_options=NO_PREVIEW
        )


def _room(svc: Services, chat_id: int) -> str | None:
    """Why this chat may not add another feed (None when it may)."""
    limit = svc.settings.max_user_feeds
    if limit == 0:
        return text("feeds.add.off")
    count = len(svc.store.feeds.user_feeds(chat_id))
    return text("feeds.add.limit", count=count) if count >= limit else None


async def add_feed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/addfeed URL: check, fetch once, and add a feed for this chat."""
    svc = _services(context)
    chat_id = remember_chat(update, svc)
    if len(context.args or []) != 1:
        await _reply(update, text("feeds.add.usage"))
        return
    problem = _room(svc, chat_id)
    if problem:
        await _reply(update, problem)
        return
    url = canonical_url(context.args[0]) if context.args else ""
    if not url:
        await _reply(update, text("feeds.add.refused", reason="not an http(s) address"))
        await _reply(update, text("feeds.add.usage"))
        return
    limits = Limits(max_bytes=svc.settings.max_feed_bytes, total_timeout=30.0)
    try:
        async with make_client(limits) as client:
            fetched = await fetch(client, url, limits=limits, check=_guard(context, svc).check)
        if fetched.body is None:
            raise FeedError("the server sent an empty document")
        parsed = parse_feed(
            fetched.body, source=url, url=fetched.url, content_type=fetched.content_type
        )
    except (FetchError, FeedError) as exc:
        await _reply(update, text("feeds.add.refused", reason=str(exc)))
        return
    name = parsed.title or urlsplit(url).hostname or url
    feed = Feed(name=name[:255], url=url, interval=svc.settings.poll_interval)
    _, added = svc.store.feeds.add_user_feed(chat_id, feed, now=svc.clock())
    await _reply(update, text("feeds.add.added" if added else "feeds.add.already", name=name))


async def my_feeds(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/myfeeds: the feeds this chat added, numbered, with their state."""
    svc = _services(context)
    chat_id = remember_chat(update, svc)
    states = svc.store.feeds.user_feeds(chat_id)
    if not states:
        await _reply(update, text("feeds.list.empty"))
        return
    lines = [text("feeds.list.header")]
    for number, state in enumerate(states, start=1):
        status = ""
        if state.broken_at is not None:
            status = text("feeds.list.broken", error=state.last_error or "?")
        elif state.error_count:
            status = text("feeds.list.failing", error=state.last_error or "?")
        lines.append(
            text(
                "feeds.list.line",
                number=number,
                name=state.feed.name,
                url=state.feed.url,
                status=status,
            )
        )
    await _reply(update, "\n".join(lines))


async def remove_feed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/removefeed N|URL: take a feed from this chat."""
    svc = _services(context)
    chat_id = remember_chat(update, svc)
    if len(context.args or []) != 1:
        await _reply(update, text("feeds.remove.usage"))
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
        await _reply(update, text("feeds.remove.unknown", which=which))
        return
    svc.store.feeds.remove_user_feed(chat_id, chosen.feed.id)
    await _reply(update, text("feeds.remove.done", name=chosen.feed.name))


async def import_opml(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An OPML document with the caption /importopml: add each of its feeds to this chat."""
    svc = _services(context)
    chat_id = remember_chat(update, svc)
    message = update.effective_message
    document = message.document if message is not None else None
    if document is None:
        await _reply(update, text("feeds.opml.usage"))
        return
    if document.file_size is not None and document.file_size > MAX_OPML_BYTES:
        await _reply(update, text("feeds.opml.bad", reason="the file is too large"))
        return
    try:
        file = await document.get_file()
        entries = read_opml(bytes(await file.download_as_bytearray()))
    except OpmlError as exc:
        await _reply(update, text("feeds.opml.bad", reason=str(exc)))
        return
    guard = _guard(context, svc)
    added = 0
    skipped: list[str] = []
    for title, raw in entries:
        url = canonical_url(raw)
        problem = _room(svc, chat_id)
        if problem is None:
            try:
                await guard.check(url or raw)
            except FetchError as exc:
                problem = str(exc)
        if problem is not None:
            skipped.append(text("feeds.opml.skipped", url=raw, reason=problem))
            continue
        feed = Feed(name=(title or url)[:255], url=url, interval=svc.settings.poll_interval)
        added += svc.store.feeds.add_user_feed(chat_id, feed, now=svc.clock())[1]
    lines = [text("feeds.opml.imported", added=added, skipped=len(skipped)), *skipped[:10]]
    await _reply(update, "\n".join(lines))


async def export_opml(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/exportopml: this chat's feeds as an OPML document."""
    svc = _services(context)
    chat_id = remember_chat(update, svc)
    states = svc.store.feeds.user_feeds(chat_id)
    message = update.effective_message
    if not states or message is None:
        await _reply(update, text("feeds.opml.empty"))
        return
    body = write_opml([s.feed for s in states], title=text("feeds.opml.caption"), now=svc.clock())
    await message.reply_document(
        InputFile(body, filename="feeds.opml"), caption=text("feeds.opml.caption")
    )


async def feed_health(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/feedhealth: every feed's health, worst first (operators only)."""
    svc = _services(context)
    user = update.effective_user
    if user is None or user.id not in svc.settings.admin_chat_ids:
        await _reply(update, text("feeds.health.denied"))
        return
    now = svc.clock()
    await _reply(
        update, format_health(svc.store.feeds.feed_health(now=now), now, limit=HEALTH_LIMIT)
    )


def add_feed_handlers(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the feed commands on `app`."""
    app.add_handler(CommandHandler("addfeed", add_feed))
    app.add_handler(CommandHandler("myfeeds", my_feeds))
    app.add_handler(CommandHandler("removefeed", remove_feed))
    app.add_handler(CommandHandler("exportopml", export_opml))
    app.add_handler(CommandHandler("importopml", import_opml))
    app.add_handler(
        MessageHandler(filters.Document.ALL & filters.CaptionRegex(r"^/importopml\b"), import_opml)
    )
    app.add_handler(CommandHandler("feedhealth", feed_health))
