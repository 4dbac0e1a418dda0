"""English: every user-facing string, complete. Other languages copy this file's keys.

In: nothing. Out: `TEXTS`, key -> `str.format` template. Values are filled in by
`bot.texts.text`; templates hold no HTML (renderers escape them), and a literal brace is `{{`.
"""

from __future__ import annotations

TEXTS: dict[str, str] = {
    # --- alerts (bot/render/message.py) ---
    # The "why" line: which subscriptions matched and on which words.
    "alert.why": "Why: {reasons}",
    "alert.why.keyword": "“{query}”",
    "alert.why.words": "{label} ({words})",
    # Other outlets that carried the same story.
    "alert.also": "Also: {links}",
    "alert.also.more": "+{count} more",
    "alert.untitled": "(untitled)",
    "alert.button.mute": "Mute {name}",
    "alert.button.open": "Open",
    "alert.button.undo": "Undo",
    # --- SEC filings (bot/render/filings.py) ---
    "filing.title": "{company}: {form}",
    "filing.title.no_company": "SEC filing: {form}",
    "filing.form": "Form {form}",
    "filing.meaning": "{form}: {meaning}",
    "filing.amendment": "{meaning} (amendment)",
    "filing.item": "Item {number}: {meaning}",
    "filing.item.unknown": "Item {number}",
    "sec.form.8-K": "Current report on material events",
    "sec.form.6-K": "Current report of a foreign issuer",
    "sec.form.10-K": "Annual report",
    "sec.form.10-Q": "Quarterly report",
    "sec.form.20-F": "Annual report of a foreign issuer",
    "sec.form.40-F": "Annual report of a Canadian issuer",
    "sec.form.S-1": "Registration of new securities (for example an IPO)",
    "sec.form.S-3": "Shelf registration of securities",
    "sec.form.S-4": "Registration of securities for a merger or exchange offer",
    "sec.form.S-8": "Registration of securities for employee plans",
    "sec.form.F-1": "Registration of new securities by a foreign issuer",
    "sec.form.424B": "Prospectus",
    "sec.form.3": "Initial statement of insider ownership",
    "sec.form.4": "Insider trade (change in beneficial ownership)",
    "sec.form.5": "Annual statement of insider ownership changes",
    "sec.form.144": "Notice of a proposed sale of restricted shares",
    "sec.form.SC 13D": "Stake above 5% by an active investor",
    "sec.form.SC 13G": "Stake above 5% by a passive investor",
    "sec.form.13D": "Stake above 5% by an active investor",
    "sec.form.13G": "Stake above 5% by a passive investor",
    "sec.form.13F-HR": "Quarterly holdings of an institutional manager",
    "sec.form.DEF 14A": "Proxy statement for a shareholder meeting",
    "sec.form.PRE 14A": "Preliminary proxy statement",
    "sec.form.DEFA14A": "Additional proxy material",
    "sec.form.425": "Communication about a business combination",
    "sec.form.SC TO-T": "Tender offer by a third party",
    "sec.form.SC 14D9": "Company's response to a tender offer",
    "sec.form.11-K": "Annual report of an employee stock plan",
    "sec.form.NT 10-K": "Notice of a late annual report",
    "sec.form.NT 10-Q": "Notice of a late quarterly report",
    "sec.form.15": "Termination of registration",
    "sec.form.25": "Delisting of securities",
    "sec.form.SD": "Specialized disclosure (conflict minerals)",
    "sec.item.1.01": "Entry into a material definitive agreement",
    "sec.item.1.02": "Termination of a material definitive agreement",
    "sec.item.1.03": "Bankruptcy or receivership",
    "sec.item.1.04": "Mine safety: shutdowns and patterns of violations",
    "sec.item.1.05": "Material cybersecurity incident",
    "sec.item.2.01": "Completion of an acquisition or disposition of assets",
    "sec.item.2.02": "Results of operations and financial condition",
    "sec.item.2.03": "Creation of a direct financial obligation",
    "sec.item.2.04": "Triggering events that accelerate or increase a financial obligation",
    "sec.item.2.05": "Costs associated with exit or disposal activities",
    "sec.item.2.06": "Material impairments",
    "sec.item.3.01": "Notice of delisting or failure to meet a listing standard",
    "sec.item.3.02": "Unregistered sales of equity securities",
    "sec.item.3.03": "Material modification to rights of security holders",
    "sec.item.4.01": "Change in the company's certifying accountant",
    "sec.item.4.02": "Previously issued financial statements can no longer be relied upon",
    "sec.item.5.01": "Change in control of the company",
    "sec.item.5.02": "Departure or appointment of directors or officers",
    "sec.item.5.03": "Amendments to articles or bylaws; change in fiscal year",
    "sec.item.5.04": "Temporary suspension of trading under employee benefit plans",
    "sec.item.5.05": "Amendment to or waiver of the code of ethics",
    "sec.item.5.06": "Change in shell company status",
    "sec.item.5.07": "Results of a shareholder vote",
    "sec.item.5.08": "Shareholder director nominations",
    "sec.item.6.01": "Asset-backed securities informational material",
    "sec.item.6.02": "Change of servicer or trustee",
    "sec.item.6.03": "Change in credit enhancement or other external support",
    "sec.item.6.04": "Failure to make a required distribution",
    "sec.item.6.05": "Securities Act updating disclosure",
    "sec.item.7.01": "Regulation FD disclosure",
    "sec.item.8.01": "Other events",
    "sec.item.9.01": "Financial statements and exhibits",
    # --- digests (bot/render/digest.py) ---
    "digest.continued": "{title} (continued)",
    "digest.group.other": "Other",
    "digest.line.source": "{title} ({source})",
    # --- chat commands (bot/chat/handlers.py) ---
    # Chat replies are sent as plain text: no markup, nothing to escape.
    "menu.start": "Welcome and what this bot does",
    "menu.help": "Commands and query examples",
    "menu.watch": "Watch tickers: /watch AMZN NVDA",
    "menu.keyword": "Watch a keyword query: /keyword Trainium",
    "menu.remove": "Stop watching a ticker or keyword",
    "menu.list": "What this chat watches",
    "chat.start": (
        "Welcome to Investor Alerts.\n"
        "I read financial news, press releases and SEC filings as they appear and send you a "
        "short alert when one mentions a ticker or keyword you watch: the source, the headline "
        "with its link, a summary, and why it matched.\n\n"
        "Start with\n"
        "/watch AMZN NVDA: watch tickers (company names work too)\n"
        '/keyword Trainium: watch a word, a "phrase" or a query\n'
        "/list: what you watch\n"
        "/remove AMZN: stop watching\n"
        "/help: all commands, with examples\n\n"
        "{disclaimer}"
    ),
    "chat.help": (
        "Commands\n"
        "/watch AMZN NVDA: watch tickers; /watch amazon finds the ticker for you\n"
        "/keyword Trainium: watch a keyword query (see below)\n"
        "/remove AMZN or /remove Trainium: stop watching one\n"
        "/list: the tickers and keywords this chat watches\n"
        "/help: this message\n\n"
        "Keyword queries\n"
        "Trainium: the word, any case, also plurals and -ed/-ing forms\n"
        '"AI chips": the exact phrase\n'
        '"AI chips" -crypto: but not articles that say crypto\n'
        "Nvidia OR AMD: either one\n"
        "merger bank: both words, anywhere in the article\n\n"
        "Tickers match cashtags ($AMZN), exchange forms (NASDAQ: AMZN), the symbol itself "
        "and the company's name."
    ),
    "chat.not_command": "I understand commands only. Try /watch AMZN, or /help for all of them.",
    "chat.unknown": "I don't know the command {command}. /help lists what I can do.",
    "chat.limit": "This chat watches the most it can ({limit}). /remove something first.",
    "chat.watch.usage": (
        "Tell me which tickers to watch, for example:\n/watch AMZN NVDA\n"
        "A company name works too: /watch amazon"
    ),
    "chat.watch.added": "Watching {symbol} ({name}).",
    "chat.watch.resolved": "“{word}” is {symbol} ({name}): watching it.",
    "chat.watch.already": "You already watch {symbol} ({name}).",
    "chat.watch.unknown": (
        "I don't know the ticker “{word}”: it is not in the SEC's list of U.S.-listed "
        "companies. Check the symbol, e.g. /watch AMZN"
    ),
    "chat.watch.suggest": "I don't know the ticker “{word}”. Did you mean {options}?",
    "chat.watch.button": "Watch {symbol}",
    "chat.keyword.usage": (
        "Tell me what to look for, for example:\n/keyword Trainium\n"
        '/keyword "AI chips" -crypto\n/help explains the query language.'
    ),
    "chat.keyword.invalid": (
        'I can\'t read that query: {error}\nFor example: /keyword "AI chips" -crypto'
    ),
    "chat.keyword.added": "Watching the keyword query {query}.",
    "chat.keyword.already": "You already watch {query}.",
    "chat.remove.usage": "Tell me what to stop watching, for example:\n/remove AMZN",
    "chat.remove.missing": "You don't watch “{value}”. /list shows what you watch.",
    "chat.remove.done": "Stopped watching {value}.",
    "chat.list.empty": (
        "This chat watches nothing yet. Start with /watch AMZN or /keyword Trainium."
    ),
    "chat.list.title": "This chat watches",
    "chat.list.tickers": "Tickers:",
    "chat.list.ticker": "• {symbol} {name}",
    "chat.list.keywords": "Keywords:",
    "chat.list.keyword": "• {query}",
    "chat.muted": "Muted {label}: no more alerts for it until you press Undo or /watch it again.",
    "chat.unmuted": "{label} is back on.",
    "chat.gone": "That subscription no longer exists.",
}
