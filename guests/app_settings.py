"""Guests settings, read once with their defaults (override in Django settings)."""

from django.conf import settings

# Days an invitation link stays valid.
INVITATION_DAYS: int = getattr(settings, "GUESTS_INVITATION_DAYS", 14)
# Default length of a guest's access, in days, from the invitation.
ACCESS_DAYS: int = getattr(settings, "GUESTS_ACCESS_DAYS", 90)
# Sponsors are reminded this many days before a guest's access ends.
REMINDER_DAYS: int = getattr(settings, "GUESTS_REMINDER_DAYS", 14)
# Rows accepted in one CSV of bulk invitations.
BULK_MAX_ROWS: int = getattr(settings, "GUESTS_BULK_MAX_ROWS", 2000)
