"""Article pages: when a feed gives only a title, the linked page's main text (optional).

In: an HTTP client, an article whose text is empty, the fetch limits and the SSRF check.
Out: the article with the page's main text (extracted by trafilatura: no menus, no comments,
no page furniture), or the article unchanged when the page cannot be had or holds no text.
Never raises for a bad page: a missing summary is better than a lost alert. A Google News link
the parse stage could not turn into the story's own is not fetched: behind it is Google's
redirect page, not the story. Off by default
(FETCH_ARTICLE_PAGES): it costs one more request per new title-only article.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace

import httpx

from bot.feeds.fetch import FetchError, HopCheck, Limits, fetch
from bot.feeds.google_news import is_google_news
from bot.feeds.parse import html_to_text
from bot.models import Article

log = logging.getLogger(__name__)

# Pages are read only for their text; a smaller cap than feeds keeps a slow site cheap.
PAGE_LIMITS = Limits(max_bytes=3 * 1024 * 1024, total_timeout=20.0)


def main_text(html: bytes, url: str) -> str:
    """The page's main text as paragraphs ("" when there is none)."""
    import trafilatura  # imported here: only installations that turn the option on pay for it

    extracted = trafilatura.extract(
        html,
        url=url,
        output_format="html",
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
    )
    return html_to_text(extracted) if extracted else ""


async def with_page_text(
    client: httpx.AsyncClient, article: Article, *, check: HopCheck | None, limits: Limits
) -> Article:
    """`article` with its page's main text when it has none of its own."""
    if article.text or not article.url.startswith(("http://", "https://")):
        return article
    if is_google_news(article.url):
        return article
    try:
        page = await fetch(client, article.url, limits=limits, check=check)
    except FetchError as exc:
        log.info("no page text for %s: %s", article.url, exc, extra={"url": article.url})
        return article
    if page.body is None:
        return article
    text = await asyncio.to_thread(main_text, page.body, page.url)
    return replace(article, text=text) if text else article


async def fill_page_texts(
    client: httpx.AsyncClient,
    articles: Sequence[Article],
    *,
    check: HopCheck | None,
    limits: Limits = PAGE_LIMITS,
    concurrency: int = 4,
) -> list[Article]:
    """Every title-only article with its page's text, a few pages at a time."""
    slots = asyncio.Semaphore(concurrency)

    async def one(article: Article) -> Article:
        async with slots:
            return await with_page_text(client, article, check=check, limits=limits)

    return list(await asyncio.gather(*(one(a) for a in articles)))
