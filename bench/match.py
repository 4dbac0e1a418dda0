"""Benchmark of the match stage: ticker detection + one index over 1,000,000 subscriptions.

In: the SEC ticker table and the real feed documents in ../shared (SHARED_DIR overrides), or
the packaged snapshot and tests/fixtures when ../shared is missing. Builds 100,000 chats x 10
subscriptions (4 tickers drawn uniformly from the SEC table; 6 keyword queries of every shape)
and 10,000 articles of 400-700 words made of every real sentence in the fixtures (the real
feeds, the seed article and the feedparser corpus), shuffled, plus 1-3 company mentions each.
Keyword terms are words people would watch: with probability --topical a query is made of the
feeds' own mid-frequency content words (in 2 to 40 of the sentences); otherwise of distinct
English words that never occur in these feeds (most watched words are absent from any one
story). The default keeps an article's matches in the tens to low hundreds; hits per article are
printed, split into tickers and keywords. Prints, for one core:
  - ticker detection per article (once per article, whatever the subscriptions), the story
    reading (rank_companies: who each story is about; its events were tagged at parse) of the
    articles with a company, as the alert path calls it,
    index matching per article (tokenising, stemming and the "why" included), the CPU time of
    each (what runs on a shared machine compare on), and the total of the three as the alert
    path runs them, the figure the 2,000 articles/s target is compared with; the index's build
    time and memory;
  - a floor: what the C-level text primitives and the alert objects alone cost per article,
    and a reference loop, as this machine's speed varies from minute to minute;
  - the naive way (every subscription tested with compiled regular expressions against every
    article), on a sample of the articles and subscriptions, scaled, and the ratio;
  - the time at 10,000 subscriptions and at 1,000,000 where the 990,000 added ones match
    nothing in the articles (same matches per article), and the ratio of the two.
Run: python bench/match.py [--chats 100000] [--articles 10000] [--topical 0.0005]
Against an older checkout (one without the story reading), copy this file into its bench/ and
run it there: the story reading line is left out and the total is detection + matching.
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
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.matching.detect import detect_tickers

try:  # the story reading (issue 16); a checkout from before it has none, to compare with
    from bot.matching.about import rank_companies
except ImportError:
    rank_companies = None  # type: ignore[assignment]
from bot.matching.index import MatchIndex
from bot.matching.text import stem_words, words
from bot.matching.tickers import Company, TickerUniverse, load_everyday_words
from bot.models import Alert, Article, Hit, Kind, Subscription

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


def _plain(markup: str) -> str:
    for _ in range(2):  # the SEC newsroom escapes HTML twice
        markup = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return " ".join(markup.split())


def sentences() -> list[str]:
    """Every distinct real sentence of 6-60 words in the fixtures: the real feeds, the seed
    article and the feedparser test corpus (titles, summaries and contents)."""
    # The reference material when it is beside the checkout, else the repository's own copies
    # of the real feeds (no feedparser corpus: fewer sentences, the same kind of text).
    fixtures = (
        SHARED / "fixtures" if (SHARED / "fixtures").is_dir() else ROOT / "tests" / "fixtures"
    )
    paths = [*sorted((fixtures / "real").glob("*.xml")), fixtures / "seed-article.rss.xml"]
    paths += sorted(p for p in (fixtures / "feedparser-tests").rglob("*.xml") if p.is_file())
    out: dict[str, None] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the corpus is made of broken documents on purpose
        for path in paths:
            for entry in feedparser.parse(str(path)).entries:
                fields = [entry.get("title", ""), entry.get("summary", "")]
                fields += [c.get("value", "") for c in entry.get("content", [])]
                for field in fields:
                    for sentence in re.split(r"(?<=[.!?])\s+", _plain(field)):
                        if 6 <= len(sentence.split()) <= 60:
                            out[sentence] = None
    return list(out)


def make_articles(
    n: int, pool: list[str], named: set[str], companies: list[Company], rng: random.Random
) -> list[Article]:
    """Articles of 400-700 words: real sentences in a shuffled order, paragraphs of 2-5, at
    most one of them naming a company (`named`), as a story is about a few companies, not every
    company of the feeds; then the 1-3 companies the story is about."""
    articles = []
    deck: list[str] = []
    for i in range(n):
        target = rng.randint(400, 700)
        paragraphs, words = [], 0
        naming = 0
        while words < target:
            para = []
            for _ in range(rng.randint(2, 5)):
                while True:
                    if not deck:  # deal every sentence before any repeats
                        deck = pool[:]
                        rng.shuffle(deck)
                    sentence = deck.pop()
                    if sentence not in named or naming == 0:
                        break
                naming += sentence in named
                para.append(sentence)
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


def vocabularies(pool: list[str]) -> tuple[list[str], list[str]]:
    """(topical, absent): the feeds' mid-frequency content words (in 2 to 40 sentences, 4+
    letters, no stop words), and English words (Webster's 2nd) whose stem never occurs in the
    feeds and that share no stem with a frequent feed word."""
    df: Counter[str] = Counter()
    for sentence in pool:
        df.update({w.lower() for w in words(sentence) if w.isalpha()})
    topical = sorted(w for w, n in df.items() if 2 <= n <= 40 and len(w) >= 4 and w not in STOP)
    seen_stems = set(stem_words(list(df)))
    candidates = sorted(w for w in load_everyday_words() if w.isalpha() and 5 <= len(w) <= 12)
    # stem_words, not stem: 200,000 dictionary words would flush the articles' stem memo.
    absent = [
        w for w, s in zip(candidates, stem_words(candidates), strict=True) if s not in seen_stems
    ]
    return topical, absent


def keyword_query(rng: random.Random, vocab: list[str]) -> str:
    r = rng.random()
    if r < 0.30:
        return rng.choice(vocab)
    if r < 0.65:
        return f"{rng.choice(vocab)} {rng.choice(vocab)}"
    if r < 0.80:
        return f'"{rng.choice(vocab)} {rng.choice(vocab)}"'
    if r < 0.90:
        return f"{rng.choice(vocab)} OR {rng.choice(vocab)}"
    return f"{rng.choice(vocab)} {rng.choice(vocab)} -{rng.choice(vocab)}"


def topical_phrase(rng: random.Random, pool: list[str], vocab: list[str]) -> str:
    """Half of the topical queries: two adjacent words of a real sentence, quoted."""
    ws = [w for w in re.findall(r"[A-Za-z]{4,}", rng.choice(pool)) if w.lower() not in STOP]
    if len(ws) >= 2 and rng.random() < 0.5:
        k = rng.randrange(len(ws) - 1)
        return f'"{ws[k]} {ws[k + 1]}"'
    return keyword_query(rng, vocab)


def realistic_subs(
    chats: int,
    per_chat: int,
    symbols: list[str],
    vocab: tuple[list[str], list[str]],
    topical: float,
    pool: list[str],
    rng: random.Random,
) -> list[Subscription]:
    subs = []
    sid = 0
    n_tickers = per_chat * 4 // 10
    feed_words, absent = vocab
    for chat in range(chats):
        for sym in rng.choices(symbols, k=n_tickers):
            subs.append(Subscription(sid, chat, Kind.TICKER, sym))
            sid += 1
        for _ in range(per_chat - n_tickers):
            if rng.random() < topical:
                query = topical_phrase(rng, pool, feed_words)
            else:
                query = keyword_query(rng, absent)
            subs.append(Subscription(sid, chat, Kind.KEYWORD, query))
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


class Clock:
    """Wall and CPU seconds since it was made. CPU time is what runs compare on: the machine is
    shared, and other work there lengthens wall time, not this process's CPU time."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def run_index(
    index: MatchIndex, articles: list[Article], universe: TickerUniverse
) -> tuple[float, float, int]:
    """Wall and CPU seconds for the alert path over every article, as the pipeline runs it:
    detection, the story reading of each article with a company, matching; hits."""
    hits = 0
    clock = Clock()
    for a in articles:
        mentions = detect_tickers(a, universe)
        if mentions and rank_companies is not None:
            rank_companies(a, universe, mentions)
        for alert in index.match(a, mentions):
            hits += len(alert.hits)
    wall, cpu = clock.read()
    return wall, cpu, hits


@dataclass
class Split:
    """Wall and CPU seconds of each stage over all the articles, and what matching found."""

    detection: tuple[float, float]
    story: tuple[float, float]  # zeros in a checkout without the story reading
    matching: tuple[float, float]
    read: int  # articles whose story was read (those with a company)
    kinds: Counter[Kind]
    chats: int


def run_split(index: MatchIndex, articles: list[Article], universe: TickerUniverse) -> Split:
    """Each stage alone over every article: detection, then the story reading of the articles
    with a company (the mentions given), then matching (the mentions given)."""
    clock = Clock()
    mentions = [detect_tickers(a, universe) for a in articles]
    detection = clock.read()
    with_company = [(a, m) for a, m in zip(articles, mentions, strict=True) if m]
    clock = Clock()
    if rank_companies is not None:
        for a, m in with_company:
            rank_companies(a, universe, m)
    story = clock.read() if rank_companies is not None else (0.0, 0.0)
    kinds: Counter[Kind] = Counter()
    chats = 0
    clock = Clock()
    for a, m in zip(articles, mentions, strict=True):
        alerts = index.match(a, m)  # counted, not kept: the pipeline hands them on
        chats += len(alerts)
        kinds.update(h.subscription.kind for alert in alerts for h in alert.hits)
    return Split(detection, story, clock.read(), len(with_company), kinds, chats)


def build(universe: TickerUniverse, subs: list[Subscription]) -> tuple[MatchIndex, float]:
    index = MatchIndex(universe)
    start = time.perf_counter()
    index.add_all(subs)
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


def load() -> str:
    """The load average, to print with each figure (other work may share the machine)."""
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def reference_ms() -> float:
    """A fixed pure-Python workload (best of 5), printed beside the figures: this machine's speed
    has been seen to vary 1.6x from minute to minute, and runs compare only at equal reference."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        sum(range(10**6))
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def floor(articles: list[Article], universe: TickerUniverse, hits: float) -> tuple[float, float]:
    """Seconds per article that no Python matcher here can go below, as two parts: the text
    primitives it must call, all in C (lowering and splitting the text, the company-name
    automaton), and the objects it must hand on (one Hit and one Alert per hit)."""
    texts = [f"{a.title}\n\n{a.text}" for a in articles]
    start = time.perf_counter()
    for text in texts:
        lowered = text.lower()
        lowered.split()
        for _ in universe.scan_names(lowered):
            pass
    primitives = (time.perf_counter() - start) / len(texts)
    sub = Subscription(0, 0, Kind.TICKER, "X")
    article = articles[0]
    n = round(hits * len(texts))
    start = time.perf_counter()
    for _ in range(n):
        Alert(0, article, (Hit(sub, (), ""),))
    return primitives, (time.perf_counter() - start) / len(texts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--per-chat", type=int, default=10)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument(
        "--topical", type=float, default=0.0005, help="share of keyword queries from feed words"
    )
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
    vocab = vocabularies(pool)
    named = {s for s in pool if detect_tickers(Article("", "", s, "", "", None, ""), universe)}
    articles = make_articles(args.articles, pool, named, companies[:1000], rng)
    n_words = sum(len(a.text.split()) + len(a.title.split()) for a in articles) / len(articles)
    symbols = [c.tickers[0] for c in companies]
    total = args.chats * args.per_chat
    print(
        f"universe: {len(universe)} companies; {len(pool)} distinct real sentences "
        f"({len(named)} name a company); keyword "
        f"words: {len(vocab[0])} from the feeds (queries: {args.topical:.2%}), "
        f"{len(vocab[1])} absent from them"
    )
    print(f"articles: {len(articles)}, {n_words:.0f} words on average")
    print(f"reference loop (sum(range(10**6)), best of 5): {reference_ms():.1f} ms")

    # 1. The main run: chats x subscriptions, realistic.
    subs = realistic_subs(args.chats, args.per_chat, symbols, vocab, args.topical, pool, rng)
    before = rss_mb()
    index, built = build(universe, subs)
    index_mb = rss_mb() - before
    print(
        f"\n[index] {total:,} subscriptions ({args.chats:,} chats x {args.per_chat}): built in "
        f"{built:.1f}s, {index_mb:,.0f} MB ({load()})"
    )
    split = run_split(index, articles, universe)
    kinds, n = split.kinds, len(articles)
    print(
        f"[index] hits/article: {kinds[Kind.TICKER] / n:.1f} ticker + "
        f"{kinds[Kind.KEYWORD] / n:.1f} keyword; {split.chats / n:.1f} chats alerted/article"
    )
    detect_s, match_s = split.detection[0], split.matching[0]
    print(
        f"[index] detection {detect_s / n * 1e3:.3f} ms/article ({n / detect_s:,.0f}/s); "
        f"matching {match_s / n * 1e3:.3f} ms/article ({n / match_s:,.0f}/s) ({load()})"
    )
    if rank_companies is not None:
        print(
            f"[index] story reading {split.story[0] / n * 1e3:.3f} ms/article (rank_companies with "
            f"the mentions given, for the {split.read:,} of {n:,} articles with a company)"
        )
    cpu = [split.detection[1], split.story[1], split.matching[1]]
    print(
        f"[index] CPU ms/article: detection {cpu[0] / n * 1e3:.3f} + story reading "
        f"{cpu[1] / n * 1e3:.3f} = {(cpu[0] + cpu[1]) / n * 1e3:.3f}; matching "
        f"{cpu[2] / n * 1e3:.3f}; all three {sum(cpu) / n * 1e3:.3f}"
    )
    seconds, cpu_s, _ = run_index(index, articles, universe)
    rate = n / seconds
    print(
        f"[index] TOTAL (detection + story reading + matching, as the alert path runs them): "
        f"{n:,} articles in {seconds:.2f}s = {rate:,.0f} articles/s on one core "
        f"(target >= 2,000); CPU {cpu_s / n * 1e3:.3f} ms/article ({load()})"
    )
    print(f"[index] process peak memory {peak_mb():,.0f} MB")
    primitives, objects = floor(
        articles[:2000], universe, (kinds[Kind.TICKER] + kinds[Kind.KEYWORD]) / n
    )
    print(
        f"[floor] C primitives {primitives * 1e3:.3f} ms/article + one Hit and Alert per hit "
        f"{objects * 1e3:.3f} ms = {1 / (primitives + objects):,.0f} articles/s at most, were "
        f"all the rest free; reference loop {reference_ms():.1f} ms ({load()})"
    )

    # 2. The naive way: linear in articles and in subscriptions, so time a sample of each, scale.
    sample = articles[: args.naive_sample]
    naive_subs = rng.sample(subs, min(args.naive_subs, len(subs)))
    n_seconds, n_hits = naive(sample, naive_subs, universe)
    per_article = n_seconds / len(sample) * len(subs) / len(naive_subs)
    print(
        f"\n[naive] {len(sample)} articles x {len(naive_subs):,} subscriptions, scaled to "
        f"{total:,}: {per_article:.1f}s/article = {1 / per_article:.3f} articles/s "
        f"({per_article * len(articles) / 3600:.1f} h for {len(articles):,}); "
        f"{n_hits} hits in the sample ({load()})"
    )
    print(f"[naive] the index (total) is {per_article * rate:,.0f}x faster (target >= 100)")
    del index, subs
    gc.collect()

    # 3. Cost grows with matches, not subscriptions: 10,000 vs 10,000 + 990,000 unmatched.
    base_chats = 10_000 // args.per_chat
    base = realistic_subs(
        base_chats, args.per_chat, symbols, vocab, args.topical, pool, random.Random(7)
    )
    small, _ = build(universe, base)
    scale_articles = articles[: args.scale_articles]
    s_seconds, _, s_hits = run_index(small, scale_articles, universe)
    detected = {cik for a in articles for cik in detect_tickers(a, universe)}
    absent = [c.tickers[0] for c in companies if c.cik not in detected]
    extra = unmatched_subs(
        total - len(base), absent, random.Random(8), len(base), base_chats, args.per_chat
    )
    big, _ = build(universe, base + extra)
    b_seconds, _, b_hits = run_index(big, scale_articles, universe)
    print(
        f"\n[scale] {len(small):,} subscriptions: {s_seconds:.2f}s, "
        f"{s_hits / len(scale_articles):.2f} hits/article ({len(scale_articles):,} articles)"
    )
    print(
        f"[scale] {len(big):,} subscriptions: {b_seconds:.2f}s, "
        f"{b_hits / len(scale_articles):.2f} hits/article ({load()})"
    )
    print(f"[scale] time ratio 1M/10k = {b_seconds / s_seconds:.2f} (target <= 2)")
    print(f"\npeak memory of the whole run: {peak_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
