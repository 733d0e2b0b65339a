"""Notifications and how each person wants to hear about activity (services and selectors).

A notification is addressed to one person. It is shown under the bell while its community is
still readable by them (checked when read, not when written: a removed guest's notifications
disappear at once), and the same row drives the immediate e-mail for people who chose
"immediately", so the site and the mail never disagree. Upper apps (documents, events)
notify through :func:`notify`; communities never imports them.
"""

from __future__ import annotations

import base64
import datetime
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from communities import extensions, permissions
from communities.markup import excerpt
from communities.models import (
    Channel,
    Community,
    DigestPreference,
    Notification,
    NotificationChoice,
    Post,
)
from communities.replies import reply_address
from communities.selectors import communities_of
from portal.core import live
from portal.core import signing as signed
from portal.core.mail import send_templated_email

logger = logging.getLogger(__name__)

Frequency = DigestPreference.Frequency
UNSUBSCRIBE_SALT = "communities.unsubscribe"

# The rows of a person's channel choices (``NotificationChoice``): for each, push, e-mail at
# once, the digest or only the bell. Notification kinds name their topic when they are
# registered (``extensions.register_notification_kind(..., topic=...)``).
TOPICS: dict[str, Any] = {
    "message": gettext_lazy("A direct message"),
    "mention": gettext_lazy("A mention or a reply to me"),
    "review.request": gettext_lazy("A review request"),
    "review.decision": gettext_lazy("A decision on my review request"),
    "event": gettext_lazy("An event invitation or change"),
    "access.ending": gettext_lazy("A guest's access ending soon"),
}


# --- Preferences ----------------------------------------------------------------------------


def default_frequency(user: Any) -> str:
    """Internal people get a daily digest unless they chose otherwise; guests get none until
    they consent (when they accept their invitation, or on their settings page)."""
    return Frequency.OFF if permissions.is_guest_account(user) else Frequency.DAILY


def preferences_of(user: Any) -> tuple[str, dict[int, str]]:
    """(the account's frequency, {community id: frequency} overrides), in one query."""
    account = default_frequency(user)
    per_community: dict[int, str] = {}
    for community_id, frequency in DigestPreference.objects.filter(user=user.pk).values_list(
        "community_id", "frequency"
    ):
        if community_id is None:
            account = frequency
        else:
            per_community[community_id] = frequency
    return account, per_community


def frequency_for(user: Any, community: Community | None) -> str:
    account, per_community = preferences_of(user)
    if community is None:
        return account
    return per_community.get(community.pk, account)


@transaction.atomic
def preferences_set(
    *,
    acting_user: Any,
    account: str,
    per_community: Mapping[int, str | None] | None = None,
) -> None:
    """Set the account's frequency and, per community, an override (``None`` or the
    account's own value removes the override). Only communities the person belongs to."""
    valid = set(Frequency.values)
    if account not in valid:
        raise ValueError(account)
    DigestPreference.objects.update_or_create(
        user=acting_user, community=None, defaults={"frequency": account}
    )
    mine = set(communities_of(user=acting_user).values_list("pk", flat=True))
    for community_id, frequency in (per_community or {}).items():
        if community_id not in mine:
            continue
        if frequency in (None, "", account):
            DigestPreference.objects.filter(user=acting_user, community_id=community_id).delete()
        elif frequency in valid:
            DigestPreference.objects.update_or_create(
                user=acting_user, community_id=community_id, defaults={"frequency": frequency}
            )


# --- Channels: how a person hears of what is addressed to them ------------------------------

# Without a choice (no ``NotificationChoice`` row), a topic follows the digest frequency of
# the notification's community, except a guest's access ending, which is e-mailed.
_BY_FREQUENCY = {
    Frequency.IMMEDIATE: Channel.EMAIL,
    Frequency.DAILY: Channel.DIGEST,
    Frequency.WEEKLY: Channel.DIGEST,
    Frequency.OFF: Channel.NONE,
}
# What asks the person to act (a review, an event to answer, a guest's access to extend) was
# always e-mailed, digest or not, guests included: without a choice it still is.
_TOPIC_DEFAULTS = {
    "review.request": Channel.EMAIL,
    "event": Channel.EMAIL,
    "access.ending": Channel.EMAIL,
}


def default_channel(topic: str, frequency: str) -> str:
    """The channel of a topic the person made no choice for, given their digest frequency
    for the notification's community."""
    return _TOPIC_DEFAULTS.get(topic) or _BY_FREQUENCY.get(frequency, Channel.NONE)


def choices_of(user: Any) -> dict[str, str]:
    """{topic: channel} the person chose (topics without a row follow their default)."""
    return dict(NotificationChoice.objects.filter(user=user.pk).values_list("topic", "channel"))


@transaction.atomic
def choices_set(*, acting_user: Any, choices: Mapping[str, str | None]) -> None:
    """Set the person's channel per topic; ``None`` or "" removes the choice (the default
    applies again). Unknown topics and channels are refused."""
    for topic, channel in choices.items():
        if topic not in TOPICS:
            raise ValueError(topic)
        if not channel:
            NotificationChoice.objects.filter(user=acting_user, topic=topic).delete()
        elif channel in Channel.values:
            NotificationChoice.objects.update_or_create(
                user=acting_user, topic=topic, defaults={"channel": channel}
            )
        else:
            raise ValueError(channel)


@transaction.atomic
def quiet_hours_set(
    *, acting_user: Any, start: datetime.time | None, end: datetime.time | None
) -> None:
    """No push between ``start`` and ``end`` (the person's own time zone; start after end
    spans midnight); both ``None`` turns quiet hours off."""
    if (start is None) != (end is None) or (start is not None and start == end):
        raise ValueError("quiet hours need two different times, or none")
    acting_user.quiet_hours_start, acting_user.quiet_hours_end = start, end
    acting_user.save(update_fields=["quiet_hours_start", "quiet_hours_end"])


def channels_for(users: Iterable[Any], kind: str, community: Community | None) -> dict[int, str]:
    """{user id: channel} for a notification of ``kind`` in ``community`` — the one decision
    point of "how is each person told" (the bell always lists it). "" for a kind without a
    topic (it keeps the behaviour it had before channels: no push, its own e-mail). Two
    queries for any number of people: their choices, then the digest frequencies of those
    without one."""
    people = {getattr(p, "pk", p): p for p in users}
    topic = extensions.notification_topic(kind)
    if topic is None or not people:
        return dict.fromkeys(people, "")
    channels = dict(
        NotificationChoice.objects.filter(user__in=list(people), topic=topic).values_list(
            "user_id", "channel"
        )
    )
    missing = [pk for pk in people if pk not in channels]
    if not missing:
        return channels
    if topic in _TOPIC_DEFAULTS:
        channels.update(dict.fromkeys(missing, _TOPIC_DEFAULTS[topic]))
        return channels
    account: dict[int, str] = {}
    override: dict[int, str] = {}
    scope = Q(community__isnull=True)
    if community is not None:
        scope |= Q(community=community.pk)
    for user_id, community_id, frequency in DigestPreference.objects.filter(
        scope, user__in=missing
    ).values_list("user_id", "community_id", "frequency"):
        (account if community_id is None else override)[user_id] = frequency
    for pk in missing:
        frequency = override.get(pk) or account.get(pk) or default_frequency(people[pk])
        channels[pk] = default_channel(topic, frequency)
    return channels


def channel_for(user: Any, kind: str, community: Community | None) -> str:
    """The channel of one person for a notification of ``kind`` (see :func:`channels_for`)."""
    return channels_for([user], kind, community)[user.pk]


# Signed ids, canonical only: "1.0", never "01.0", "1.00", "¹.0" or full-width digits.
_UNSUBSCRIBE_IDS = re.compile(r"([1-9][0-9]*)\.(0|[1-9][0-9]*)", re.ASCII)
_LEGACY_UNSUBSCRIBE = re.compile(r"([1-9][0-9]*\.(?:0|[1-9][0-9]*))\.([A-Za-z0-9_-]{22})", re.ASCII)


def unsubscribe_token(user: Any, community: Community | None = None) -> str:
    """A signed, cookie-free token for the one-click unsubscribe link of one person (and
    one community, or every digest): ``<user>.<community or 0>.<signature>``, signed with
    ``django.core.signing`` (salted; still valid after a key rotation while the old key is
    in ``SECRET_KEY_FALLBACKS``). A digest carries one per community, so it is a plain
    signed value rather than a signed JSON document."""
    community_id = community.pk if community else 0
    return signed.sign(f"{user.pk}.{community_id}", salt=UNSUBSCRIBE_SALT)


def _legacy_unsubscribe_value(token: str) -> str | None:
    """The ids of a link sent before issue 15 (a hand-made HMAC), checked with every key;
    README "Digests" says how long these are accepted."""
    match = _LEGACY_UNSUBSCRIBE.fullmatch(token)
    if match is None:
        return None
    value, mac = match.groups()
    if signed.legacy_mac_matches(value, mac, key_salt=UNSUBSCRIBE_SALT, encode=_legacy_encode):
        return value
    return None


def _legacy_encode(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def unsubscribe_url(user: Any, community: Community | None = None) -> str:
    return reverse("communities:unsubscribe", args=[unsubscribe_token(user, community)])


def unsubscribe_read(token: str) -> tuple[Any, Community | None]:
    """The person and community a token names, or Http404 for a bad, tampered or
    non-canonical token (never an error: anyone may send anything here)."""
    from django.contrib.auth import get_user_model

    value = signed.unsign(token, salt=UNSUBSCRIBE_SALT) or _legacy_unsubscribe_value(token)
    match = _UNSUBSCRIBE_IDS.fullmatch(value or "")
    if match is None:
        raise Http404
    user_id, community_id = int(match.group(1)), int(match.group(2))
    user = get_user_model().objects.filter(pk=user_id).first()
    community = Community.objects.filter(pk=community_id).first() if community_id else None
    if user is None or (community_id and community is None):
        raise Http404
    return user, community


@transaction.atomic
def unsubscribe(*, user: Any, community: Community | None) -> None:
    """Stop digests (and immediate mails about activity) for one community or all."""
    DigestPreference.objects.update_or_create(
        user=user, community=community, defaults={"frequency": Frequency.OFF}
    )
    if community is None:  # "all digests" also clears the per-community choices
        DigestPreference.objects.filter(user=user, community__isnull=False).delete()


# --- Notifications --------------------------------------------------------------------------

# The live event on a person's own topic (``user:<id>``) when their unread count may have
# changed; communities/live.py computes the count for them at delivery.
BELL_CHANGED = "notifications.changed"


def bell_changed(users: Iterable[Any]) -> None:
    """Tell these people's open pages that their bell changed, once the transaction commits."""
    for pk in sorted({getattr(person, "pk", person) for person in users}):
        live.publish(live.topic("user", pk), BELL_CHANGED)


def notify(
    *,
    users: Iterable[Any],
    kind: str,
    actor: Any,
    title: str,
    url: str,
    community: Community | None = None,
    post: Post | None = None,
    send_email: bool = True,
) -> list[Notification]:
    """Write one notification per person (never to the actor), in the caller's transaction,
    each with the channel it is told by (:func:`channels_for`, decided once, here). Once it
    commits, ``email`` rows are e-mailed and ``push`` rows pushed (each task checks again
    that the person may still see it). ``send_email=False``: the caller e-mails the
    ``email`` rows itself (conversations quote the messages and take replies)."""
    people = [
        person
        for person in {p.pk: p for p in users}.values()
        if person.pk != getattr(actor, "pk", None) and person.is_active
    ]
    if not people:
        return []
    channels = channels_for(people, kind, community)
    rows = [
        Notification(
            user=person,
            kind=kind,
            actor=actor if getattr(actor, "pk", None) else None,
            community=community,
            title=excerpt(title, 200),
            url=url,
            post=post,
            channel=channels[person.pk],
        )
        for person in people
    ]
    created = Notification.objects.bulk_create(rows)
    bell_changed(row.user_id for row in rows)
    emails = [
        n.pk
        for n in created
        if n.pk is not None
        and (n.channel == Channel.EMAIL or (not n.channel and kind in Notification.ADDRESSED))
    ]
    pushes = [n.pk for n in created if n.pk is not None and n.channel == Channel.PUSH]
    from communities.tasks import send_notification_emails, send_notification_pushes

    if emails and send_email:
        transaction.on_commit(lambda: send_notification_emails.delay(emails))
    if pushes:
        transaction.on_commit(lambda: send_notification_pushes.delay(pushes))
    return created


def notifications_visible_to(*, user: Any) -> QuerySet[Notification]:
    """The person's notifications whose community they may still read (what the bell lists;
    the push and e-mail tasks ask it again immediately before sending)."""
    return _visible(user)


def _visible(user: Any) -> QuerySet[Notification]:
    """The person's notifications whose community they may still read."""
    return Notification.objects.filter(user=user.pk).filter(
        Q(community__isnull=True) | permissions.permission_q(user, permissions.VIEW)
    )


def notification_list_visible_to(
    *, user: Any, before: int | None = None, limit: int = 30
) -> list[Notification]:
    """Newest first, a page at a time (cursor on id; the (user, -id) index), with actors."""
    rows = _visible(user).select_related("actor", "community").order_by("-id")
    if before:
        rows = rows.filter(id__lt=before)
    return list(rows[:limit])


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return _visible(user).filter(read_at__isnull=True).count()


def notification_open(*, user: Any, pk: int) -> Notification:
    """Mark one notification read and return it (to follow its link); 404 when it is not
    the person's or no longer visible to them."""
    notification = _visible(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        bell_changed([user])
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    marked = Notification.objects.filter(user=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        bell_changed([user])
    return marked


def _wants_email(notification: Notification) -> bool:
    """An ``email`` row; a row written before channels (empty) keeps the rule it was written
    under: e-mailed when the person hears "immediately" about its community."""
    if notification.channel:
        return notification.channel == Channel.EMAIL
    return frequency_for(notification.user, notification.community) == Frequency.IMMEDIATE


def notification_emails_send(*, notification_ids: Iterable[int]) -> int:
    """E-mail each ``email`` notification once, unread, to people who may still see it
    (checked now, not when it was written). Marked in the same row, so a retried task sends
    nothing twice. A kind may bring its own e-mail (``extensions.register_notification_email``)."""
    sent = 0
    for pk in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("user", "actor", "community")
                .filter(pk=pk, emailed_at__isnull=True)
                .first()
            )
            if notification is None:
                continue
            user = notification.user
            visible = _visible(user).filter(pk=pk).exists()
            if (
                not user.is_active
                or not visible
                or notification.read_at is not None
                or not _wants_email(notification)
            ):
                continue
            builder = extensions.notification_email(notification.kind)
            if builder is not None:
                built = builder(notification)
                if built is not None:
                    send_templated_email(built[0], to=[user], context=built[1])
                    notification.emailed_at = timezone.now()
                    notification.save(update_fields=["emailed_at"])
                    sent += 1
                continue
            unsubscribe = unsubscribe_url(user, notification.community)
            headers = list_unsubscribe_headers(unsubscribe)
            reply_to = (
                reply_address(user=user, post_id=notification.post_id)
                if notification.post_id
                else ""
            )
            if reply_to:
                headers["Reply-To"] = reply_to  # the answer becomes a comment on the post
            send_templated_email(
                "communities/email/notification",
                to=[user],
                context={
                    "notification": notification,
                    "actor_name": notification.actor.name if notification.actor else "",
                    "unsubscribe_url": unsubscribe,
                    "can_reply": bool(reply_to),
                },
                headers=headers,
            )
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def list_unsubscribe_headers(path: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058 one-click unsubscribe headers for a site path."""

    return {
        "List-Unsubscribe": f"<{settings.WAGTAILADMIN_BASE_URL}{path}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
