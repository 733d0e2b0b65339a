"""Writes on events. Each service checks the policy itself (views have already answered 404
for what the user may not see), runs in one transaction and records an ``Activity`` row in it.

Every change a calendar application must notice bumps ``sequence`` (when times, rule or
status change) and ``updated_at`` (always): feeds derive LAST-MODIFIED and their ETag from it.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from communities import permissions
from communities.models import Community, Membership, Notification
from communities.notifications import notify
from communities.services import activity_record
from events import ical, tasks
from events.app_settings import app_settings
from events.models import RSVP, CalendarFeed, CalendarImport, Event, Occurrence
from events.recurrence import (
    FIRST_YEAR,
    LAST_YEAR,
    exdate_key,
    from_local_naive,
    in_range,
    to_local_naive,
)
from portal.core.tokens import token_issue, unusable_hash

VERB_CREATED = "event.created"
VERB_UPDATED = "event.updated"
VERB_CANCELLED = "event.cancelled"
VERB_OCCURRENCE_CHANGED = "event.occurrence_changed"
VERB_RSVP = "event.rsvp"
VERB_IMPORTED = "event.imported"
VERB_INVITED = "event.invited"
NOTIFICATION_INVITED = "event.invited"
NOTIFICATION_CHANGED = "event.changed"

# What events write to the floor's activity stream and notifications, with their labels
# (registered in EventsConfig.ready: the floor does not list them).
VERBS = {
    VERB_CREATED: gettext_lazy("added an event"),
    VERB_UPDATED: gettext_lazy("updated an event"),
    VERB_CANCELLED: gettext_lazy("cancelled an event"),
    VERB_OCCURRENCE_CHANGED: gettext_lazy("changed a date of an event"),
    VERB_RSVP: gettext_lazy("answered an event"),
    VERB_IMPORTED: gettext_lazy("imported a calendar"),
    VERB_INVITED: gettext_lazy("invited people to an event"),
}
NOTIFICATION_KINDS = {
    NOTIFICATION_INVITED: gettext_lazy("invites you to an event"),
    NOTIFICATION_CHANGED: gettext_lazy("changed an event you were invited to"),
}

# Fields whose change makes calendar applications replace their copy (RFC 5545 SEQUENCE).
SIGNIFICANT = ("start", "end", "tz", "all_day", "freq", "interval", "until", "count", "status")
EDITABLE = (
    "title",
    "description",
    "location",
    "online_url",
    "start",
    "end",
    "tz",
    "all_day",
    "capacity",
    "freq",
    "interval",
    "until",
    "count",
)


@dataclass(frozen=True)
class Schedule:
    """What a person types: local date and times in a zone, or whole days."""

    start: datetime.datetime  # aware
    end: datetime.datetime  # aware (exclusive next midnight for all-day events)
    tz: str
    all_day: bool = False


def schedule_from_local(
    *,
    tz: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    all_day: bool = False,
) -> Schedule:
    """Aware start and end from the local values of a form, or ValidationError."""
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone.")) from None
    end_date = end_date or start_date
    if not (in_range(start_date) and in_range(end_date)):
        raise ValidationError(out_of_range_message())
    if all_day:
        start = from_local_naive(datetime.datetime.combine(start_date, datetime.time(0)), zone)
        end = from_local_naive(
            datetime.datetime.combine(end_date + datetime.timedelta(days=1), datetime.time(0)),
            zone,
        )
    else:
        if start_time is None or end_time is None:
            raise ValidationError(_("Give a start and an end time, or tick “all day”."))
        start = from_local_naive(datetime.datetime.combine(start_date, start_time), zone)
        end = from_local_naive(datetime.datetime.combine(end_date, end_time), zone)
    return Schedule(start=start, end=end, tz=tz, all_day=all_day)


def out_of_range_message() -> str:
    return _("Dates must fall between the years %(first)s and %(last)s.") % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def _warm_later(pks: list[int]) -> None:
    """Feeds find changed events already serialised: a worker does it once the change is
    committed (never for a change that was rolled back)."""
    transaction.on_commit(lambda: tasks.warm_feed_fragments.delay(list(pks)))


def _validate(event: Event) -> None:
    errors: dict[str, str] = {}
    if not event.title.strip():
        errors["title"] = _("An event needs a title.")
    if not in_range(event.start, event.tz):
        # Checked first: the other checks compute with the dates.
        raise ValidationError({"start": out_of_range_message()})
    if event.end < event.start:
        errors["end"] = _("The event ends before it starts.")
    elif event.end - event.start > datetime.timedelta(days=366):
        errors["end"] = _("An event lasts a year at most.")
    if event.online_url and not event.online_url.lower().startswith(("https://", "http://")):
        errors["online_url"] = _("The meeting link must start with https://.")
    if event.freq:
        if event.freq not in Event.Frequency.values:
            errors["freq"] = _("Unknown repeat.")
        if not 1 <= event.interval <= 366:
            errors["interval"] = _("Repeat every 1 to 366 periods.")
        if event.count is not None and not 1 <= event.count <= app_settings.MAX_COUNT:
            errors["count"] = _("A series repeats at most %(limit)s times.") % {
                "limit": app_settings.MAX_COUNT
            }
        if event.until is not None and not in_range(event.until, event.tz):
            raise ValidationError({"until": out_of_range_message()})
        if event.until is not None and event.until < event.start:
            errors["until"] = _("The series ends before its first occurrence.")
        if not errors and not event.has_occurrence():
            errors["freq"] = _("This series has no occurrence.")
    else:
        event.interval, event.count, event.until, event.exdates = 1, None, None, []
    if event.capacity is not None and event.capacity < 1:
        errors["capacity"] = _("Leave places empty for no limit.")
    if errors:
        raise ValidationError(errors)


def _clean_text(event: Event) -> None:
    event.title = " ".join(event.title.split())[:200]
    event.location = " ".join(event.location.split())[:200]
    event.description = event.description.strip()[:5000]
    event.online_url = event.online_url.strip()


@transaction.atomic
def event_create(
    *,
    acting_user: Any,
    community: Community,
    title: str,
    schedule: Schedule,
    description: str = "",
    location: str = "",
    online_url: str = "",
    capacity: int | None = None,
    freq: str = "",
    interval: int = 1,
    until: datetime.datetime | None = None,
    count: int | None = None,
) -> Event:
    """Add an event (or a series) to a community's calendar."""
    if not permissions.can(acting_user, permissions.ADD_EVENT, community):
        raise PermissionDenied("add event")
    event = Event(
        community=community,
        title=title,
        description=description,
        location=location,
        online_url=online_url,
        start=schedule.start,
        end=schedule.end,
        tz=schedule.tz,
        all_day=schedule.all_day,
        capacity=capacity,
        freq=freq or "",
        interval=interval or 1,
        until=until,
        count=count,
        created_by=acting_user,
    )
    _clean_text(event)
    _validate(event)
    event.save()
    _warm_later([event.pk])
    activity_record(community=community, actor=acting_user, verb=VERB_CREATED, target=event)
    return event


def _shift_keys(event: Event, old_start: datetime.datetime, old_tz: str) -> None:
    """Keep answers, exceptions and changed occurrences attached to the same occurrences
    when a series (or a one-off event) moves: each key moves by the same *local* amount."""
    if old_start == event.start and old_tz == event.tz:
        return
    old_zone, new_zone = zoneinfo.ZoneInfo(old_tz), zoneinfo.ZoneInfo(event.tz)
    delta = to_local_naive(event.start, new_zone) - to_local_naive(old_start, old_zone)

    def moved(value: datetime.datetime) -> datetime.datetime:
        return from_local_naive(to_local_naive(value, old_zone) + delta, new_zone)

    event.exdates = [exdate_key(moved(datetime.datetime.fromisoformat(v))) for v in event.exdates]
    for override in event.overrides.all():
        override.original_start = moved(override.original_start)
        override.save(update_fields=["original_start"])
    for rsvp in RSVP.objects.filter(event=event):
        rsvp.occurrence_start = moved(rsvp.occurrence_start)
        rsvp.save(update_fields=["occurrence_start"])


@transaction.atomic
def event_update(
    *, acting_user: Any, event: Event, schedule: Schedule | None = None, **fields: Any
) -> Event:
    """Change the whole event or series."""
    if not permissions.can_change_event(acting_user, event):
        raise PermissionDenied("change event")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = {name: getattr(event, name) for name in SIGNIFICANT}
    old_start, old_tz = event.start, event.tz
    if schedule is not None:
        fields.update(
            start=schedule.start, end=schedule.end, tz=schedule.tz, all_day=schedule.all_day
        )
    for name, value in fields.items():
        setattr(event, name, value)
    event.freq = event.freq or ""
    _clean_text(event)
    _validate(event)
    _shift_keys(event, old_start, old_tz)
    significant = any(getattr(event, name) != value for name, value in before.items())
    if significant:
        event.sequence += 1
    event.updated_at = timezone.now()
    event.save()
    _warm_later([event.pk])
    activity_record(community=event.community, actor=acting_user, verb=VERB_UPDATED, target=event)
    if significant:
        _notify_changed(event, acting_user)
    return event


def _notify_changed(event: Event, acting_user: Any) -> None:
    """Tell the invitees (those told of the invitation, and those who answered yes or maybe)
    that the date, time, repetition or status of the event changed; never the person who
    changed it (``notify`` leaves the actor out)."""
    url = reverse("events:detail", args=[event.pk])
    invited = Notification.objects.filter(kind=NOTIFICATION_INVITED, url=url).values("user_id")
    answered = RSVP.objects.filter(
        event=event, answer__in=[RSVP.Answer.YES, RSVP.Answer.MAYBE]
    ).values("user_id")
    notify(
        users=get_user_model().objects.filter(Q(pk__in=invited) | Q(pk__in=answered)),
        kind=NOTIFICATION_CHANGED,
        actor=acting_user,
        community=event.community,
        title=event.title,
        url=url,
    )


def _check_occurrence(event: Event, original_start: datetime.datetime) -> None:
    if not event.is_recurring:
        raise ValidationError(_("This event does not repeat."))
    if not in_range(original_start, event.tz):
        raise ValidationError(_("This occurrence is not part of the series."))
    # A skipped date stays part of the series (it can be given back its own times).
    found = event.occurrences(
        original_start, original_start + datetime.timedelta(seconds=1), skip_excluded=False
    )
    if original_start not in found:
        raise ValidationError(_("This occurrence is not part of the series."))


@transaction.atomic
def occurrence_update(
    *,
    acting_user: Any,
    event: Event,
    original_start: datetime.datetime,
    schedule: Schedule,
    title: str,
    description: str = "",
    location: str = "",
) -> Occurrence:
    """Change one occurrence of a series ("this occurrence only")."""
    if not permissions.can_change_event(acting_user, event):
        raise PermissionDenied("change event")
    _check_occurrence(event, original_start)
    title = " ".join(title.split())[:200]
    if not title:
        raise ValidationError({"title": _("An event needs a title.")})
    if not in_range(schedule.start, schedule.tz):
        raise ValidationError({"start": out_of_range_message()})
    if schedule.end < schedule.start:
        raise ValidationError({"end": _("The event ends before it starts.")})
    if schedule.end - schedule.start > datetime.timedelta(days=366):
        raise ValidationError({"end": _("An event lasts a year at most.")})
    override, _created = Occurrence.objects.update_or_create(
        event=event,
        original_start=original_start,
        defaults={
            "start": schedule.start,
            "end": schedule.end,
            "title": title,
            "description": description.strip()[:5000],
            "location": " ".join(location.split())[:200],
            "cancelled": False,
            "updated_at": timezone.now(),
        },
    )
    _touch(event)
    activity_record(
        community=event.community, actor=acting_user, verb=VERB_OCCURRENCE_CHANGED, target=event
    )
    return override


def _touch(event: Event, *, significant: bool = True) -> None:
    event.updated_at = timezone.now()
    fields = ["updated_at"]
    if significant:
        event.sequence += 1
        fields.append("sequence")
    event.save(update_fields=fields)
    _warm_later([event.pk])


@transaction.atomic
def event_cancel(
    *, acting_user: Any, event: Event, occurrence_start: datetime.datetime | None = None
) -> Event:
    """Cancel the event (or series), or one occurrence of a series. A cancelled event is
    kept and shown as cancelled; calendar applications receive STATUS:CANCELLED."""
    if not permissions.can_change_event(acting_user, event):
        raise PermissionDenied("cancel event")
    if occurrence_start is None:
        if event.is_cancelled:
            return event
        event.status = Event.Status.CANCELLED
        event.sequence += 1
        event.updated_at = timezone.now()
        event.save(update_fields=["status", "sequence", "updated_at"])
        _warm_later([event.pk])
        _notify_changed(event, acting_user)
    else:
        _check_occurrence(event, occurrence_start)
        duration = event.end - event.start
        Occurrence.objects.update_or_create(
            event=event,
            original_start=occurrence_start,
            defaults={
                "cancelled": True,
                "updated_at": timezone.now(),
            },
            create_defaults={
                "start": occurrence_start,
                "end": occurrence_start + duration,
                "title": event.title,
                "location": event.location,
                "description": event.description,
                "cancelled": True,
                "updated_at": timezone.now(),
            },
        )
        _touch(event)
    activity_record(community=event.community, actor=acting_user, verb=VERB_CANCELLED, target=event)
    return event


@transaction.atomic
def rsvp_set(
    *,
    acting_user: Any,
    event: Event,
    answer: str,
    occurrence_start: datetime.datetime | None = None,
) -> RSVP:
    """Answer yes / maybe / no for one occurrence (the event itself when it does not
    repeat). A full event takes no more "yes"."""
    if not permissions.can(acting_user, permissions.RSVP, event.community):
        raise PermissionDenied("rsvp")
    if answer not in RSVP.Answer.values:
        raise ValidationError(_("Answer yes, maybe or no."))
    if event.is_cancelled:
        raise ValidationError(_("This event is cancelled."))
    if occurrence_start is None or not event.is_recurring:
        occurrence_start = event.start
    else:
        _check_occurrence(event, occurrence_start)
        if event.overrides.filter(original_start=occurrence_start, cancelled=True).exists():
            raise ValidationError(_("This occurrence is cancelled."))
    if answer == RSVP.Answer.YES and event.capacity:
        Event.objects.select_for_update().filter(pk=event.pk).first()
        taken = (
            RSVP.objects.filter(
                event=event, occurrence_start=occurrence_start, answer=RSVP.Answer.YES
            )
            .exclude(user=acting_user)
            .count()
        )
        if taken >= event.capacity:
            raise ValidationError(_("This event is full."))
    rsvp, _created = RSVP.objects.update_or_create(
        event=event,
        occurrence_start=occurrence_start,
        user=acting_user,
        defaults={"answer": answer, "answered_at": timezone.now()},
    )
    activity_record(community=event.community, actor=acting_user, verb=VERB_RSVP, target=event)
    return rsvp


@transaction.atomic
def event_invite_members(*, acting_user: Any, event: Event) -> int:
    """ "Invite all members": one e-mail to every active member and guest of the community
    (not the sender), in their language. Returns how many were invited."""
    if not permissions.can_change_event(acting_user, event) or event.is_cancelled:
        raise PermissionDenied("invite")
    user_ids = list(
        Membership.objects.filter(permissions.active_membership_q(), community=event.community)
        .exclude(user=acting_user)
        .values_list("user_id", flat=True)
    )
    # Each member is told by the channel they chose for "an event invitation or change"; those
    # told by e-mail get events/email/invitation (invitation_email).
    activity_record(community=event.community, actor=acting_user, verb=VERB_INVITED, target=event)
    notify(
        users=get_user_model().objects.filter(pk__in=user_ids),
        kind=NOTIFICATION_INVITED,
        actor=acting_user,
        community=event.community,
        title=event.title,
        url=reverse("events:detail", args=[event.pk]),
    )
    return len(user_ids)


def invitation_email(notification: Notification) -> tuple[str, dict[str, Any]] | None:
    """The e-mail of an event invitation (registered with the floor in ``EventsConfig.ready``)."""
    event = _event_of(notification)
    if event is None or event.is_cancelled:
        return None
    return "events/email/invitation", {
        "event_title": event.title,
        "community_name": event.community.name,
        "inviter": notification.actor.name if notification.actor else "",
        "event_path": notification.url,
    }


def _event_of(notification: Notification) -> Event | None:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(notification.url)
    except Resolver404:
        return None
    if match.view_name != "events:detail":
        return None
    return Event.objects.select_related("community").filter(pk=match.kwargs["pk"]).first()


# --- Subscription feeds -----------------------------------------------------------------


@transaction.atomic
def feed_create(
    *, acting_user: Any, community: Community | None = None
) -> tuple[CalendarFeed, str]:
    """A private feed (all my communities, or one): returns the feed and its token, which is
    never stored and so cannot be shown again."""
    if not getattr(acting_user, "is_authenticated", False) or not acting_user.is_active:
        raise PermissionDenied("feed")
    if community is not None and not permissions.can(acting_user, permissions.VIEW, community):
        raise PermissionDenied("feed")
    token, hashed = token_issue()
    feed = CalendarFeed.objects.create(user=acting_user, community=community, token_hash=hashed)
    log(instance=feed, action="events.feed_create", user=acting_user)
    return feed, token


@transaction.atomic
def feed_rotate(*, acting_user: Any, feed: CalendarFeed) -> str:
    """A new token for the same feed; the old URL stops working at once."""
    if feed.user_id != acting_user.pk or not feed.is_active:
        raise PermissionDenied("feed")
    token, hashed = token_issue()
    feed.token_hash = hashed
    feed.rotated_at = timezone.now()
    feed.save(update_fields=["token_hash", "rotated_at"])
    log(instance=feed, action="events.feed_rotate", user=acting_user)
    return token


@transaction.atomic
def feed_revoke(*, acting_user: Any, feed: CalendarFeed) -> CalendarFeed:
    if feed.user_id != acting_user.pk:
        raise PermissionDenied("feed")
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        # A revoked feed keeps no usable hash: nothing could ever match it again.
        feed.token_hash = unusable_hash(str(feed.pk))
        feed.save(update_fields=["revoked_at", "token_hash"])
        log(instance=feed, action="events.feed_revoke", user=acting_user)
    return feed


FEED_TOUCH_INTERVAL = datetime.timedelta(hours=1)


def feed_touch(*, feed: CalendarFeed) -> None:
    """Note when a feed was last fetched (at most once an hour: no write per fetch)."""
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > FEED_TOUCH_INTERVAL:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)


# --- Import -----------------------------------------------------------------------------


def import_upload(
    *, acting_user: Any, community: Community, file_name: str, data: bytes
) -> tuple[CalendarImport, list[ical.ImportedEvent]]:
    """Check an uploaded file and keep it for confirmation; ``ical.ImportRefused`` (and
    nothing stored) when it cannot be imported."""
    if not permissions.can(acting_user, permissions.MANAGE_EVENTS, community):
        raise PermissionDenied("import")
    found = ical.parse_calendar(data, default_tz=acting_user.timezone)
    pending = CalendarImport.objects.create(
        community=community,
        uploaded_by=acting_user,
        file_name=file_name[:200],
        data=data.decode("utf-8-sig"),
    )
    return pending, found


IMPORT_FIELDS = (
    "title",
    "description",
    "location",
    "online_url",
    "start",
    "end",
    "tz",
    "all_day",
    "freq",
    "interval",
    "until",
    "count",
    "exdates",
    "status",
)


@transaction.atomic
def import_confirm(*, acting_user: Any, pending: CalendarImport) -> tuple[int, int]:
    """Import every event of the file, or none: (created, updated). Events are matched by
    UID within the community, so importing the same file again updates them."""
    community = pending.community
    if (
        not permissions.can(acting_user, permissions.MANAGE_EVENTS, community)
        or pending.uploaded_by_id != acting_user.pk
    ):
        raise PermissionDenied("import")
    if pending.imported_at is not None:
        raise ValidationError(_("This file was already imported."))
    found = ical.parse_calendar(pending.data.encode(), default_tz=acting_user.timezone)
    existing = {
        e.uid: e for e in Event.objects.filter(community=community, uid__in=[f.uid for f in found])
    }
    now = timezone.now()
    new: list[Event] = []
    changed: list[Event] = []
    pairs: list[tuple[Event, ical.ImportedEvent]] = []
    for item in found:
        values = {
            "title": item.title,
            "description": item.description,
            "location": item.location,
            "online_url": item.online_url,
            "start": item.start,
            "end": item.end,
            "tz": item.tz,
            "all_day": item.all_day,
            "freq": item.freq,
            "interval": item.interval,
            "until": item.until,
            "count": item.count,
            "exdates": item.exdates,
            "status": Event.Status.CANCELLED if item.cancelled else Event.Status.CONFIRMED,
        }
        event = existing.get(item.uid)
        if event is None:
            event = Event(community=community, uid=item.uid, created_by=acting_user, **values)
            new.append(event)
        else:
            significant = any(getattr(event, k) != v for k, v in values.items() if k in SIGNIFICANT)
            for key, value in values.items():
                setattr(event, key, value)
            if significant:
                event.sequence += 1
            changed.append(event)
        event.updated_at = now
        _clean_text(event)
        _validate(event)
        pairs.append((event, item))
    # A few statements whatever the size of the file (up to IMPORT_MAX_COMPONENTS events).
    Event.objects.bulk_create(new, batch_size=500)
    Event.objects.bulk_update(changed, [*IMPORT_FIELDS, "sequence", "updated_at"], batch_size=500)
    Occurrence.objects.filter(event__in=changed).delete()
    Occurrence.objects.bulk_create(
        (
            Occurrence(
                event=event,
                original_start=o.original_start,
                start=o.start,
                end=o.end,
                title=o.title[:200],
                description=o.description,
                location=o.location,
                cancelled=o.cancelled,
                updated_at=now,
            )
            for event, item in pairs
            for o in item.overrides
        ),
        batch_size=500,
    )
    created, updated = len(new), len(changed)
    _warm_later([event.pk for event, _item in pairs])
    pending.imported_at = now
    pending.save(update_fields=["imported_at"])
    log(
        instance=pending,
        action="events.import",
        user=acting_user,
        data={"created": created, "updated": updated, "file": pending.file_name},
    )
    activity_record(community=community, actor=acting_user, verb=VERB_IMPORTED)
    return created, updated


@transaction.atomic
def rsvp_withdraw_upcoming(*, user: Any, community: Community) -> int:
    """Withdraw ``user``'s answers to the coming occurrences of ``community``'s events once
    they may no longer answer there (their membership ended): a "yes" no longer holds a
    seat, and the organisers no longer count them. Past answers stay as the record of who
    came. Returns how many answers were withdrawn."""
    if permissions.can(user, permissions.RSVP, community):
        return 0
    deleted, _per_model = RSVP.objects.filter(
        user=user.pk, event__community=community, occurrence_start__gte=timezone.now()
    ).delete()
    return deleted


def on_membership_ended(ended: Any) -> None:
    """The floor's membership-ended hook (registered in ``EventsConfig.ready``)."""
    membership = ended.membership
    rsvp_withdraw_upcoming(user=membership.user, community=membership.community)
