"""The Telegram bot: formats retrieval results as chat messages and routes updates to them.

`app` builds and runs the bot, `handlers` holds one handler per kind of update (`inline` the
inline mode's), reading updates with `updates` and building replies with `replies`;
`formatting` turns treaty text into Telegram HTML within the size limit, `keyboards` and `texts`
hold the buttons and the bot's own words. Around them: `delivery` (long polling that confirms an
update only once it is handled), `network` (retries, Telegram's rate limits), `flood`
(per-user flood control), `activity` (/stats counters, pseudonymous logs) and `reloading` (a
rebuilt index picked up while running). Retrieval knows nothing of Telegram.
"""
