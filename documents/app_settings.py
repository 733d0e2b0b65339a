"""Documents settings with their defaults (override ``DOCUMENTS_<NAME>`` in Django settings)."""

from portal.core.app_settings import AppSettings, Setting


class DocumentsSettings(AppSettings):
    prefix = "DOCUMENTS_"
    MAX_UPLOAD_BYTES: int = Setting(100 * 1024 * 1024)
    # Reviewers who have not decided are reminded this many days before the due date.
    REMINDER_DAYS: int = Setting(2)
    # Served inline (a safe preview); everything else is an attachment. Not a setting.
    INLINE_TYPES = frozenset(
        {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}
    )


app_settings = DocumentsSettings()
