"""The chat layer: PTB handlers, a few lines each, per command family.

`routes` is the one table of every command, button and message handled (and the command menu);
`context` the typed PTB context and the ways to answer; `gate` who may do what and which chat a
command changes; `keyboards` the inline keyboards. The work itself is done by the subscriptions
service (`bot.subscriptions`: what chats watch changes only there) and the store.
"""
