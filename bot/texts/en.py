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
    "alert.button.snooze": "Snooze",
    "alert.button.snooze.1h": "1 hour",
    "alert.button.snooze.1d": "1 day",
    "alert.button.snooze.1w": "1 week",
    # Under digests, notices and broadcasts (bot/render/buttons.py: message_keyboard).
    "message.button.settings": "⚙ Settings",
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
    # --- feeds: health notices (bot/poll/notices.py) and user feeds (bot/chat/feeds.py) ---
    "feeds.notice.broken": (
        "Feed “{name}” has been failing since {since} and is now marked broken: {error}. "
        "It is still tried every few hours; you will be told when it works again. ({url})"
    ),
    "feeds.notice.recovered": "Feed “{name}” works again. ({url})",
    "feeds.notice.outage": (
        "Every feed has been failing since {since}: the bot's network or DNS is probably down. "
        "Feeds are not marked broken for this; you will be told when polls work again."
    ),
    "feeds.notice.outage_over": "Feeds are being fetched again: the network outage is over.",
    "feeds.add.usage": (
        "Send /addfeed with a feed's address, e.g. /addfeed https://www.example.com/news.rss"
    ),
    "feeds.add.refused": "I can't add that feed: {reason}",
    "feeds.add.added": (
        "Added “{name}”. Its new articles that match what this chat watches will be sent here. "
        "/myfeeds lists your feeds."
    ),
    "feeds.add.already": "This chat already has “{name}”.",
    "feeds.add.limit": "This chat has {count} feeds, the most it may have; /removefeed one first.",
    "feeds.add.off": "Adding your own feeds is turned off on this bot.",
    "feeds.add.not_http": "not an http(s) address",
    "feeds.add.empty": "the server sent an empty document",
    "feeds.list.empty": (
        "This chat has no feeds of its own. Add one with /addfeed URL, or send an OPML file "
        "with the caption /importopml."
    ),
    "feeds.list.header": "This chat's feeds:",
    "feeds.list.line": "{number}. {name}: {url}{status}",
    "feeds.list.broken": " (broken: {error})",
    "feeds.list.failing": " (failing: {error})",
    "feeds.remove.usage": (
        "Send /removefeed with a number from /myfeeds or the feed's address, e.g. /removefeed 2"
    ),
    "feeds.remove.done": "Removed “{name}”.",
    "feeds.remove.unknown": "This chat has no feed {which}; /myfeeds lists them.",
    "feeds.opml.usage": "Send an OPML file as a document with the caption /importopml.",
    "feeds.opml.bad": "That file is not OPML I can read: {reason}",
    "feeds.opml.imported": "Imported {added} feeds ({skipped} skipped).",
    "feeds.opml.skipped": "Skipped {url}: {reason}",
    "feeds.opml.empty": "This chat has no feeds to export.",
    "feeds.opml.caption": "This chat's feeds, as OPML.",
    # --- digests (bot/render/digest.py) ---
    "digest.continued": "{title} (continued)",
    "digest.group.other": "Other",
    "digest.line.source": "{title} ({source})",
    # --- delivery: digest titles (bot/delivery/sender.py) ---
    "delivery.digest.daily": "Your daily digest",
    "delivery.digest.hourly": "Your hourly digest",
    "delivery.digest.quiet": "While your quiet hours were on",
    "delivery.digest.overflow": "More alerts, over your hourly limit",
    # --- chat commands (bot/chat/) ---
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
        "/list: the tickers and keywords this chat watches, with remove buttons\n"
        "/test Trainium: what a query would have matched in the last 24 hours\n"
        "/trend NVDA: a chart of a ticker's news over 30 days\n"
        "/settings: instant or digest, time zone, quiet hours, alerts per hour\n"
        "/pause and /resume: stop alerts for a while\n"
        "/export and /import: save or restore this chat's subscriptions and settings\n"
        "/feeds: the sources I read; /about: sources, disclaimer, what is stored\n"
        "/channel @name: set up alerts for a channel you administer\n"
        "/delete_me: delete everything stored about this chat\n"
        "/help: this message\n\n"
        "Links like t.me/BOT?start=watch-AMZN-NVDA subscribe in one tap.\n"
        "In groups, only administrators can change subscriptions and settings.\n\n"
        "Keyword queries\n"
        "Trainium: the word, any case, also plurals and -ed/-ing forms\n"
        '"AI chips": the exact phrase\n'
        '"AI chips" -crypto: but not articles that say crypto\n'
        "Nvidia OR AMD: either one (or, and, not work in any case; NOT crypto = -crypto)\n"
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
    "chat.watch.option": "{symbol} ({name})",
    "chat.watch.ambiguous": (
        "“{word}” could mean {options}. Press a button to watch the one you mean."
    ),
    "chat.keyword.usage": (
        "Tell me what to look for, for example:\n/keyword Trainium\n"
        '/keyword "AI chips" -crypto\n/help explains the query language.'
    ),
    "chat.keyword.invalid": (
        'I can\'t read that query: {error}\nFor example: /keyword "AI chips" -crypto'
    ),
    "chat.keyword.added": "Watching the keyword query {query}.",
    "chat.keyword.recent": (
        "It would have matched {count} of the {total} stories of the last 24 hours."
    ),
    "chat.keyword.recent_none": "There are no stories from the last 24 hours yet to try it on.",
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
    "chat.snooze.pick": "How long should {label} be quiet?",
    "chat.snoozed": "{label} is quiet until {until}, then comes back by itself.",
    "chat.list.snoozed": " (snoozed until {until})",
    "chat.gone": "That subscription no longer exists.",
    # --- chat interface (bot/chat/*: settings, data, insights, groups, operators) ---
    "menu.settings": "Delivery mode, digest time, time zone, quiet hours",
    "menu.pause": "Pause all alerts",
    "menu.resume": "Resume alerts",
    "menu.test": "Try a query on the last 24 hours: /test Trainium",
    "menu.trend": "A chart of a ticker's news: /trend NVDA",
    "menu.export": "Download this chat's subscriptions and settings",
    "menu.import": "Restore subscriptions and settings from a file",
    "menu.feeds": "The sources the bot reads",
    "menu.addfeed": "Add your own feed: /addfeed https://example.com/rss",
    "menu.myfeeds": "The feeds this chat added",
    "menu.removefeed": "Remove one of your feeds: /removefeed 1",
    "menu.exportopml": "Download your feeds as OPML (send a file captioned /importopml to add)",
    "menu.channel": "Set up alerts for a channel you administer",
    "menu.about": "Sources, disclaimer, what is stored",
    "menu.delete_me": "Delete everything stored about this chat",
    "menu.stats": "Operators: bot statistics",
    "menu.broadcast": "Operators: message every chat",
    "menu.feedhealth": "Operators: each feed's health",
    "chat.admins_only": (
        "Sorry, only this group's administrators can change what it watches or its settings."
    ),
    "chat.rate_limited": (
        "That is a lot of commands at once. Please wait {seconds} s and try again."
    ),
    "chat.rate_limited.button": "Too many at once: please wait {seconds} s.",
    "chat.list.remove": "Remove {label}",
    "chat.pause.done": (
        "Alerts paused. Nothing is sent until /resume; articles from the paused time are "
        "not sent later."
    ),
    "chat.resume.not_paused": "Alerts are not paused. /pause stops them for a while.",
    "chat.resume.done": (
        "Alerts are back on. Articles that appeared while paused (since {since}) are not sent."
    ),
    "chat.channel.private_only": "Set up a channel from a private chat with me: /channel @name",
    "chat.channel.usage": (
        "To set up alerts for a channel, make me an administrator of it, then send\n"
        "/channel @yourchannel\nThe commands that follow (/watch, /keyword, /list, /settings) "
        "then apply to that channel. /channel off goes back to this chat."
    ),
    "chat.channel.off": "Back to this chat: commands apply here again.",
    "chat.channel.not_channel": "“{name}” is not a channel.",
    "chat.channel.unreachable": "I can't reach “{name}”: {error}. Is the name right?",
    "chat.channel.bot_not_admin": (
        "I am not an administrator of {name}. Add me as an administrator who can post "
        "messages, then try again."
    ),
    "chat.channel.user_not_admin": "Only administrators of {name} can set up its alerts.",
    "chat.channel.set": (
        "Now setting up {name}: /watch, /keyword, /list and /settings apply to it. "
        "/channel off when you are done."
    ),
    "chat.settings.menu": (
        "Settings\n"
        "Delivery: {mode}\n"
        "Digest time: {digest}\n"
        "Time zone: {timezone}\n"
        "Quiet hours: {quiet}\n"
        "Alerts per hour: {rate}\n"
        "Link previews: {previews}\n"
        "Language: {language}\n\n"
        "Other values: /settings timezone Asia/Dubai, /settings digest 07:30, "
        "/settings quiet 22:30-06:30, /settings rate 15"
    ),
    "chat.settings.mode.instant": "Instant",
    "chat.settings.mode.hourly": "Hourly digest",
    "chat.settings.mode.daily": "Daily digest",
    "chat.settings.on": "on",
    "chat.settings.off": "off",
    "chat.settings.unlimited": "no limit",
    "chat.settings.back": "« Back",
    "chat.settings.page.mode": "How should alerts arrive?",
    "chat.settings.page.digest": "When should the daily digest arrive (in your time zone)?",
    "chat.settings.page.timezone": (
        "Your time zone. Not listed? Send /settings timezone followed by its name, "
        "e.g. /settings timezone Asia/Dubai"
    ),
    "chat.settings.page.quiet": (
        "Quiet hours: alerts are held and arrive as one digest when they end. "
        "Others: /settings quiet 22:30-06:30"
    ),
    "chat.settings.page.rate": "At most how many alerts per hour? The rest wait for the next hour.",
    "chat.settings.page.lang": "Language",
    "chat.settings.button.mode": "Delivery mode",
    "chat.settings.button.digest": "Digest time",
    "chat.settings.button.timezone": "Time zone",
    "chat.settings.button.quiet": "Quiet hours",
    "chat.settings.button.rate": "Alerts per hour",
    "chat.settings.button.previews.on": "Link previews: turn on",
    "chat.settings.button.previews.off": "Link previews: turn off",
    "chat.settings.button.lang": "Language",
    "chat.settings.usage": (
        "Write a setting and its value, e.g. /settings timezone Europe/Berlin\nSettings: {names}"
    ),
    "chat.settings.invalid": "I can't use that: {error}",
    "chat.settings.saved": "Saved.",
    "chat.settings.error.mode": "“{value}” is not a delivery mode; use instant, hourly or daily",
    "chat.settings.error.rate": "“{value}” is not a number of alerts per hour; e.g. 10, or off",
    "chat.settings.error.previews": "link previews are on or off, not “{value}”",
    "chat.settings.error.lang": "“{value}” is not a language I speak; choose one of {options}",
    "chat.settings.error.name": "there is no setting “{name}”; settings are {names}",
    "chat.export.caption": (
        "This chat's {count} subscriptions and its settings. Send this file back with the "
        "caption /import to restore them."
    ),
    "chat.import.usage": (
        "Send me the file from /export now (or attach it with the caption /import). "
        "It replaces this chat's subscriptions and settings."
    ),
    "chat.import.refused": "I did not import that file, and nothing was changed: {error}",
    "chat.import.done": (
        "Imported {count} subscriptions and the settings (replacing the {replaced} there were). "
        "/list shows them."
    ),
    "chat.import.error.size": "the file is larger than {limit} KB",
    "chat.import.error.json": "it is not a JSON file ({error})",
    "chat.import.error.format": "it is not an export of this bot (make one with /export)",
    "chat.import.error.version": "it is an export of version {version}, which I can't read",
    "chat.import.error.field": "“{field}” has the wrong shape",
    "chat.import.error.limit": "it holds {count} subscriptions; a chat may have at most {limit}",
    "chat.import.error.setting": "there is no setting “{name}”",
    "chat.import.error.value": "the setting “{name}” is wrong: {error}",
    "chat.import.error.item": "subscription {number} needs a kind, a value and muted true/false",
    "chat.import.error.ticker": "subscription {number}: I don't know the ticker “{value}”",
    "chat.import.error.keyword": "subscription {number}: {error}",
    "chat.import.error.kind": "subscription {number}: “{kind}” is neither ticker nor keyword",
    "chat.delete.confirm": (
        "Delete everything stored about this chat: its subscriptions, settings and the record "
        "of alerts sent? This cannot be undone."
    ),
    "chat.delete.button.yes": "Yes, delete everything",
    "chat.delete.button.no": "No, keep it",
    "chat.delete.cancelled": "Nothing was deleted.",
    "chat.delete.done": (
        "Done: this chat and its {count} subscriptions are deleted. /start begins afresh."
    ),
    "chat.test.usage": (
        "Tell me what to try on the last 24 hours of news, for example:\n/test Trainium\n"
        '/test "AI chips" -crypto\n/test $NVDA'
    ),
    "chat.test.none": (
        "None of the last 24 hours' {total} articles match {query}. Try a broader query."
    ),
    "chat.test.found": "{count} of the last 24 hours' {total} articles match {query}:",
    "chat.test.line": "• {title} ({source}, {when})",
    "chat.test.published": "published {when}",
    "chat.test.undated": "undated, first seen {when}",
    "chat.test.more": "… and {count} more",
    "chat.test.subscribe": "Happy with it? {command}",
    "chat.trend.usage": "Tell me which ticker, for example: /trend NVDA",
    "chat.trend.unknown": "I don't know the ticker “{word}”. Check the symbol, e.g. /trend AMZN",
    "chat.trend.none": "No article in the last {days} days mentions {symbol}.",
    "chat.trend.chart.title": "{symbol} ({name}): articles per day, last {days} days",
    "chat.trend.chart.axis": "articles",
    "chat.trend.caption": "{symbol}: {total} articles in the last {days} days. Busiest days:",
    "chat.trend.day": "{day}: {count}",
    "chat.trend.headline": "  • {title}",
    "chat.feeds.title": "Sources I read",
    "chat.feeds.ok": "ok",
    "chat.feeds.never": "not polled yet",
    "chat.feeds.sec_off": "off (set SEC_USER_AGENT)",
    "chat.feeds.failing": "failing ({count} errors in a row)",
    "chat.feeds.line": "• {name}: {status}",
    "chat.feeds.own": "This chat's own feeds:",
    "chat.feeds.own.none": "This chat has no feeds of its own.",
    "chat.about": (
        "About Investor Alerts\n"
        "Sources: {sources}{edgar}. Tickers are matched against the SEC's list of "
        "U.S.-listed companies.\n\n"
        "What is stored about this chat: its id, type and title, its subscriptions and "
        "settings, and which alerts were sent to it (to never send one twice). Nothing else; "
        "/export shows it and /delete_me removes it all.\n\n"
        "{disclaimer}"
    ),
    "chat.about.edgar": ", and SEC EDGAR filings",
    "chat.stats": (
        "Chats: {chats} ({active} active)\n"
        "Active subscriptions: {subscriptions} ({muted} muted)\n"
        "Alerts sent today (UTC): {sent}\n"
        "Outbox: {pending} waiting, oldest {age}\n"
        "Feeds: {feeds}, {failing} failing"
    ),
    "chat.broadcast.usage": "Write the message after the command: /broadcast Maintenance at 22:00",
    "chat.broadcast.too_long": "A broadcast may have at most {limit} characters.",
    "chat.broadcast.confirm": "Send this to {count} chats?\n\n{text}",
    "chat.broadcast.button.yes": "Send",
    "chat.broadcast.button.no": "Cancel",
    "chat.broadcast.gone": "That broadcast was already sent or cancelled.",
    "chat.broadcast.queued": "Queued for {count} chats; it goes out through the outbox.",
    "chat.broadcast.cancelled": "Cancelled; nothing was sent.",
}
