"""Benchmark of the match stage: detection + one index over 1,000,000 subscriptions.

In: the SEC ticker table and the real feed documents in ../shared (SHARED_DIR overrides), or
the packaged snapshot if the table is missing. Builds 100,000 chats x 10 subscriptions (tickers
drawn from the SEC table, largest companies most often; keyword queries of every shape from a
word list made of the feeds' vocabulary) and 10,000 articles of realistic length (400-700
words of real sentences from the feeds and the seed article, plus company names). Prints:
  - articles per second, matches per article, peak memory, for the index (one core);
  - the naive way (every subscription tested with compiled regular expressions against every
    article), on a sample of the articles, scaled, and the ratio;
  - the time at 10,000 subscriptions and at 1,000,000 where the 990,000 added ones match
    nothing in the articles (same matches per article), and the ratio of the two.
Run: python bench/match.py [--chats 100000] [--articles 10000] [--naive-sample 3]
"""

from __future__ import annotations

import argparse
import gc
import html
import os
import random
import re
import resource
import string
import sys
import time
from pathlib import Path

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.matching.detect import detect_tickers
from bot.matching.index import MatchIndex
from bot.matching.tickers import Company, TickerUniverse, load_everyday_words
from bot.models import Article, Kind, Subscription

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
STOP = set(
    [
        "the",
        "and",
        "for",
        "that",
        "with",
        "this",
        "from",
        "have",
        "has",
        "had",
        "was",
        "were",
        "are",
        "been",
        "will",
        "would",
        "could",
        "should",
        "their",
        "there",
        "they",
        "them",
        "than",
        "then",
        "into",
        "about",
        "over",
        "after",
        "before",
        "more",
        "most",
        "some",
        "such",
        "only",
        "also",
        "other",
        "which",
        "what",
        "when",
        "where",
        "while",
        "your",
        "you",
        "our",
        "its",
        "his",
        "her",
        "said",
        "says",
        "just",
        "like",
        "very",
    ]
)


def rss_mb() -> float:
    """Resident memory now, MB (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sentences() -> list[str]:
    """Real sentences from the real feeds and the seed article."""
    paths = sorted((SHARED / "fixtures" / "real").glob("*.xml"))
    paths.append(SHARED / "fixtures" / "seed-article.rss.xml")
    out: list[str] = []
    for path in paths:
        for entry in feedparser.parse(str(path)).entries:
            for field in (entry.get("title", ""), entry.get("summary", "")):
                text = field
                for _ in range(2):
                    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
                for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
                    if 6 <= len(s.split()) <= 60:
                        out.append(s)
    return out


def make_articles(
    n: int, pool: list[str], companies: list[Company], rng: random.Random
) -> list[Article]:
    """Articles of 400-700 words: real sentences, paragraphs, and a few company mentions."""
    articles = []
    for i in range(n):
        target = rng.randint(400, 700)
        paragraphs, words = [], 0
        while words < target:
            para = [rng.choice(pool) for _ in range(rng.randint(2, 5))]
            paragraphs.append(para)
            words += sum(len(p.split()) for p in para)
        for _ in range(rng.randint(1, 3)):  # the companies the story is about
            c = rng.choice(companies)
            rng.choice(paragraphs).append(
                f"{c.name} (NASDAQ: {c.tickers[0]}) also reported results."
                if rng.random() < 0.5
                else f"Shares of {c.name} rose in early trading."
            )
        articles.append(
            Article(
                f"k{i}",
                f"e{i}",
                rng.choice(pool),
                f"https://x/{i}",
                "\n\n".join(" ".join(p) for p in paragraphs),
                None,
                "bench",
            )
        )
    return articles


def vocabulary() -> list[str]:
    """The word list keywords are drawn from: the English word list the bot itself uses."""
    return sorted(w for w in load_everyday_words() if w.isalpha() and len(w) >= 3 and w not in STOP)


def keyword_query(rng: random.Random, vocab: list[str], pool: list[str]) -> str:
    r = rng.random()
    if r < 0.30:
        return rng.choice(vocab)
    if r < 0.65:
        return f"{rng.choice(vocab)} {rng.choice(vocab)}"
    if r < 0.79:
        return f'"{rng.choice(vocab)} {rng.choice(vocab)}"'
    if r < 0.80:  # a real two-word phrase from the news (1%: the sentence pool is small)
        ws = re.findall(r"[A-Za-z]{3,}", rng.choice(pool))
        if len(ws) >= 2:
            k = rng.randrange(len(ws) - 1)
            return f'"{ws[k]} {ws[k + 1]}"'
        return rng.choice(vocab)
    if r < 0.90:
        return f"{rng.choice(vocab)} OR {rng.choice(vocab)}"
    return f"{rng.choice(vocab)} {rng.choice(vocab)} -{rng.choice(vocab)}"


def realistic_subs(
    chats: int,
    per_chat: int,
    symbols: list[str],
    weights: list[float],
    vocab: list[str],
    pool: list[str],
    rng: random.Random,
    first_id: int = 0,
    first_chat: int = 0,
) -> list[Subscription]:
    subs = []
    sid = first_id
    n_tickers = per_chat * 4 // 10
    for chat in range(first_chat, first_chat + chats):
        for sym in rng.choices(symbols, weights, k=n_tickers):
            subs.append(Subscription(sid, chat, Kind.TICKER, sym))
            sid += 1
        for _ in range(per_chat - n_tickers):
            subs.append(Subscription(sid, chat, Kind.KEYWORD, keyword_query(rng, vocab, pool)))
            sid += 1
    return subs


def unmatched_subs(
    n: int, symbols: list[str], rng: random.Random, first_id: int, first_chat: int, per_chat: int
) -> list[Subscription]:
    """Subscriptions no article matches: absent tickers, and made-up words."""
    subs = []
    for k in range(n):
        chat = first_chat + k // per_chat
        if k % 10 < 4:
            subs.append(Subscription(first_id + k, chat, Kind.TICKER, rng.choice(symbols)))
        else:
            word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(7, 10)))
            q = word if k % 3 else f"{word} {''.join(rng.choices(string.ascii_lowercase, k=8))}"
            subs.append(Subscription(first_id + k, chat, Kind.KEYWORD, q))
    return subs


def run_index(
    index: MatchIndex, articles: list[Article], universe: TickerUniverse
) -> tuple[float, int]:
    """Seconds for detection + matching of every article, and the number of hits."""
    hits = 0
    start = time.perf_counter()
    for a in articles:
        for alert in index.match(a, detect_tickers(a, universe)):
            hits += len(alert.hits)
    return time.perf_counter() - start, hits


def build(universe: TickerUniverse, subs: list[Subscription]) -> tuple[MatchIndex, float]:
    index = MatchIndex(universe)
    start = time.perf_counter()
    for s in subs:
        index.add(s)
    # A long-lived index is millions of objects: move them out of the cyclic garbage collector's
    # sight, or every few thousand new Hits trigger a full collection that walks them all.
    # The bot should do the same after loading its subscriptions (gc.freeze()).
    gc.freeze()
    return index, time.perf_counter() - start


INFLECT = r"(?:s|es|ed|d|ing)?"


def naive(
    articles: list[Article], subs: list[Subscription], universe: TickerUniverse
) -> tuple[float, int]:
    """Every subscription against every article with compiled regular expressions."""
    cache: dict[str, re.Pattern[str]] = {}

    def rx(term: str) -> re.Pattern[str]:
        found = cache.get(term)
        if found is None:
            body = r"\W+".join(re.escape(w) + INFLECT for w in term.split())
            found = cache[term] = re.compile(r"\b" + body + r"\b", re.IGNORECASE)
        return found

    def ticker_rx(symbol: str) -> re.Pattern[str]:
        key = "$" + symbol
        found = cache.get(key)
        if found is None:
            c = universe.company(symbol)
            names = [re.escape(c.name)] if c else []
            alts = "|".join([re.escape(t) for t in (c.tickers if c else (symbol,))] + names)
            found = cache[key] = re.compile(r"\b(?:" + alts + r")\b")
        return found

    parsed: list[tuple[Subscription, list[list[str]], list[str]]] = []
    for s in subs:
        if s.kind is Kind.KEYWORD:
            clauses, excluded = [], []
            for part in re.findall(r'-?"[^"]+"|\S+', s.value):
                if part == "OR":
                    continue
                term = part.lstrip("-").strip('"')
                if part.startswith("-"):
                    excluded.append(term)
                elif clauses and f"OR {part}" in s.value:
                    clauses[-1].append(term)
                else:
                    clauses.append([term])
            parsed.append((s, clauses, excluded))
        else:
            parsed.append((s, [], []))
    # Compile outside the timed part: the naive way at its best.
    for s, clauses, excluded in parsed:
        if s.kind is Kind.TICKER:
            ticker_rx(s.value)
        for t in [t for c in clauses for t in c] + excluded:
            rx(t)
    hits = 0
    start = time.perf_counter()
    for a in articles:
        text = f"{a.title}\n\n{a.text}"
        for s, clauses, excluded in parsed:
            if s.kind is Kind.TICKER:
                if ticker_rx(s.value).search(text):
                    hits += 1
            elif all(any(rx(t).search(text) for t in c) for c in clauses) and not any(
                rx(t).search(text) for t in excluded
            ):
                hits += 1
    return time.perf_counter() - start, hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--per-chat", type=int, default=10)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--naive-sample", type=int, default=3, help="articles for the naive way")
    parser.add_argument(
        "--naive-subs", type=int, default=50_000, help="subscriptions for the naive way (scaled)"
    )
    parser.add_argument(
        "--scale-articles", type=int, default=2_000, help="articles for the 10k vs 1M comparison"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    table = SHARED / "data" / "sec_company_tickers_exchange.json"
    universe = TickerUniverse.load(table if table.is_file() else None, ROOT / "data")
    companies = list(universe.companies())
    pool = sentences()
    vocab = vocabulary()
    articles = make_articles(args.articles, pool, companies[:1000], rng)
    words = sum(len(a.text.split()) + len(a.title.split()) for a in articles) / len(articles)
    symbols = [c.tickers[0] for c in companies]
    weights = [1.0] * len(symbols)  # drawn uniformly from the SEC table
    total = args.chats * args.per_chat
    print(
        f"universe: {len(universe)} companies; {len(pool)} real sentences; word list {len(vocab)}"
    )
    print(f"articles: {len(articles)}, {words:.0f} words on average")

    # 1. The main run: chats x subscriptions, realistic.
    subs = realistic_subs(args.chats, args.per_chat, symbols, weights, vocab, pool, rng)
    before = rss_mb()
    index, built = build(universe, subs)
    index_mb = rss_mb() - before
    seconds, hits = run_index(index, articles, universe)
    rate = len(articles) / seconds
    print(
        f"\n[index] {total:,} subscriptions ({args.chats:,} chats x {args.per_chat}), "
        f"built in {built:.1f}s"
    )
    print(
        f"[index] {len(articles):,} articles in {seconds:.2f}s = {rate:,.0f} articles/s; "
        f"{hits / len(articles):.1f} hits/article"
    )
    print(f"[index] memory: index {index_mb:,.0f} MB; process peak {peak_mb():,.0f} MB")

    # 2. The naive way: linear in articles and in subscriptions, so time a sample of each, scale.
    sample = articles[: args.naive_sample]
    naive_subs = rng.sample(subs, min(args.naive_subs, len(subs)))
    n_seconds, n_hits = naive(sample, naive_subs, universe)
    per_article = n_seconds / len(sample) * len(subs) / len(naive_subs)
    print(
        f"\n[naive] {len(sample)} articles x {len(naive_subs):,} subscriptions, scaled to "
        f"{total:,}: {per_article:.1f}s/article = {1 / per_article:.3f} articles/s "
        f"({per_article * len(articles) / 3600:.1f} h for {len(articles):,}); "
        f"{n_hits} hits in the sample"
    )
    print(f"[naive] index is {per_article * rate:,.0f}x faster")
    del index, subs

    # 3. Cost grows with matches, not subscriptions: 10,000 vs 10,000 + 990,000 unmatched.
    base_chats = 10_000 // args.per_chat
    base = realistic_subs(
        base_chats, args.per_chat, symbols, weights, vocab, pool, random.Random(7)
    )
    small, _ = build(universe, base)
    scale_articles = articles[: args.scale_articles]
    s_seconds, s_hits = run_index(small, scale_articles, universe)
    detected = {cik for a in articles for cik in detect_tickers(a, universe)}
    absent = [c.tickers[0] for c in companies if c.cik not in detected]
    extra = unmatched_subs(
        total - len(base), absent, random.Random(8), len(base), base_chats, args.per_chat
    )
    big, _ = build(universe, base + extra)
    b_seconds, b_hits = run_index(big, scale_articles, universe)
    print(
        f"\n[scale] {len(small):,} subscriptions: {s_seconds:.2f}s, "
        f"{s_hits / len(scale_articles):.2f} hits/article ({len(scale_articles):,} articles)"
    )
    print(
        f"[scale] {len(big):,} subscriptions: {b_seconds:.2f}s, "
        f"{b_hits / len(scale_articles):.2f} hits/article"
    )
    print(f"[scale] time ratio 1M/10k = {b_seconds / s_seconds:.2f} (target <= 2)")
    print(f"\npeak memory of the whole run: {peak_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
