"""Documents settings, read once with their defaults."""

from django.conf import settings

MAX_UPLOAD_BYTES: int = getattr(settings, "DOCUMENTS_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
# Served inline (a safe preview); everything else is an attachment.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})
# Reviewers who have not decided are reminded this many days before the due date.
REMINDER_DAYS: int = getattr(settings, "DOCUMENTS_REMINDER_DAYS", 2)
