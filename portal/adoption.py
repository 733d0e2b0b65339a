"""Adoption KPIs (the white paper's list), for the whole organisation or one community,
internal members and guests apart, over a chosen period.

Every number comes from the activity stream (``communities.Activity``), the daily
connection records (``accounts.Connection``) and invitations: aggregates in SQL, so the cost
does not grow with the number of posts. Each number is defined once, in ``DEFINITIONS``
below, which the report page shows as it is. They hold these identities, for every split
and every month of the curve: active + passive = connected ≤ registered; enriched ≤
registered; "all" = internal + guests.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from communities import permissions
from communities.models import Activity, Community, Membership
from portal.accounts.completion import COMPLETION_FIELDS
from portal.accounts.models import Connection

ENRICHED_PERCENT = 75
CONTRIBUTIONS = [
    Activity.Verb.POST_CREATED,
    Activity.Verb.COMMENT_CREATED,
    Activity.Verb.POST_LIKED,
    Activity.Verb.COMMENT_LIKED,
]
SPLITS = ("internal", "guests", "all")
# Counted for the community (or the organisation) as a whole, not per split: the report
# shows "—" for internal members and guests apart, and the CSV leaves those cells empty.
WHOLE_ONLY = frozenset(
    {
        "posts",
        "comments",
        "likes",
        "communities_created",
        "invitations_sent",
        "invitations_accepted",
    }
)
DEFINITIONS = {
    "registered": _(
        "Registered: accounts that existed at the end of the period (for a community: its "
        "members then)."
    ),
    "connected": _(
        "Connected: registered accounts that came to the site during the period, or "
        "contributed (a reply by e-mail or through the API counts as coming)."
    ),
    "active": _("Active: connected accounts that posted, commented or liked in the period."),
    "passive": _("Passive: connected accounts that did not contribute (they read)."),
    "enriched": format_lazy(
        _("Enriched profile: a profile at least {percent} % complete."), percent=ENRICHED_PERCENT
    ),
    "connection_rate": _("Connection rate: connected ÷ registered."),
    "participation_rate": _("Participation rate: active ÷ registered."),
    "frequency": _("Contributions per active account: posts, comments and likes ÷ active."),
}


@dataclass
class Kpis:
    registered: int = 0
    connected: int = 0
    active: int = 0
    passive: int = 0
    enriched: int = 0
    contributions: int = 0
    posts: int = 0
    comments: int = 0
    likes: int = 0
    communities_created: int = 0
    invitations_sent: int = 0
    invitations_accepted: int = 0

    @property
    def connection_rate(self) -> float:
        return round(100 * self.connected / self.registered, 1) if self.registered else 0.0

    @property
    def participation_rate(self) -> float:
        return round(100 * self.active / self.registered, 1) if self.registered else 0.0

    @property
    def frequency(self) -> float:
        return round(self.contributions / self.active, 1) if self.active else 0.0

    def as_row(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "connection_rate": self.connection_rate,
            "participation_rate": self.participation_rate,
            "frequency": self.frequency,
        }


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    zone = timezone.get_default_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)
    return since, until


def _enriched(users) -> set[int]:
    """Ids of accounts whose profile completion reaches ENRICHED_PERCENT (one query)."""
    names = [name for name, _label in COMPLETION_FIELDS if name != "skills"]
    rows = users.annotate(skill_count=Count("skills", distinct=True)).values_list(
        "pk", "skill_count", *names
    )
    needed = ENRICHED_PERCENT * len(COMPLETION_FIELDS) / 100
    return {
        pk
        for pk, skills, *values in rows
        if sum(bool(v) for v in values) + (1 if skills else 0) >= needed
    }


def adoption(
    *, start: datetime.date, end: datetime.date, community: Community | None = None
) -> dict[str, Kpis]:
    """The KPIs for ``[start, end]`` (whole days), keyed "internal", "guests" and "all"."""
    since, until = _bounds(start, end)
    people = get_user_model().objects.filter(date_joined__lt=until)
    if community is not None:
        people = people.filter(
            memberships__in=Membership.objects.filter(
                permissions.active_membership_q(now=until), community=community
            )
        )
    external = dict(people.values_list("pk", "is_external"))
    came = set(
        Connection.objects.filter(
            user__in=list(external), day__gte=start, day__lte=end
        ).values_list("user_id", flat=True)
    )
    activity = Activity.objects.filter(created_at__gte=since, created_at__lt=until)
    if community is not None:
        activity = activity.filter(community=community)
    per_actor = dict(
        activity.filter(verb__in=CONTRIBUTIONS, actor__in=list(external))
        .values_list("actor")
        .annotate(n=Count("id"))
        .values_list("actor", "n")
    )
    verbs = dict(activity.values_list("verb").annotate(n=Count("id")).values_list("verb", "n"))
    by_split = {
        name: (
            {pk for pk, ext in external.items() if ext == (name == "guests")}
            if name != "all"
            else set(external)
        )
        for name in SPLITS
    }
    enriched = _enriched(get_user_model().objects.filter(pk__in=list(external)))
    invitations = _invitations(since, until, community)
    results = {}
    # A contribution is a use of the portal even without a visit (a reply by e-mail, the
    # API): so every active account is connected, and active + passive = connected.
    connected = came | set(per_actor)
    for name, ids in by_split.items():
        active = set(per_actor) & ids
        kpis = Kpis(
            registered=len(ids),
            connected=len(connected & ids),
            active=len(active),
            passive=len((connected & ids) - active),
            enriched=len(enriched & ids),
            contributions=sum(per_actor[pk] for pk in active),
        )
        if name == "all":
            kpis.posts = verbs.get(Activity.Verb.POST_CREATED, 0)
            kpis.comments = verbs.get(Activity.Verb.COMMENT_CREATED, 0)
            kpis.likes = verbs.get(Activity.Verb.POST_LIKED, 0) + verbs.get(
                Activity.Verb.COMMENT_LIKED, 0
            )
            kpis.communities_created = verbs.get(Activity.Verb.COMMUNITY_CREATED, 0)
            kpis.invitations_sent, kpis.invitations_accepted = invitations
        results[name] = kpis
    return results


def _invitations(since, until, community: Community | None) -> tuple[int, int]:
    from guests.models import Invitation

    invitations = Invitation.objects.all()
    if community is not None:
        invitations = invitations.filter(communities=community)
    counts = invitations.aggregate(
        sent=Count("id", filter=Q(created_at__gte=since, created_at__lt=until), distinct=True),
        accepted=Count(
            "id", filter=Q(accepted_at__gte=since, accepted_at__lt=until), distinct=True
        ),
    )
    return counts["sent"], counts["accepted"]


@dataclass
class Month:
    month: datetime.date
    registered: int
    connected: int
    active: int


def value(kpis: dict[str, Kpis], split: str, key: str) -> int | float | None:
    """One cell of the report; None where the number exists only for everyone together."""
    if key in WHOLE_ONLY and split != "all":
        return None
    return kpis[split].as_row()[key]


def adoption_curve(
    *, months: int = 12, today: datetime.date | None = None, community: Community | None = None
) -> list[Month]:
    """Month by month, with the definitions of ``DEFINITIONS``: accounts registered by the
    month's end, connected during it, active during it. Connected and active are distinct
    (account, month) pairs read in two queries (one per source) and joined here, so that
    every active account is also connected, as in the report. For one community, as in
    :func:`adoption`: its members (by the month's end), their visits, and what they did in
    that community."""
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1 - (months - 1)
    first = datetime.date(index // 12, index % 12 + 1, 1)
    since, _until = _bounds(first, today)
    people = get_user_model().objects.all()
    visits = Connection.objects.filter(day__gte=first)
    activity = Activity.objects.all()
    members: list[tuple[int, datetime.datetime | None]] | None = None
    if community is not None:
        members = list(
            Membership.objects.filter(
                community=community, status=Membership.Status.ACTIVE
            ).values_list("user_id", "expires_at")
        )
        people = people.filter(pk__in=[pk for pk, _ends in members])
        visits = visits.filter(user__in=[pk for pk, _ends in members])
        activity = activity.filter(community=community)
    joined = list(people.order_by("date_joined").values_list("date_joined", "pk"))
    ends = dict(members or [])
    came = set(visits.annotate(m=TruncMonth("day")).values_list("user_id", "m").distinct())
    contributed = {
        (actor, m.date() if isinstance(m, datetime.datetime) else m)
        for actor, m in activity.filter(
            created_at__gte=since, verb__in=CONTRIBUTIONS, actor__isnull=False
        )
        .annotate(m=TruncMonth("created_at", tzinfo=timezone.get_default_timezone()))
        .values_list("actor", "m")
        .distinct()
    }
    connected: dict[datetime.date, int] = {}
    for _user, m in came | contributed:
        connected[m] = connected.get(m, 0) + 1
    active: dict[datetime.date, int] = {}
    for _user, m in contributed:
        active[m] = active.get(m, 0) + 1
    result = []
    month = first
    while month <= today:
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        _s, month_end = _bounds(month, following - datetime.timedelta(days=1))
        result.append(
            Month(
                month=month,
                registered=sum(
                    1
                    for d, pk in joined
                    if d < month_end and (ends.get(pk) is None or ends[pk] > month_end)
                ),
                connected=connected.get(month, 0),
                active=active.get(month, 0),
            )
        )
        month = following
    return result
