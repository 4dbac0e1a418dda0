"""Which new stories of a poll may alert: the baseline rule, pure.

In: a poll's new stories, whether the feed had a baseline before this fetch, and the moment
from which a feed's stories count as news (`since`: when the bot started, or when the feed was
added). Out: the stories that may alert. After a feed's first successful fetch every new story
may; on the first fetch itself only stories dated after `since` do, so that what a feed
already held is not alerted (a baseline) while a story published in the bot's first minutes,
before the feed's first poll, still is. Undated stories on a first fetch stay the baseline:
nothing says they are new. Never raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.models import Article


def alertable(
    stories: Sequence[Article], *, baselined: bool, since: datetime | None
) -> list[Article]:
    """The stories that may alert (the match stage decides whom)."""
    if baselined:
        return list(stories)
    if since is None:
        return []
    return [a for a in stories if a.published is not None and a.published > since]
