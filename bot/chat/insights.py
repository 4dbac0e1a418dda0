"""Looking before subscribing: /test QUERY, /trend TICKER, /feeds and /about.

In: a query or ticker typed by the user; the articles published in the last 24 hours (/test)
or 30 days (/trend) from the database (an article counts when it was published, or when it was
first seen if it is undated). Out: which articles a query would have matched (run through the
same `MatchIndex` and ticker detection that alerts use), with their publication times, and a
PNG chart (matplotlib, Agg) of a ticker's articles per day, today's bar dated, with the
busiest days' headlines; /feeds says each source's state as it is (off, not polled yet,
failing, ok). Tickers found in an article are not
stored, so /trend detects them on the fly (fine for a small bot: thousands of articles).
Fails: a bad query or an unknown ticker gets an answer saying why; never silence.
"""

from __future__ import annotations

import asyncio
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from telegram import InputFile, Update

from bot.chat.context import Context, message_argument, reply
from bot.chat.gate import target_chat
from bot.feeds.state import FeedState
from bot.matching.detect import detect_tickers
from bot.matching.index import MatchIndex
from bot.matching.keywords import QueryError, parse_query
from bot.matching.tickers import Company, TickerUniverse
from bot.models import Article, Kind, Subscription
from bot.poll.sec import is_sec
from bot.texts import plural, said, text
from bot.texts.formats import ago, local_moment
from bot.texts.formats import day as day_label

TEST_WINDOW = timedelta(hours=24)
TREND_DAYS = 30
SHOWN_MATCHES = 10
BUSIEST_DAYS = 3
CAPTION_LIMIT = 1024


def subscription_for(raw: str, universe: TickerUniverse) -> Subscription:
    """What /test tries: a ticker ("$AMZN", or a known symbol in capitals), else a keyword
    query. Raises QueryError for a query that cannot be read."""
    word = raw.strip()
    symbol = word.removeprefix("$")
    if " " not in symbol and (word.startswith("$") or symbol == symbol.upper()):
        company = universe.company(symbol)
        if company is not None:
            return Subscription(0, 0, Kind.TICKER, company.tickers[0])
    return Subscription(0, 0, Kind.KEYWORD, parse_query(word).text)


def matching_articles(
    sub: Subscription, articles: list[tuple[datetime, Article]], universe: TickerUniverse
) -> list[tuple[datetime, Article]]:
    """The articles `sub` matches, through the index alerts use, newest first."""
    index = MatchIndex(universe)
    index.add(sub)
    found = []
    for seen, article in articles:
        mentions = detect_tickers(article, universe) if sub.kind is Kind.TICKER else {}
        if index.match(article, mentions):
            found.append((seen, article))
    return found


def _published(article: Article, seen: datetime, now: datetime, lang: str) -> str:
    """When the story came out, as /test shows it ("3 hours ago", in the chat's language): its
    publication time, else when the bot first saw it, said as such."""
    moment = article.published or seen
    key = "chat.test.published" if article.published is not None else "chat.test.undated"
    return text(key, lang, when=local_moment(moment, "UTC", lang), ago=ago(moment, now, lang))


async def test_command(update: Update, context: Context) -> None:
    """/test QUERY: which of the last 24 hours' articles the query would have matched."""
    svc = context.svc
    target_chat(update, context)
    raw = message_argument(update)
    if not raw:
        await reply(update, text("chat.test.usage", context.lang))
        return
    try:
        sub = subscription_for(raw, svc.universe)
    except QueryError as exc:
        await reply(
            update, text("chat.keyword.invalid", context.lang, error=said(exc, context.lang))
        )
        return
    recent = svc.store.articles.recent_articles(svc.clock() - TEST_WINDOW)
    found = await asyncio.to_thread(matching_articles, sub, recent, svc.universe)
    label = f"${sub.value}" if sub.kind is Kind.TICKER else sub.value
    if not found:
        await reply(update, text("chat.test.none", context.lang, query=label, total=len(recent)))
        return
    lines = [
        text("chat.test.found", context.lang, query=label, count=len(found), total=len(recent))
    ]
    lines += [
        text(
            "chat.test.line",
            context.lang,
            title=a.title[:150],
            source=a.source,
            when=_published(a, seen, svc.clock(), context.lang),
        )
        for seen, a in found[:SHOWN_MATCHES]
    ]
    if len(found) > SHOWN_MATCHES:
        lines.append(plural("chat.test.more", len(found) - SHOWN_MATCHES, context.lang))
    command = "/watch" if sub.kind is Kind.TICKER else "/keyword"
    lines.append(text("chat.test.subscribe", context.lang, command=f"{command} {sub.value}"))
    await reply(update, "\n".join(lines))


@dataclass(frozen=True, slots=True)
class Trend:
    """A ticker's articles per day, oldest day first, and each day's headlines."""

    company: Company
    days: list[date]
    counts: list[int]
    headlines: dict[date, list[str]]

    def busiest(self, n: int = BUSIEST_DAYS) -> list[tuple[date, int]]:
        ranked = sorted(zip(self.days, self.counts, strict=True), key=lambda p: (-p[1], p[0]))
        return [(day, count) for day, count in ranked[:n] if count > 0]


def trend(
    company: Company,
    articles: list[tuple[datetime, Article]],
    universe: TickerUniverse,
    today: date,
    days: int = TREND_DAYS,
) -> Trend:
    """Count the articles about `company` per day (UTC), each on the day it came out."""
    first = today - timedelta(days=days - 1)
    span = [first + timedelta(days=n) for n in range(days)]
    counts: Counter[date] = Counter()
    headlines: dict[date, list[str]] = {}
    for seen, article in articles:
        day = seen.astimezone(UTC).date()
        if day < first or company.cik not in detect_tickers(article, universe):
            continue
        counts[day] += 1
        headlines.setdefault(day, []).append(article.title)
    return Trend(company, span, [counts[d] for d in span], headlines)


def labelled_days(count: int, every: int = 5) -> list[int]:
    """The bars that get a date under them: every fifth (thirty dates side by side would
    overlap), counted back from today's, so that today's bar always has its date."""
    return sorted(range(count - 1, -1, -every))


def feed_status(state: FeedState, *, sec_enabled: bool, lang: str = "en") -> str:
    """A source's state as /feeds says it, in order: an EDGAR feed without SEC_USER_AGENT is
    off; a feed never fetched is not polled yet (not "ok"); then failing, else ok."""
    if is_sec(state.feed.url) and not sec_enabled:
        return text("chat.feeds.sec_off", lang)
    if state.error_count:
        return plural("chat.feeds.failing", state.error_count, lang)
    if state.last_fetch_at is None:
        return text("chat.feeds.never", lang)
    return text("chat.feeds.ok", lang)


def chart_png(data: Trend, lang: str = "en") -> bytes:
    """A bar chart of articles per day, as PNG bytes. matplotlib is imported here, not at
    start-up, and drawn with the Agg backend (no display). A language other than English is
    drawn with a CJK font when the system has one; without one the chart is in English."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    family = None
    if lang != "en":
        family = cjk_family(f.name for f in font_manager.fontManager.ttflist)
    # Without a font for its script the chart's words would be empty boxes: say them in English.
    if family is None:
        return _draw(data, "en")
    # A fallback list: the CJK font first, matplotlib's own for whatever glyph it lacks.
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"]}):
        return _draw(data, lang)


def _draw(data: Trend, lang: str) -> bytes:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 4), dpi=100)
    axes = figure.subplots()
    axes.bar([d.isoformat() for d in data.days], data.counts, color="#2a7ab9")
    symbol = data.company.tickers[0]
    axes.set_title(
        text("chat.trend.chart.title", lang, symbol=symbol, name=data.company.name, days=TREND_DAYS)
    )
    axes.set_ylabel(text("chat.trend.chart.axis", lang))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    labelled = labelled_days(len(data.days))
    axes.set_xticks(labelled)
    axes.set_xticklabels([day_label(data.days[i], lang) for i in labelled])
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


# Names that fonts drawing Chinese carry (Noto/Source Han "CJK", WenQuanYi, the Windows and
# macOS Hei, Song, YaHei, PingFang); Simplified Chinese faces first where a family has several.
CJK_NAMES = ("CJK", "Hei", "Song", "WenQuanYi", "YaHei", "PingFang", "Source Han")


def cjk_family(families: Iterable[str]) -> str | None:
    """The font family to draw Chinese with, among the installed `families` (None: none can)."""
    found = sorted({f for f in families if any(n in f for n in CJK_NAMES)})
    simplified = [f for f in found if f.endswith((" SC", " Hans", " CN"))]
    ranked = simplified or found
    return ranked[0] if ranked else None


def trend_caption(data: Trend, lang: str = "en") -> str:
    symbol = data.company.tickers[0]
    total = sum(data.counts)
    lines = [text("chat.trend.caption", lang, symbol=symbol, total=total, days=TREND_DAYS)]
    for when, count in data.busiest():
        lines.append(text("chat.trend.day", lang, day=day_label(when, lang), count=count))
        lines += [
            text("chat.trend.headline", lang, title=t[:120]) for t in data.headlines[when][:2]
        ]
    caption = "\n".join(lines)
    return caption if len(caption) <= CAPTION_LIMIT else caption[: CAPTION_LIMIT - 1] + "…"


async def trend_command(update: Update, context: Context) -> None:
    """/trend TICKER: a chart of the ticker's articles per day over 30 days."""
    svc = context.svc
    target_chat(update, context)
    message = update.effective_message
    raw = message_argument(update).removeprefix("$")
    if not raw or message is None:
        await reply(update, text("chat.trend.usage", context.lang))
        return
    company = svc.universe.company(raw) or svc.universe.resolve(raw)
    if company is None:
        await reply(update, text("chat.trend.unknown", context.lang, word=raw[:40]))
        return
    now = svc.clock()
    articles = svc.store.articles.recent_articles(now - timedelta(days=TREND_DAYS))
    data = await asyncio.to_thread(trend, company, articles, svc.universe, now.date())
    if not any(data.counts):
        await reply(
            update, plural("chat.trend.none", TREND_DAYS, context.lang, symbol=company.tickers[0])
        )
        return
    png = await asyncio.to_thread(chart_png, data, context.lang)
    await message.reply_photo(
        InputFile(png, filename=f"trend-{company.tickers[0]}.png"),
        caption=trend_caption(data, context.lang),
    )


async def feeds_command(update: Update, context: Context) -> None:
    """/feeds: the sources the bot polls, with their health, and the chat's own feeds."""
    svc = context.svc
    chat_id = target_chat(update, context)
    lines = [text("chat.feeds.title", context.lang)]
    sec_enabled = svc.settings.sec_user_agent is not None
    for state in svc.store.feeds.feed_states():
        status = feed_status(state, sec_enabled=sec_enabled, lang=context.lang)
        lines.append(text("chat.feeds.line", context.lang, name=state.feed.name, status=status))
    own = svc.store.feeds.user_feeds(chat_id)
    lines.append("")
    if own:
        lines.append(text("chat.feeds.own", context.lang))
        lines += [
            text("chat.feeds.line", context.lang, name=s.feed.name, status=s.feed.url) for s in own
        ]
    else:
        lines.append(text("chat.feeds.own.none", context.lang))
    await reply(update, "\n".join(lines))


async def about_command(update: Update, context: Context) -> None:
    """/about: where the news comes from, the disclaimer, and what is stored about the chat."""
    svc = context.svc
    target_chat(update, context)
    names = ", ".join(s.feed.name for s in svc.store.feeds.feed_states()) or "-"
    edgar = text("chat.about.edgar", context.lang) if svc.settings.sec_user_agent else ""
    await reply(
        update,
        text(
            "chat.about",
            context.lang,
            sources=names,
            edgar=edgar,
            disclaimer=svc.settings.disclaimer_for(context.lang),
        ),
    )
