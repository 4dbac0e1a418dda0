"""Who a story is about, on real headlines and leads (publisher named in each case's id).

Each failure class of issue 16 is covered both ways: a case the bot must get, and a trap it must
not fall into. `first` is the ticker ranked first ("" when nothing may be detected), `about` the
tickers the story is about, `mentioned` tickers that must be found but not be "about", `never`
tickers that must not be detected at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.feeds.parse import parse_feed
from bot.matching.about import read_story
from bot.matching.tickers import TickerUniverse
from tests.matching.conftest import article

# (title, text, first, about, mentioned, never)
Case = tuple[str, str, str, set[str], set[str], set[str]]

BROKERS: dict[str, Case] = {
    "yahoo-bofa-pounds-table-on-nvidia": (
        "Bank of America Pounds the Table on Nvidia Stock",
        "",
        "NVDA",
        {"NVDA"},
        {"BAC"},
        set(),
    ),
    "cnbc-goldman-names-chipotle": (
        "Goldman names Chipotle its favorite restaurant stock",
        "Goldman Sachs initiates coverage of Chipotle with a buy rating and a $1,000 price target.",
        "CMG",
        {"CMG"},
        {"GS"},
        set(),
    ),
    "yahoo-wells-fargo-weighs-in-on-amd": (
        "Is AMD a Buy Following New Product Announcements? Wells Fargo Weighs In",
        "",
        "AMD",
        {"AMD"},
        {"WFC"},
        set(),
    ),
    "thefly-hawaiian-electric-at-barclays": (
        "Hawaiian Electric price target raised to $11 from $10 at Barclays",
        "",
        "HE",
        {"HE"},
        {"BCS"},
        set(),
    ),
    "issue16-canaccord-maintains-buy-on-apple": (
        "Canaccord Genuity Maintains Buy on Apple, Lowers Price Target to $300",
        "",
        "AAPL",
        {"AAPL"},
        set(),
        set(),
    ),
    "issue16-wells-fargo-initiates-agilent": (
        "Wells Fargo Initiates Coverage On Agilent",
        "",
        "A",
        {"A"},
        {"WFC"},
        set(),
    ),
    "issue16-deutsche-bank-advance-auto-parts": (
        "Deutsche Bank Maintains Advance Auto Parts at Hold",
        "",
        "AAP",
        {"AAP"},
        {"DB"},
        set(),
    ),
    "issue16-jp-morgan-overweight-on-apple": (
        "JP Morgan Maintains Overweight on Apple",
        "",
        "AAPL",
        {"AAPL"},
        {"JPM"},
        set(),
    ),
    "axios-jpmorgan-downgrade-of-beyond-meat": (
        "",
        "JPMorgan's downgrade of pretend meat purveyor Beyond Meat to Neutral from Buy was"
        " credited for the stock's 25% plunge Tuesday.",
        "BYND",
        {"BYND"},
        {"JPM"},
        set(),
    ),
    # Traps: a broker alone is no subject; a bank's own results are.
    "trap-yahoo-wells-fargo-says-buy-unnamed-stocks": (
        "2 Big Dividend Stocks Yielding at Least 7%; Wells Fargo Says ‘Buy’",
        "",
        "WFC",
        set(),
        {"WFC"},
        set(),
    ),
    "trap-cnbc-morgan-stanley-speaks-on-the-index": (
        "Morgan Stanley: The S&P 500 will fail to break out for a third time in 18 months",
        "",
        "MS",
        set(),
        {"MS"},
        set(),
    ),
    "trap-trueviralnews-bank-of-america-own-profit": (
        "",
        "Bank of America reported a quarterly profit of 80 cents per share, 5 cents higher than"
        " expected.",
        "BAC",
        {"BAC"},
        set(),
        set(),
    ),
}

HEADLINE_ONLY: dict[str, Case] = {
    "issue16-arbor-realty-trust-special-dividend": (
        "Arbor Realty Trust Announces a Special Dividend",
        "",
        "ABR",
        {"ABR"},
        set(),
        set(),
    ),
    "issue16-atlantic-american-reports-q1-eps": (
        "Atlantic American Reports Q1 EPS",
        "",
        "AAME",
        {"AAME"},
        set(),
        set(),
    ),
    "issue16-advanced-energy-name-and-symbol": (
        "Advanced Energy (AEIS) Q1 Earnings Beat",
        "",
        "AEIS",
        {"AEIS"},
        set(),
        set(),
    ),
    "tipranks-hawaiian-electric-possessive": (
        "Hawaiian Electric’s Hold Rating: Balancing Progress with Uncertainty Amid Regulatory"
        " Challenges",
        "",
        "HE",
        {"HE"},
        set(),
        set(),
    ),
    "yahoo-arm-investigates": (
        "Arm investigates suspicious payments at Chinese joint venture",
        "",
        "ARM",
        {"ARM"},
        set(),
        set(),
    ),
    "ctv-fiat-chrysler-former-name": (
        "Fiat Chrysler recalls 100K vehicles to fix Takata air bags",
        "",
        "STLA",
        {"STLA"},
        set(),
        set(),
    ),
    "hollywood-reporter-facebook-former-name": (
        "Analyst Downgrades Facebook Stock, Citing Price Run-up",
        "",
        "META",
        {"META"},
        set(),
        set(),
    ),
    "reuters-royal-dutch-shell-former-name": (
        "Shell agrees $70 billion deal to buy BG",
        "LONDON, April 8 (Reuters) - Royal Dutch Shell said on Wednesday it had agreed to buy BG"
        " Group for 47 billion pounds ($70 billion) in the first oil super-merger in a decade.",
        "SHEL",
        {"SHEL"},
        set(),
        set(),
    ),
    "boston-herald-ge-as-the-subject": (
        "",
        "GE announced yesterday its board of directors has voted unanimously to name H. Lawrence"
        " Culp Jr. chairman and chief executive officer of the Boston-based company, “effective"
        " immediately.”",
        "GE",
        {"GE"},
        set(),
        {"CULP"},
    ),
    # Traps: dictionary words before a verb, brackets without a company, capitals that are none.
    "trap-yahoo-mortgage-rates-surge": (
        "Mortgage Rates Surge. It’s Just the Beginning.",
        "",
        "",
        set(),
        set(),
        set(),
    ),
    "trap-yahoo-social-security": ("Social Security blows it again", "", "", set(), set(), set()),
    "trap-sec-advisers-settle-charges": (
        "Three Investment Adviser Representatives Settle SEC Charges for Acting as Unregistered"
        " Brokers",
        "",
        "",
        set(),
        set(),
        set(),
    ),
    "trap-sec-acronym-in-brackets": (
        "SEC Announces Departure of Director of International Affairs YJ Fischer",
        "The Securities and Exchange Commission today announced that YJ Fischer, the Director of"
        " the Office of International Affairs (OIA) since August 2021, will leave the agency.",
        "",
        set(),
        set(),
        set(),
    ),
    "trap-yahoo-formula-in-brackets": (
        "How to Calculate Your Tangible Net Worth (Formula)",
        "",
        "",
        set(),
        set(),
        set(),
    ),
    "trap-cnbc-us-in-capitals": (
        "US-China trade talks resume in Shanghai with tempered expectations",
        "",
        "",
        set(),
        set(),
        set(),
    ),
}

NOT_COMPANIES: dict[str, Case] = {
    "issue16-amount-is-not-3m": ("Sales $112.3M", "", "", set(), set(), {"MMM"}),
    "channele2e-co-ceo-keith-block-is-a-person": (
        "Salesforce co-CEO Keith Block steps down & hints he may leave cloud CRM software giant.",
        "",
        "CRM",
        {"CRM"},
        set(),
        {"XYZ"},
    ),
    "dailyzhealthpress-ceo-larry-culp-is-a-person": (
        "GE CEO Larry Culp says it will move as quickly as possible to complete the split",
        "General Electric CEO Larry Culp said Tuesday that management will break it down into"
        " three companies as soon as possible but will focus on getting it right.",
        "GE",
        {"GE"},
        set(),
        {"CULP"},
    ),
    "business-insider-sp500-target-is-an-index": (
        "",
        "Lee says half of the 50-point increase in his S&P 500 target is driven by the tech and"
        " financials sectors.",
        "",
        set(),
        set(),
        {"TGT"},
    ),
    "awesome-capital-phase-iii-is-a-numeral": (
        "",
        "AstraZeneca announced top-line results from Terranova, the second of two pivotal Phase"
        " III trials for Fasenra in patients with moderate to very severe chronic obstructive"
        " pulmonary disease.",
        "AZN",
        {"AZN"},
        set(),
        {"III"},
    ),
    "cnbc-credit-suisse-is-a-bank-not-a-note": (
        "",
        "Credit Suisse thinks this year's market run has more to go, raising its S & P 500"
        " forecast to the highest on Wall Street.",
        "",
        set(),
        set(),
        {"GLDI"},
    ),
    "ticker-report-credit-suisse-rates-apple": (
        "",
        "Credit Suisse Group set a $190.00 target price on shares of Apple in a research note on"
        " Tuesday, October 25th.",
        "AAPL",
        {"AAPL"},
        set(),
        {"GLDI"},
    ),
    "cnbc-passing-mention-in-a-lead": (
        "Wall Street bull expects the record rally to temporarily get tripped up",
        "Oppenheimer Asset Management's John Stoltzfus expects wave of volatility to pressure"
        " stocks due to uncertainty.",
        "OPY",
        set(),
        {"OPY"},
        set(),
    ),
    "nyt-covid-boosters-story-about-a-plan": (
        "F.D.A. Panel's Vote on Covid Boosters Sets Biden Plan Back",
        "The panel recommended against blanket access to Pfizer boosters for those 16 and older,"
        " but urged offering them to those 65 and older and “at high risk,”",
        "PFE",
        set(),
        {"PFE"},
        set(),
    ),
}


def _check(universe: TickerUniverse, case: Case) -> None:
    title, text, first, about, mentioned, never = case
    story = read_story(article(title, text), universe)
    assert (story.tickers[:1] or ("",))[0] == first, story.tickers
    assert set(story.about) == about, story.about
    assert mentioned <= set(story.tickers) - set(story.about), story.tickers
    assert not never & set(story.tickers), story.tickers


@pytest.mark.parametrize("case", BROKERS.values(), ids=BROKERS.keys())
def test_the_rated_company_not_the_broker(universe: TickerUniverse, case: Case) -> None:
    _check(universe, case)


@pytest.mark.parametrize("case", HEADLINE_ONLY.values(), ids=HEADLINE_ONLY.keys())
def test_headline_only_items(universe: TickerUniverse, case: Case) -> None:
    _check(universe, case)


@pytest.mark.parametrize("case", NOT_COMPANIES.values(), ids=NOT_COMPANIES.keys())
def test_amounts_people_indexes_numerals_other_banks_passing_mentions(
    universe: TickerUniverse, case: Case
) -> None:
    _check(universe, case)


def test_the_example_article_is_about_amazon_and_mentions_nvidia(
    universe: TickerUniverse, seed_article_path: Path
) -> None:
    (seed,) = parse_feed(seed_article_path.read_bytes(), source="seed").articles
    story = read_story(seed, universe)
    assert story.tickers[0] == "AMZN"
    assert story.about == ("AMZN",)
    assert "NVDA" in story.tickers
    assert not {"legal", "solicitation", "analyst"} & set(story.events)


def test_the_filer_is_what_a_filing_is_about(universe: TickerUniverse, real_dir: Path) -> None:
    feed = parse_feed(
        (real_dir / "sec_edgar_company_atom_ultragenyx_8k.xml").read_bytes(), source="edgar"
    )
    stories = [read_story(a, universe) for a in feed.articles]
    assert all(s.about == ("RARE",) for s in stories)
    assert all("filing" in s.events for s in stories)
    assert any("earnings" in s.events for s in stories)  # item 2.02
