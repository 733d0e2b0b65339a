"""Guests settings with their defaults (override ``GUESTS_<NAME>`` in Django settings)."""

from portal.core.app_settings import AppSettings, Setting


class GuestsSettings(AppSettings):
    prefix = "GUESTS_"
    # Days an invitation link stays valid.
    INVITATION_DAYS: int = Setting(14)
    # Default length of a guest's access, in days, from the invitation.
    ACCESS_DAYS: int = Setting(90)
    # Sponsors are reminded this many days before a guest's access ends.
    REMINDER_DAYS: int = Setting(14)
    # Rows accepted in one CSV of bulk invitations.
    BULK_MAX_ROWS: int = Setting(2000)


app_settings = GuestsSettings()
