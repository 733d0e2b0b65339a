"""Communities settings with their defaults (override them in Django settings; base.py reads
the environment for the ones an operator sets, README "Configuration")."""

from portal.core.app_settings import AppSettings, Setting


class CommunitiesSettings(AppSettings):
    prefix = "COMMUNITIES_"
    # Reply by e-mail: the domain of the reply and community addresses ("" turns it off),
    # and how long a reply address stays valid.
    REPLY_DOMAIN: str = Setting("")
    REPLY_MAX_AGE_DAYS: int = Setting(30)
    # Digests: sent at this local hour of each person; skipped when the person was on the
    # site since the period began.
    DIGESTS_SEND_HOUR: int = Setting(7, name="DIGESTS_SEND_HOUR")
    DIGESTS_SKIP_IF_SEEN: bool = Setting(True, name="DIGESTS_SKIP_IF_SEEN")
    # A digest that fails this many times is marked failed.
    DIGESTS_MAX_ATTEMPTS: int = Setting(5, name="DIGESTS_MAX_ATTEMPTS")
    # A failed batch retries itself after RETRY_SECONDS, doubling up to RETRY_MAX_SECONDS.
    DIGESTS_RETRY_SECONDS: int = Setting(30, name="DIGESTS_RETRY_SECONDS")
    DIGESTS_RETRY_MAX_SECONDS: int = Setting(300, name="DIGESTS_RETRY_MAX_SECONDS")
    # A batch sends for this long, then the rest is a new task.
    DIGESTS_BATCH_SECONDS: int = Setting(120, name="DIGESTS_BATCH_SECONDS")
    # A digest claimed by a worker that died is handed out again after this long.
    DIGESTS_SENDING_LEASE: int = Setting(300, name="DIGESTS_SENDING_LEASE")
    DIGESTS_REQUEUE_SECONDS: int = Setting(1800, name="DIGESTS_REQUEUE_SECONDS")


app_settings = CommunitiesSettings()
