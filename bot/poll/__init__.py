"""The poll stage: due feeds in, new stories and their alerts in the outbox out.

`job` (PTB's JobQueue callback) runs a `cycle` (leases, the SEC's rule, the feeds polled side
by side, unchanged feeds recorded together, outages watched); each feed is one story in `feed`
(fetch -> parse -> classify -> build alerts -> commit); `alerts` turns new stories into outbox
rows (pure); `health` decides what a poll's outcome means for the feed (pure); `outage` tells
our network's failures from the feeds'; `notices` tells people through the outbox.
"""
