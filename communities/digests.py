"""Digests: one e-mail per person and period instead of a thread per message.

Building reads the activity of the person's communities for the period (a fixed number of
queries per person, whatever their number of communities or the volume of activity); upper
apps add their sections (documents awaiting my review, the coming week's agenda) through
:func:`register_section_provider` from their ``AppConfig.ready()``.

Delivery: :func:`digests_enqueue` writes one ``DigestOutbox`` row per (person, period) — the
unique constraint absorbs a second trigger or a second scheduler — and hands out the rows not
already queued; :func:`digests_send_batch` sends a batch over one mail-server connection,
each digest claimed by committing it as "sending" before the hand-over and recorded after
(:func:`digest_send` lists what happens in each window). A digest is sent once, except when
a worker dies after the mail server accepted it and before the record: it is then sent
again, with the same Message-ID.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import random
import smtplib
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, transaction
from django.db import connection as db_connection
from django.db.models import F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities import permissions
from communities.app_settings import app_settings
from communities.markup import excerpt
from communities.models import (
    Activity,
    Channel,
    Community,
    DigestOutbox,
    DigestPreference,
    Membership,
    Notification,
    Post,
)
from communities.notifications import (
    Frequency,
    default_frequency,
    list_unsubscribe_headers,
    preferences_of,
    unsubscribe_token,
    unsubscribe_url,
)
from communities.replies import reply_address
from communities.selectors import communities_of
from portal.core.mail import send_templated_email

logger = logging.getLogger(__name__)

RECORD_SECONDS = 60  # how long an outcome is retried on fresh database connections
PERIODIC = frozenset({Frequency.DAILY, Frequency.WEEKLY})
TOP_POSTS = 3  # per community: a digest stays short enough to read
SHARED_CACHE_SECONDS = 600  # what readers of a community share for a period (see below)
NEW_MEMBERS = 8  # names listed per community


@dataclass
class Item:
    title: str
    url: str  # site path; the templates make it absolute
    detail: str = ""
    reply_to: str = ""  # an address whose replies become a comment (posts only)


@dataclass
class Section:
    heading: str
    items: list[Item]

    def frozen(self) -> tuple:
        """Hashable: the key of its rendering (``_render_block``)."""
        return (
            self.heading,
            tuple((i.title, i.url, i.detail, i.reply_to) for i in self.items),
        )


@dataclass
class CommunityDigest:
    community: Community
    sections: list[Section] = field(default_factory=list)
    unsubscribe_url: str = ""  # one click: no more digests about this community


@dataclass
class Digest:
    user: Any
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    personal: list[Item]  # mentions and replies addressed to me
    communities: list[CommunityDigest]

    @property
    def is_empty(self) -> bool:
        return not self.personal and not any(c.sections for c in self.communities)


SectionProvider = Callable[
    [Any, list[Community], datetime.datetime, datetime.datetime], dict[int, list[Section]]
]
_providers: list[SectionProvider] = []


def register_section_provider(provider: SectionProvider) -> None:
    """Called from an upper app's ``ready()``: ``provider(user, communities, starts_at,
    ends_at)`` returns ``{community id: [Section, …]}`` for the communities given (all of
    them readable by ``user`` now), in a fixed number of queries."""
    if provider not in _providers:
        _providers.append(provider)


PersonalProvider = Callable[
    [Any, list[Community], datetime.datetime, datetime.datetime], list[Item]
]
_personal_providers: list[PersonalProvider] = []
_provided_kinds: set[str] = set()


def register_personal_provider(provider: PersonalProvider, kinds: Iterable[str] = ()) -> None:
    """Called from an upper app's ``ready()``: ``provider(user, communities, starts_at,
    ends_at)`` returns the lines it adds under "For you" (what is addressed to the person and
    belongs to no community, such as a direct message), in a fixed number of queries;
    ``communities`` are those of this digest (readable by ``user`` now). The notifications
    of ``kinds`` are the provider's to list: the floor's own lines leave them out."""
    if provider not in _personal_providers:
        _personal_providers.append(provider)
    _provided_kinds.update(kinds)


def for_you_q() -> Q:
    """The notifications a digest lists under "For you": those told by the digest, unread
    and not e-mailed (a push opened on the phone, or read under the bell, is not repeated);
    rows written before channels existed keep their rule (mentions and replies)."""
    return Q(channel=Channel.DIGEST, read_at__isnull=True, emailed_at__isnull=True) | Q(
        channel="", kind__in=Notification.ADDRESSED
    )


PostFilter = Callable[[Any], Any]  # a Post queryset in, a narrower one out
_top_post_filters: list[PostFilter] = []


def register_top_post_filter(posts_filter: PostFilter) -> None:
    """Called from an upper app's ``ready()``: leaves out of "Most engaging posts" the posts
    one of its sections shows already (the editors' pages), so none appears twice."""
    if posts_filter not in _top_post_filters:
        _top_post_filters.append(posts_filter)


# --- Periods --------------------------------------------------------------------------------


def reader_zone(user: Any) -> zoneinfo.ZoneInfo:
    """The person's time zone (the site's when theirs is unknown)."""
    try:
        return zoneinfo.ZoneInfo(user.timezone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def period_due(
    user: Any, frequency: str, now: datetime.datetime
) -> tuple[str, datetime.datetime, datetime.datetime] | None:
    """The period whose digest is due for ``user`` at ``now`` (key, start, end), in their
    own time zone: daily at DIGESTS_SEND_HOUR, weekly on Monday at DIGESTS_SEND_HOUR; else
    None."""
    local = now.astimezone(reader_zone(user))
    today_send = local.replace(
        hour=app_settings.DIGESTS_SEND_HOUR, minute=0, second=0, microsecond=0
    )
    if local < today_send:
        return None
    if frequency == Frequency.DAILY:
        start = today_send - datetime.timedelta(days=1)
        return f"d{today_send.date().isoformat()}", start, today_send
    if frequency == Frequency.WEEKLY:
        if local.weekday() != 0:
            return None
        iso = today_send.isocalendar()
        return f"w{iso.year}-{iso.week:02d}", today_send - datetime.timedelta(days=7), today_send
    return None


def preview_period(user: Any, now: datetime.datetime | None = None) -> tuple[Any, Any]:
    """What the next digest would cover if it were sent now."""
    now = now or timezone.now()
    account, _per = preferences_of(user)
    days = 7 if account == Frequency.WEEKLY else 1
    return now - datetime.timedelta(days=days), now


# --- Building -------------------------------------------------------------------------------


def _digest_communities(user: Any, frequency: str | None) -> list[Community]:
    """Communities of the person's active memberships (every role reads its community, so
    these are exactly the ones they may read now, archived ones aside) whose effective
    frequency is ``frequency`` (any but "off" when None). One query: each community comes
    with the person's choice for it and for their account (``preferences_of`` in SQL)."""
    if not user.is_active:
        return []
    choice = DigestPreference.objects.filter(user=user.pk).values("frequency")
    communities = list(
        communities_of(user=user)
        # What a digest shows of a community (name, link): a batch builds thousands.
        .only("id", "name", "slug")
        .annotate(
            chosen=Subquery(choice.filter(community=OuterRef("pk"))[:1]),
            account=Subquery(choice.filter(community__isnull=True)[:1]),
        )
    )
    wanted = []
    for community in communities:
        effective = community.chosen or community.account or default_frequency(user)
        if (frequency is None and effective != Frequency.OFF) or effective == frequency:
            wanted.append(community)
    return wanted


def shared_per_community(
    name: str,
    community_ids: list[int],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    compute: Callable[[list[int]], dict[int, Any]],
) -> dict[int, Any]:
    """What every reader of a community shares for a period (its top posts, its new members,
    its agenda), cached per community and period so that a batch of digests computes each
    once: ``compute(missing ids)`` runs for the communities not in the cache yet and must
    return plain, language-neutral data (each digest formats it in its reader's language)."""
    key = f"digest:{name}:{starts_at.timestamp():.0f}:{ends_at.timestamp():.0f}:"
    cached = cache.get_many([key + str(pk) for pk in community_ids])
    found = {pk: cached[key + str(pk)] for pk in community_ids if key + str(pk) in cached}
    missing = [pk for pk in community_ids if pk not in found]
    if missing:
        computed = compute(missing)
        fresh = {pk: computed.get(pk, []) for pk in missing}
        cache.set_many({key + str(pk): v for pk, v in fresh.items()}, SHARED_CACHE_SECONDS)
        found.update(fresh)
    return found


def _top_posts(
    community_ids: list[int], starts_at: datetime.datetime, ends_at: datetime.datetime
) -> dict[int, list[dict[str, Any]]]:
    """The most engaging posts of each community in the period (comments count twice, likes
    once), a few more than shown so that a reader's own posts can be left out; ranked in
    one SQL query (a window per community)."""

    def compute(missing: list[int]) -> dict[int, list[dict[str, Any]]]:
        found: dict[int, list[dict[str, Any]]] = defaultdict(list)
        score = F("comment_count") * 2 + F("like_count")
        posts = Post.objects.filter(
            community__in=missing,
            created_at__gte=starts_at,
            created_at__lt=ends_at,
            is_hidden=False,
        )
        for posts_filter in _top_post_filters:
            posts = posts_filter(posts)
        for post in (
            posts.select_related("author")
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=F("community_id"),
                    order_by=[score.desc(), F("id").desc()],
                )
            )
            .filter(rank__lte=TOP_POSTS * 2)
            .order_by("community_id", "rank")
        ):
            found[post.community_id].append(
                {
                    "id": post.pk,
                    "author_id": post.author_id,
                    # Language-neutral: an erased author is named in each reader's language.
                    "author": post.author.name if not post.author.is_erased else "",
                    "excerpt": excerpt(post.body),
                    "comments": post.comment_count,
                    "likes": post.like_count,
                }
            )
        return found

    return shared_per_community("top", community_ids, starts_at, ends_at, compute)


@lru_cache(maxsize=4096)
def _post_detail(language: str, author: str, comments: int, likes: int) -> str:
    """ "Author · 3 comments · 12 likes" in ``language`` (the active one): the same words
    for every reader of a batch, so they are formatted once, not once per digest."""
    return " · ".join(
        [
            author or _("Former member"),
            ngettext("%(n)s comment", "%(n)s comments", comments) % {"n": comments},
            ngettext("%(n)s like", "%(n)s likes", likes) % {"n": likes},
        ]
    )


def _new_members(
    community_ids: list[int], starts_at: datetime.datetime, ends_at: datetime.datetime
) -> dict[int, list[str]]:
    def compute(missing: list[int]) -> dict[int, list[str]]:
        joined: dict[int, list[str]] = defaultdict(list)
        # The person who joined is the membership's, not the activity's actor (a lead who
        # approves a request acts). One row per person and community: joined, left and came
        # back is announced once; nobody who has since left, been removed, or whose access
        # ended or expired (the row is no longer active), nor a deactivated account.
        arrivals = Activity.objects.filter(
            community__in=missing,
            verb__in=[Activity.Verb.MEMBER_JOINED, Activity.Verb.MEMBER_APPROVED],
            target_type=ContentType.objects.get_for_model(Membership),
            created_at__gte=starts_at,
            created_at__lt=ends_at,
        )
        for community_id, name, email in (
            Membership.objects.filter(
                permissions.active_membership_q(),
                pk__in=arrivals.values("target_id"),
                user__is_active=True,
            )
            .order_by("joined_at", "pk")
            .values_list("community_id", "user__display_name", "user__email")
        ):
            joined[community_id].append(name or email.split("@")[0])
        return joined

    return shared_per_community("joined", community_ids, starts_at, ends_at, compute)


def digest_build(
    *,
    user: Any,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    frequency: str | None = None,
) -> Digest:
    """What happened in the person's communities between ``starts_at`` and ``ends_at``."""
    communities = _digest_communities(user, frequency)
    ids = [c.pk for c in communities]
    by_id: dict[int, CommunityDigest] = {c.pk: CommunityDigest(community=c) for c in communities}

    top: dict[int, list[Item]] = defaultdict(list)
    post_url = reverse("communities:post", args=[0]).replace("/0/", "/{}/")  # reversed once
    language = translation.get_language()
    for community_id, rows in _top_posts(ids, starts_at, ends_at).items():
        mine = [row for row in rows if row["author_id"] != user.pk][:TOP_POSTS]
        top[community_id] = [  # my own posts are not news to me
            Item(
                title=row["excerpt"],
                url=post_url.format(row["id"]),
                reply_to=reply_address(user=user, post_id=row["id"]),
                detail=_post_detail(language, row["author"], row["comments"], row["likes"]),
            )
            for row in mine
        ]
    joined = _new_members(ids, starts_at, ends_at)
    extra: dict[int, list[Section]] = defaultdict(list)
    for provider in _providers:
        for community_id, sections in provider(user, communities, starts_at, ends_at).items():
            extra[community_id].extend(sections)

    engaging, new_members = _("Most engaging posts"), _("New members")  # once per digest
    members_url = reverse("communities:members", args=["-slug-"])  # reversed once
    for community_id, community_digest in by_id.items():
        if top.get(community_id):
            community_digest.sections.append(Section(engaging, top[community_id]))
        names = joined.get(community_id)
        if names:
            shown = ", ".join(names[:NEW_MEMBERS])
            more = len(names) - NEW_MEMBERS
            if more > 0:
                shown += " " + _("and %(count)s more") % {"count": more}
            url = members_url.replace("-slug-", community_digest.community.slug)
            community_digest.sections.append(Section(new_members, [Item(shown, url)]))
        community_digest.sections.extend(extra.get(community_id, []))

    personal = [
        Item(
            title=n.title,
            url=n.url,
            detail=f"{n.actor.name if n.actor else ''} {n.get_kind_display()}".strip(),
        )
        for n in Notification.objects.filter(
            Q(community__isnull=True) | Q(community__in=ids),
            for_you_q(),
            user=user.pk,
            created_at__gte=starts_at,
            created_at__lt=ends_at,
        )
        .exclude(kind__in=_provided_kinds)
        .select_related("actor")
        .order_by("-id")[:20]
    ]
    for personal_provider in _personal_providers:
        personal.extend(personal_provider(user, communities, starts_at, ends_at))
    return Digest(
        user=user,
        starts_at=starts_at,
        ends_at=ends_at,
        personal=personal,
        communities=[c for c in by_id.values() if c.sections],
    )


# --- Delivery -------------------------------------------------------------------------------


def digests_enqueue(*, now: datetime.datetime | None = None) -> list[int]:
    """Create the outbox rows now due (one per person and period; existing rows are left
    alone) and return the ids of the rows to hand to the workers: pending rows not queued in
    the last DIGESTS_REQUEUE_SECONDS (a queued batch retries itself, so a backlog does not
    grow the queue with batches that find nothing to do), and rows left "sending" by a worker
    that died (DIGESTS_SENDING_LEASE). Run by beat; running it twice, or from two
    schedulers, creates nothing twice. A fixed number of queries per thousand rows."""
    now = now or timezone.now()
    account: dict[int, str] = {}
    overrides: dict[int, set[str]] = defaultdict(set)
    for user_id, community_id, frequency in DigestPreference.objects.values_list(
        "user_id", "community_id", "frequency"
    ):
        if community_id is None:
            account[user_id] = frequency
        else:
            overrides[user_id].add(frequency)
    people = get_user_model().objects.filter(is_active=True).only("pk", "timezone", "is_external")
    rows = []
    for person in people.iterator(chunk_size=2000):
        mine = account.get(person.pk) or default_frequency(person)
        for frequency in ({mine} | overrides.get(person.pk, set())) & PERIODIC:
            due = period_due(person, frequency, now)
            if due:
                key, start, end = due
                rows.append(DigestOutbox(user=person, period=key, starts_at=start, ends_at=end))
    DigestOutbox.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    requeue = now - datetime.timedelta(seconds=app_settings.DIGESTS_REQUEUE_SECONDS)
    ids = list(
        DigestOutbox.objects.filter(
            Q(status=DigestOutbox.Status.PENDING)
            & (Q(queued_at__isnull=True) | Q(queued_at__lt=requeue))
            | _abandoned(now)
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    for start in range(0, len(ids), 1000):  # within every database's parameter limit
        DigestOutbox.objects.filter(pk__in=ids[start : start + 1000]).update(queued_at=now)
    return ids


def digests_to_retry(*, outbox_ids: list[int]) -> list[int]:
    """Those of ``outbox_ids`` still pending, marked queued again (their batch retries)."""
    ids = list(
        DigestOutbox.objects.filter(pk__in=outbox_ids, status=DigestOutbox.Status.PENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )
    DigestOutbox.objects.filter(pk__in=ids).update(queued_at=timezone.now())
    return ids


def retry_delay(retries: int) -> float:
    """Seconds before a batch's next try: doubling, capped, with jitter so that the batches
    of one outage do not all come back in the same second."""
    delay = min(
        app_settings.DIGESTS_RETRY_SECONDS * 2**retries, app_settings.DIGESTS_RETRY_MAX_SECONDS
    )
    return delay * (0.75 + random.random() / 4)  # noqa: S311 (not for security)


def _abandoned(now: datetime.datetime) -> Q:
    """Rows a worker claimed and never recorded (killed, or its database gone for good)."""
    return Q(
        status=DigestOutbox.Status.SENDING,
        claimed_at__lt=now - datetime.timedelta(seconds=app_settings.DIGESTS_SENDING_LEASE),
    )


class MailServerUnreachable(Exception):
    """The mail server or service could not be reached (refused, reset, timed out,
    disconnected, 421): not the recipient's fault, so no attempt is counted. The digest stays
    pending while its period is current and the batch stops and backs off."""


# What a failed hand-off means for the digest.
PERMANENT, TEMPORARY, UNREACHABLE = "permanent", "temporary", "unreachable"

_SERVER_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,  # our configuration, not the recipient
    smtplib.SMTPNotSupportedError,
)


def _classify(exc: BaseException) -> str:
    """SMTP replies by their code (5xx permanent, 4xx temporary, 421 is the server closing),
    an ESP's HTTP answer by its status (4xx permanent, other answers temporary), no answer
    at all (refused, reset, time-out) as the server being unreachable."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):  # one recipient per digest
        codes = [code for code, _message in exc.recipients.values()]
        if 421 in codes:
            return UNREACHABLE
        return PERMANENT if codes and all(500 <= c < 600 for c in codes) else TEMPORARY
    if isinstance(exc, _SERVER_ERRORS):
        return UNREACHABLE
    code = getattr(exc, "smtp_code", None)
    if isinstance(code, int):
        if code == 421:
            return UNREACHABLE
        return PERMANENT if 500 <= code < 600 else TEMPORARY
    status = getattr(exc, "status_code", None)  # anymail's errors for an ESP's HTTP answer
    if status is not None:
        return PERMANENT if 400 <= status < 500 else TEMPORARY
    cause: BaseException | None = exc
    while cause is not None:  # anymail wraps the requests error that found no server
        if isinstance(cause, OSError):
            return UNREACHABLE
        cause = cause.__cause__ or cause.__context__
    return TEMPORARY


def _mail_domain() -> str:
    from urllib.parse import urlparse

    return urlparse(settings.WAGTAILADMIN_BASE_URL).hostname or "parvis.localhost"


def _period_over(row: DigestOutbox, now: datetime.datetime) -> bool:
    """The next digest of the same kind is due: this one is no longer worth sending late."""
    return now >= row.ends_at + (row.ends_at - row.starts_at)


_CONNECTION_ERRORS = (OperationalError, InterfaceError)


def _record(pk: int, claimed_at: datetime.datetime, **fields: Any) -> bool:
    """Record the outcome of our claim. The message may already be with the mail server, so
    a lost database connection must not leave the row to be claimed again: try again on a
    fresh connection for up to a minute (well within DIGESTS_SENDING_LEASE)."""
    pause, deadline = 0.1, time.monotonic() + RECORD_SECONDS
    while True:
        try:
            return bool(
                DigestOutbox.objects.filter(
                    pk=pk, status=DigestOutbox.Status.SENDING, claimed_at=claimed_at
                ).update(**fields)
            )
        except _CONNECTION_ERRORS:
            if time.monotonic() > deadline or db_connection.in_atomic_block:
                raise
            logger.warning("digest %s: database connection lost, recording again", pk)
            db_connection.close()  # the next query opens a fresh one
            time.sleep(pause)
            pause = min(pause * 2, 5)


def digest_send(*, outbox_id: int, connection: Any = None) -> str:
    """Claim one digest, build it, hand it over, record the outcome; returns the new status
    ("sent", "skipped", "failed", or "pending" after a temporary refusal), or "" when it is
    not there to send (sent already, or claimed by another worker). ``connection``: the
    batch's e-mail connection (opened once for the batch).

    The claim is committed ("sending") before the hand-over and the outcome recorded after
    it, so no transaction is open while the mail server answers. The windows:

    - the database connection lost before the hand-over: nothing was sent, the claim is
      released if it can be, and the error is raised (the batch retries itself);
    - lost after the hand-over: "sent" is recorded on a fresh connection;
    - the worker killed, or the database gone for longer than a minute, between claim and
      record: the row stays "sending" and may be claimed again after DIGESTS_SENDING_LEASE.
      Only if the mail server had accepted the message is it sent twice, with the same
      Message-ID, so that the recipient's mail system may keep one.

    Raises :class:`MailServerUnreachable` when the mail server could not be reached (the
    digest is pending again, no attempt counted, unless its period is over: failed)."""
    claimed_at = timezone.now()
    if not (
        DigestOutbox.objects.filter(pk=outbox_id)
        .filter(Q(status=DigestOutbox.Status.PENDING) | _abandoned(claimed_at))
        .update(status=DigestOutbox.Status.SENDING, claimed_at=claimed_at)
    ):
        return ""
    try:
        row = DigestOutbox.objects.select_related("user").get(pk=outbox_id)
        user = row.user
        frequency = Frequency.DAILY if row.period.startswith("d") else Frequency.WEEKLY
        skip = not user.is_active or (
            app_settings.DIGESTS_SKIP_IF_SEEN
            and user.last_seen_at is not None
            and user.last_seen_at >= row.starts_at
        )
        digest = None
        if not skip:
            with translation.override(user.language or settings.LANGUAGE_CODE):
                digest = digest_build(
                    user=user, starts_at=row.starts_at, ends_at=row.ends_at, frequency=frequency
                )
        if skip or digest is None or digest.is_empty:
            _record(outbox_id, claimed_at, status=DigestOutbox.Status.SKIPPED)
            return DigestOutbox.Status.SKIPPED
        # The same Message-ID for every attempt at this row: should a worker die between
        # the mail server's acceptance and the record, the resent copy is the same message
        # to the recipient's mail system, which keeps one.
        message_id = f"<digest-{row.pk}-{row.period}@{_mail_domain()}>"
        unsubscribe = unsubscribe_url(user)
        context = digest_context(
            digest, unsubscribe=unsubscribe, base_url=settings.WAGTAILADMIN_BASE_URL
        )
    except BaseException as exc:  # nothing handed over: the digest may be claimed again
        with contextlib.suppress(*_CONNECTION_ERRORS):
            _record(
                outbox_id,
                claimed_at,
                status=DigestOutbox.Status.PENDING,
                error=f"{type(exc).__name__}: {exc}"[:500],
            )
        raise
    try:
        send_templated_email(
            "communities/email/digest",
            to=[user],
            context=context,
            headers={"Message-ID": message_id, **list_unsubscribe_headers(unsubscribe)},
            connection=connection,
        )
    except Exception as exc:  # any backend: SMTP, anymail's ESPs, a file
        return _record_failure(row, claimed_at, exc)
    _record(
        outbox_id,
        claimed_at,
        status=DigestOutbox.Status.SENT,
        message_id=message_id,
        sent_at=timezone.now(),
        error="",
        attempts=F("attempts") + 1,
    )
    return DigestOutbox.Status.SENT


def _record_failure(row: DigestOutbox, claimed_at: datetime.datetime, exc: Exception) -> str:
    kind = _classify(exc)
    error = f"{type(exc).__name__}: {exc}"[:500]
    logger.warning("digest %s for user %s (%s): %s", row.pk, row.user_id, kind, error)
    # A failed digest forgets it was queued: set back to pending by an administrator, it is
    # handed out at the next enqueue run.
    if kind == UNREACHABLE:
        if _period_over(row, timezone.now()):
            _record(
                row.pk, claimed_at, status=DigestOutbox.Status.FAILED, error=error, queued_at=None
            )
        else:
            _record(row.pk, claimed_at, status=DigestOutbox.Status.PENDING, error=error)
        raise MailServerUnreachable(error) from exc
    attempts = F("attempts") + 1
    if kind == PERMANENT or row.attempts + 1 >= app_settings.DIGESTS_MAX_ATTEMPTS:
        status = DigestOutbox.Status.FAILED
        _record(row.pk, claimed_at, status=status, error=error, attempts=attempts, queued_at=None)
    else:
        status = DigestOutbox.Status.PENDING
        _record(row.pk, claimed_at, status=status, error=error, attempts=attempts)
    return status


@dataclass
class BatchResult:
    sent: int = 0
    retry: list[int] = field(default_factory=list)  # to try again after a back-off
    later: list[int] = field(default_factory=list)  # not reached within DIGESTS_BATCH_SECONDS
    unreachable: bool = False  # the mail server could not be reached


def digests_send_batch(*, outbox_ids: list[int]) -> BatchResult:
    """Send a batch over one connection to the mail server, opened at the first message
    and reused. A refused address is recorded and the batch goes on; an unreachable mail
    server stops it (the rest stays pending, no attempt counted). Database connection
    errors are raised: the task retries the batch."""
    from django.core.mail import get_connection

    result = BatchResult()
    started = time.monotonic()
    connection = get_connection()
    try:
        for index, pk in enumerate(outbox_ids):
            if time.monotonic() - started > app_settings.DIGESTS_BATCH_SECONDS:
                result.later = outbox_ids[index:]
                break
            try:
                _open(connection)  # once: the backend keeps it open until closed below
                status = digest_send(outbox_id=pk, connection=connection)
            except MailServerUnreachable as exc:
                result.unreachable = True
                result.retry.extend(outbox_ids[index:])
                _unreachable(outbox_ids[index:], str(exc))
                break
            if status == DigestOutbox.Status.SENT:
                result.sent += 1
            elif status == DigestOutbox.Status.PENDING:
                result.retry.append(pk)
    finally:
        with contextlib.suppress(Exception):  # a server that went away cannot say goodbye
            connection.close()
    return result


def _open(connection: Any) -> None:
    try:
        connection.open()  # nothing to do when it is open already
    except Exception as exc:
        if _classify(exc) != UNREACHABLE:
            raise
        raise MailServerUnreachable(f"{type(exc).__name__}: {exc}"[:500]) from exc


def _unreachable(outbox_ids: list[int], error: str) -> None:
    """The mail server could not be reached: the pending digests say why (for the
    administrators), and those whose period is over fail."""
    now = timezone.now()
    pending = DigestOutbox.objects.filter(pk__in=outbox_ids, status=DigestOutbox.Status.PENDING)
    over = [row.pk for row in pending.only("pk", "starts_at", "ends_at") if _period_over(row, now)]
    pending.exclude(pk__in=over).update(error=error)
    if over:
        pending.filter(pk__in=over).update(
            status=DigestOutbox.Status.FAILED,
            queued_at=None,
            error=f"Period over, mail server unreachable: {error}"[:500],
        )


def digest_context(digest: Digest, *, unsubscribe: str, base_url: str = "") -> dict[str, Any]:
    """What the digest templates (the e-mail and the preview page) read. ``base_url`` makes
    the links absolute (the e-mail); the preview page keeps them relative."""
    language = translation.get_language()
    one_click = reverse("communities:unsubscribe", args=["-token-"])  # reversed once
    for block in digest.communities:
        block.unsubscribe_url = one_click.replace(
            "-token-", unsubscribe_token(digest.user, block.community)
        )
        block.html, block.text = _render_block(
            language, base_url, tuple(section.frozen() for section in block.sections)
        )
    return {
        "digest": digest,
        "unsubscribe_url": unsubscribe,
        "preferences_url": reverse("communities:notification_settings"),
        "base_url": base_url,
    }


@lru_cache(maxsize=4096)
def _render_block(language: str, base_url: str, sections: tuple) -> tuple[SafeString, str]:
    """One community's sections, HTML and text. The readers of a community mostly get the
    same sections in a batch (its top posts, new members, pages); they are rendered once per
    process and language, keyed by their whole content, so a reader whose sections differ
    (their own post left out, a review awaiting them) simply gets their own rendering."""
    context = {
        "sections": [Section(heading, [Item(*i) for i in items]) for heading, items in sections],
        "base_url": base_url,
    }
    return (
        mark_safe(render_to_string("communities/_digest_block.html", context)),  # noqa: S308
        render_to_string("communities/email/_digest_block.txt", context),
    )


def receives_digests(user: Any) -> bool:
    """Whether a daily or weekly digest is ever due for the person: the same rule as
    ``digests_enqueue`` (the account's choice or any community's)."""
    account, per_community = preferences_of(user)
    return bool(({account} | set(per_community.values())) & PERIODIC)


def digest_preview(*, user: Any) -> Digest:
    starts_at, ends_at = preview_period(user)
    return digest_build(user=user, starts_at=starts_at, ends_at=ends_at)


def digests_failed() -> Any:
    """For administrators: digests that could not be delivered, newest first."""
    return (
        DigestOutbox.objects.filter(status=DigestOutbox.Status.FAILED)
        .select_related("user")
        .order_by("-id")
    )


def digest_status_set(*, outbox_id: int, status: str) -> DigestOutbox:
    """An administrator sets a digest's status from the admin (its only form field). Set
    back to pending, a digest is a fresh start: its attempts and error are cleared, or the
    first transient failure would fail it again at once (DIGESTS_MAX_ATTEMPTS reached)."""
    with transaction.atomic():
        row = DigestOutbox.objects.select_for_update().get(pk=outbox_id)
        fields = {"status": status}
        if status == DigestOutbox.Status.PENDING and row.status != status:
            fields.update(attempts=0, error="", queued_at=None, claimed_at=None)
        for name, value in fields.items():
            setattr(row, name, value)
        row.save(update_fields=list(fields))
    return row
