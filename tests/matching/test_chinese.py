"""Chinese stories, matched: Chinese company names (with the 苹果 rule), Chinese keywords by
segmentation, and /watch reading a Chinese name, on the SEC table the bot ships."""

from __future__ import annotations

import pytest

from bot.matching.chinese import name_in_context, segment
from bot.matching.detect import detect_tickers
from bot.matching.index import MatchIndex
from bot.matching.keywords import parse_query
from bot.matching.resolve import Via, resolve
from bot.matching.table import packaged_table, table_rows
from bot.matching.tickers import TickerUniverse, normalize_symbol
from bot.matching.word_lists import ChineseNames
from bot.models import Kind, Subscription
from tests.matching.conftest import article

# (text, the symbols detected)
NAMES = [
    ("英伟达周三发布财报，营收大增。", ["NVDA"]),
    ("辉达与台积电的合作", ["NVDA", "TSM"]),
    ("阿里巴巴和京东的股价双双上涨。", ["BABA", "JD"]),
    ("拼多多、百度、网易均公布季度业绩", ["BIDU", "NTES", "PDD"]),
    ("蔚来汽车交付量创新高，理想汽车与小鹏汽车紧随其后", ["LI", "NIO", "XPEV"]),
    ("哔哩哔哩第三季度营收增长", ["BILI"]),
    ("富途与老虎证券的用户数", ["FUTU", "TIGR"]),
    ("亚马逊、微软和谷歌加大资本开支", ["AMZN", "GOOGL", "MSFT"]),
    ("特斯拉CEO马斯克表示", ["TSLA"]),
    ("脸书母公司的广告收入", ["META"]),
    ("Nvidia的芯片供不应求", ["NVDA"]),
    # Word edges by segmentation: no 京东 in 北京东路, no 微软 in 轻微软化.
    ("他住在北京东路。", []),
    ("价格出现轻微软化。", []),
    ("今天亚马逊雨林起火", []),
]


@pytest.mark.parametrize(("text", "symbols"), NAMES, ids=[n[0] for n in NAMES])
def test_chinese_names_in_stories(universe: TickerUniverse, text: str, symbols: list[str]) -> None:
    found = detect_tickers(article("", text), universe)
    assert sorted(m.symbol for m in found.values()) == symbols


# 苹果 alone is the fruit unless its sentence says it is the company.
APPLE = [
    ("苹果公司股价上涨3%。", True),
    ("苹果发布新款iPhone。", True),
    ("苹果股价创新高", True),
    ("苹果(AAPL)收涨。", True),
    ("分析师上调苹果的目标价。", True),
    ("苹果市值突破4万亿美元", True),
    ("我每天吃苹果。", False),
    ("今年苹果价格上涨。", False),
    ("苹果树开花了，风景很好。", False),
    ("一杯苹果汁", False),
    ("苹果很甜。股价上涨。", False),  # the market word is in another sentence
]


@pytest.mark.parametrize(("text", "company"), APPLE, ids=[a[0] for a in APPLE])
def test_apple_needs_context(universe: TickerUniverse, text: str, company: bool) -> None:
    found = detect_tickers(article("", text), universe)
    assert ("AAPL" in [m.symbol for m in found.values()]) is company


@pytest.mark.parametrize(
    ("text", "company"),
    [("苹果发布", True), ("苹果汁", False), ("吃苹果", False), ("苹果 aapl", True)],
    ids=["after word", "negative phrase", "negative before", "ticker"],
)
def test_name_in_context_rule(text: str, company: bool) -> None:
    lists = ChineseNames.packaged()
    start = text.index("苹果")
    found = name_in_context(
        text, start, start + 2, ("AAPL",), lists.context, lists.after, lists.negative
    )
    assert found is company


def test_every_chinese_name_is_a_listed_company() -> None:
    """Checked against the table the bot ships (an older full table has MMC, not MRSH)."""
    listed = {normalize_symbol(row.ticker) for row in table_rows(packaged_table())}
    names = ChineseNames.packaged().names
    assert len(names) >= 300
    missing = [symbol for symbol in names if symbol not in listed]
    assert missing == []
    named = [n for ns in names.values() for n in ns]
    assert len(named) == len(set(named)), "a Chinese name may mean one company only"


@pytest.mark.parametrize(
    ("typed", "symbol"),
    [
        ("英伟达", "NVDA"),
        ("辉达", "NVDA"),
        ("阿里巴巴", "BABA"),
        ("拼多多", "PDD"),
        ("京东", "JD"),
        ("百度", "BIDU"),
        ("蔚来", "NIO"),
        ("理想汽车", "LI"),
        ("小鹏汽车", "XPEV"),
        ("网易", "NTES"),
        ("哔哩哔哩", "BILI"),
        ("富途", "FUTU"),
        ("老虎证券", "TIGR"),
        ("亚马逊", "AMZN"),
        ("特斯拉", "TSLA"),
        ("苹果", "AAPL"),
        ("微软", "MSFT"),
        ("谷歌", "GOOGL"),
        ("台积电", "TSM"),
        ("脸书", "META"),
    ],
    ids=lambda v: str(v),
)
def test_watch_reads_chinese_names(universe: TickerUniverse, typed: str, symbol: str) -> None:
    assert [(r.via, r.symbol) for r in resolve(typed, universe)] == [(Via.NAME, symbol)]


def test_watch_reads_a_chinese_list(universe: TickerUniverse) -> None:
    found = resolve("英伟达、特斯拉，苹果", universe)
    assert [r.symbol for r in found] == ["NVDA", "TSLA", "AAPL"]


# (query, text, matches)
KEYWORDS = [
    ("芯片", "英伟达发布新一代AI芯片。", True),
    ("芯片", "美国限制半导体芯片出口", True),  # a compound split into its words
    ("电动汽车", "比亚迪电动汽车销量大增", True),
    ("汽车", "比亚迪电动汽车销量大增", True),
    ("新能源汽车", "新能源汽车渗透率超过50%", True),
    ("芯片 -加密货币", "芯片股与加密货币同涨", False),
    ("芯片 OR 半导体", "半导体设备订单增加", True),
    ("京东", "他住在北京东路", False),  # segmentation: 北京 / 东路
    ("电动汽车", "电动车和汽车", False),
    ("AI chips", "英伟达的AI chips需求旺盛", True),
    ("chips", "Nvidia sells chips to Amazon.", True),  # English as before
]


@pytest.mark.parametrize(
    ("query", "text", "matches"), KEYWORDS, ids=[f"{k[0]} in {k[1]}" for k in KEYWORDS]
)
def test_chinese_keywords(universe: TickerUniverse, query: str, text: str, matches: bool) -> None:
    index = MatchIndex(universe)
    index.add(Subscription(1, 10, Kind.KEYWORD, parse_query(query).text))
    item = article("", text)
    alerts = index.match(item, detect_tickers(item, universe))
    assert bool(alerts) is matches


def test_chinese_query_is_restated_without_quotes_or_spaces() -> None:
    query = parse_query("电动汽车 OR 芯片")
    assert query.shown == "电动汽车 OR 芯片"
    assert parse_query(query.text) == query


@pytest.mark.parametrize(
    ("run", "words"),
    [
        ("英伟达发布新芯片", ["英伟达", "发布", "新", "芯片"]),
        ("半导体芯片", ["半导体", "芯片"]),
        ("北京东路", ["北京", "东路"]),
        ("苹果公司", ["苹果", "公司"]),
    ],
    ids=["name kept whole", "compound split", "no 京东", "company word apart"],
)
def test_segmentation(run: str, words: list[str]) -> None:
    assert segment(run) == words
