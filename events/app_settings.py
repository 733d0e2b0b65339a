"""Events settings with their defaults (override ``EVENTS_<NAME>`` in Django settings)."""

from portal.core.app_settings import AppSettings, Setting


class EventsSettings(AppSettings):
    prefix = "EVENTS_"
    # An uploaded .ics file: at most this many bytes and this many components (VEVENT…).
    IMPORT_MAX_BYTES: int = Setting(1024 * 1024)
    IMPORT_MAX_COMPONENTS: int = Setting(5000)
    # A series repeats at most this many times (COUNT), whether typed in or imported.
    MAX_COUNT: int = Setting(1000)


app_settings = EventsSettings()
