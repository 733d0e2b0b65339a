"""The core every Parvis app may import: it imports nothing of ours (import-linter checks it).

Mail, HTTP helpers, pagination, fragments, the fail-soft cache, private files, middleware,
widgets, date formats and the outbox of tasks the broker refused (app label ``portal``, kept
from before the split so its table and migrations stay as they were).
"""
