"""What the home page shows a signed-in person, beside the editors' content: their
communities with unread counts, what awaits them (reviews to give, invitations to answer,
requests to join still waiting, access ending soon), their next events and the latest news;
for a lead, also what needs her (people asking to join, the reviews she asked for). Every
part comes from a read that applies the policy, so a guest sees only what they may see. The
number of queries does not grow with any of these (tests/portal/test_home.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from communities import permissions
from communities import selectors as community_selectors
from communities.models import Membership
from documents import selectors as document_selectors
from documents.models import Reviewer, ReviewRequest
from events import selectors as event_selectors
from portal.pages.models import NewsPage

UPCOMING_DAYS = 31
UPCOMING_EVENTS = 5
REVIEWS = 5
NEWS = 5
ENDING_DAYS = 14  # "your access ends soon" from this many days before the end
ASKED_REVIEWS = 5


@dataclass
class Dashboard:
    communities: list[Any] = field(default_factory=list)  # with ``unread``
    unread_cap: int = community_selectors.UNREAD_CAP  # "99+" from there
    events: list[Any] = field(default_factory=list)  # occurrences (events.selectors.Item)
    reviews: list[Any] = field(default_factory=list)  # documents.Reviewer rows
    news: list[Any] = field(default_factory=list)  # pages.NewsPage
    can_find_communities: bool = False  # offer "Find one" (never to guests)
    invitations: list[Any] = field(default_factory=list)  # Membership rows, status invited
    requests_sent: list[Any] = field(default_factory=list)  # Membership rows, status requested
    ending: list[Any] = field(default_factory=list)  # communities, with ``my_expires_at``
    # What needs a lead: communities where people ask to join (``pending_requests``), and
    # the running reviews she asked for (``pending`` and ``decided`` reviewer counts).
    join_requests: list[Any] = field(default_factory=list)
    asked_reviews: list[Any] = field(default_factory=list)

    @property
    def awaits(self) -> bool:
        """Something in "Waiting for you"."""
        return bool(self.reviews or self.invitations or self.requests_sent or self.ending)

    @property
    def needs_lead(self) -> bool:
        return bool(self.join_requests or self.asked_reviews)


def _asked_reviews(user: Any) -> list[ReviewRequest]:
    """The running reviews ``user`` asked for, in communities she may still read, with how
    many reviewers have decided and how many have not (one query)."""
    running = ReviewRequest.objects.filter(
        requested_by=user.pk,
        status__in=[ReviewRequest.Status.OPEN, ReviewRequest.Status.CHANGES],
    )
    pending = Q(reviewers__decision=Reviewer.Decision.PENDING)
    decided = Q(reviewers__isnull=False) & ~pending
    return list(
        permissions.filter(user, permissions.VIEW, running, prefix="document__community__")
        .select_related("document__community")
        .annotate(
            pending=Count("reviewers", filter=pending), decided=Count("reviewers", filter=decided)
        )
        .order_by("due_on", "id")[:ASKED_REVIEWS]
    )


def dashboard_for(request: HttpRequest, *, now: datetime.datetime | None = None) -> Dashboard:
    user = request.user
    if not user.is_authenticated:
        return Dashboard()
    now = now or timezone.now()
    events = event_selectors.agenda(
        user=user, start=now, end=now + datetime.timedelta(days=UPCOMING_DAYS)
    )
    communities = community_selectors.communities_with_unread(user=user)
    pending = community_selectors.my_pending_memberships(user=user)
    soon = now + datetime.timedelta(days=ENDING_DAYS)
    return Dashboard(
        communities=communities,
        events=[item for item in events if not item.cancelled][:UPCOMING_EVENTS],
        reviews=document_selectors.reviews_awaiting(user=user)[:REVIEWS],
        news=list(NewsPage.objects.visible_to(request)[:NEWS]),
        can_find_communities=permissions.can_find_communities(user),
        invitations=[m for m in pending if m.status == Membership.Status.INVITED],
        requests_sent=[m for m in pending if m.status == Membership.Status.REQUESTED],
        ending=[
            c for c in communities if c.my_expires_at is not None and now < c.my_expires_at <= soon
        ],
        join_requests=[
            c
            for c in communities
            if c.pending_requests and permissions.can(user, permissions.MANAGE_MEMBERS, c)
        ],
        asked_reviews=_asked_reviews(user),
    )
