"""Events settings, read once with their defaults."""

from django.conf import settings

# An uploaded .ics file: at most this many bytes and this many components (VEVENT, VTIMEZONE…).
IMPORT_MAX_BYTES: int = getattr(settings, "EVENTS_IMPORT_MAX_BYTES", 1024 * 1024)
IMPORT_MAX_COMPONENTS: int = getattr(settings, "EVENTS_IMPORT_MAX_COMPONENTS", 5000)
# A series repeats at most this many times (COUNT), whether typed in or imported.
MAX_COUNT: int = getattr(settings, "EVENTS_MAX_COUNT", 1000)
