"""Conversations settings with their defaults (override ``CONVERSATIONS_<NAME>`` in Django
settings; ``base.py`` reads the environment for the ones an operator sets, README
"Configuration")."""

from portal.core.app_settings import AppSettings, Setting


class ConversationsSettings(AppSettings):
    prefix = "CONVERSATIONS_"
    # A direct or group message (or a mention in a community chat) still unread this many
    # minutes after it was sent becomes a notification under the bell and, by the person's
    # preferences, an e-mail at once or a line in their digest (conversations/notifications.py).
    NOTIFY_AFTER_MINUTES: int = Setting(10)
    # The same for people who chose push for direct messages (or mentions): a phone is told
    # sooner than a mailbox (beat runs the notifier every minute).
    NOTIFY_PUSH_AFTER_MINUTES: int = Setting(1)
    # Messages older than this are never notified of any more (a scheduler that was down for
    # days does not send a flood of stale e-mails when it comes back).
    NOTIFY_LOOKBACK_HOURS: int = Setting(48)
    # Seats (a person in a conversation) handled per run; the rest waits for the next minute.
    NOTIFY_BATCH: int = Setting(500)
    # Sending limits: messages one person may send (in all conversations), and messages one
    # conversation may receive (from everyone), per window. Beyond, the sender is told to
    # wait and keeps the text (conversations/services.py).
    RATE_PER_PERSON: int = Setting(30)
    RATE_PER_CONVERSATION: int = Setting(120)
    RATE_WINDOW_SECONDS: int = Setting(60)


app_settings = ConversationsSettings()
