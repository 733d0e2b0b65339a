"""Community events: one-off or recurring, per-occurrence changes, answers, private feeds.

Times are stored as aware datetimes (UTC in the database) together with the event's own time
zone name: a series repeats at the same *local* time in that zone, across daylight-saving
changes, so occurrences are computed in the event's zone and only then converted.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from events import recurrence


def new_uid() -> str:
    """A UID that stays the same for the life of the event (RFC 5545 §3.8.4.7)."""
    return f"{uuid.uuid4().hex}@parvis"


class Event(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    class Frequency(models.TextChoices):
        NONE = "", _("Does not repeat")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="events", verbose_name=_("community")
    )
    uid = models.CharField(max_length=255, default=new_uid)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    tz = models.CharField(_("time zone"), max_length=64)
    # An all-day event starts at local midnight and ends at the (exclusive) next midnight.
    all_day = models.BooleanField(_("all day"), default=False)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    freq = models.CharField(
        _("repeats"), max_length=10, choices=Frequency.choices, default="", blank=True
    )
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    count = models.PositiveIntegerField(_("occurrences"), null=True, blank=True)
    # Original starts (UTC, ISO 8601) of occurrences taken out of the series.
    exdates = models.JSONField(default=list, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Changes whenever the event, one of its occurrences, or its status changes: feeds use
    # it for LAST-MODIFIED and their ETag.
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(fields=["community", "uid"], name="one_uid_per_community"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["community", "start"], name="event_agenda")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_recurring(self) -> bool:
        return bool(self.freq)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def author_id(self) -> int | None:
        return self.created_by_id

    def occurrences(
        self,
        window_start: datetime.datetime,
        window_end: datetime.datetime,
        *,
        limit: int = recurrence.MAX_OCCURRENCES,
        skip_excluded: bool = True,
    ) -> list[datetime.datetime]:
        """The one way to expand this event: the original starts (UTC) of its occurrences
        that overlap ``[window_start, window_end)`` while they last (``end - start``), from
        its rule in its own time zone, the skipped dates left out unless ``skip_excluded``
        is off, at most ``limit``. Overrides (moved or changed occurrences) are the
        selectors' business (``events.selectors.expand``)."""
        return recurrence.occurrence_starts(
            start=self.start,
            tz=self.tz,
            freq=self.freq,
            interval=self.interval,
            until=self.until,
            count=self.count,
            exdates=self.exdates if skip_excluded else (),
            window_start=window_start,
            window_end=window_end,
            duration=self.end - self.start,
            limit=limit,
        )

    def has_occurrence(self) -> bool:
        """Whether the series produces an occurrence at all (within ten years)."""
        return recurrence.has_occurrence(
            start=self.start,
            tz=self.tz,
            freq=self.freq,
            interval=self.interval,
            until=self.until,
            count=self.count,
            exdates=self.exdates,
        )


class Occurrence(models.Model):
    """One occurrence of a series changed on its own ("edit this occurrence"), keyed by the
    start it would have had (RFC 5545's RECURRENCE-ID)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="overrides")
    original_start = models.DateTimeField()
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    cancelled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("changed occurrence")
        verbose_name_plural = _("changed occurrences")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "original_start"], name="one_override_per_occurrence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.original_start:%Y-%m-%d %H:%M}"


class RSVP(models.Model):
    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        MAYBE = "maybe", _("Maybe")
        NO = "no", _("No")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    # The occurrence answered (its original start); the event's start for a one-off event.
    occurrence_start = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=5, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "occurrence_start", "user"], name="one_answer_per_occurrence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.answer} {self.event_id}"


class CalendarFeed(models.Model):
    """A private subscription URL: all of its owner's communities, or one. Only a SHA-256 of
    the token is stored; the token works only with this feed's id in the path, and the feed
    shows what its owner may see at the moment it is fetched."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"feed {self.pk} of {self.user_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CalendarImport(models.Model):
    """An uploaded .ics file waiting for its lead's confirmation (upload → preview →
    confirm). The text is parsed again on confirmation: nothing is trusted from the preview."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    data = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar import")
        verbose_name_plural = _("calendar imports")

    def __str__(self) -> str:
        return self.file_name
