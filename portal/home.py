"""What the home page shows a signed-in person, beside the editors' content: their
communities with unread counts, their next events, the documents awaiting their review and
the latest news. Every part comes from the selector that applies the policy, so a guest sees
only what they may see. The number of queries does not grow with any of these."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from communities import permissions
from communities import selectors as community_selectors
from documents import selectors as document_selectors
from events import selectors as event_selectors
from portal.pages.models import NewsPage

UPCOMING_DAYS = 31
UPCOMING_EVENTS = 5
REVIEWS = 5
NEWS = 5


@dataclass
class Dashboard:
    communities: list[Any] = field(default_factory=list)  # with ``unread``
    unread_cap: int = community_selectors.UNREAD_CAP  # "99+" from there
    events: list[Any] = field(default_factory=list)  # occurrences (events.selectors.Item)
    reviews: list[Any] = field(default_factory=list)  # documents.Reviewer rows
    news: list[Any] = field(default_factory=list)  # pages.NewsPage
    can_find_communities: bool = False  # offer "Find one" (never to guests)


def dashboard_for(request: HttpRequest, *, now: datetime.datetime | None = None) -> Dashboard:
    user = request.user
    if not user.is_authenticated:
        return Dashboard()
    now = now or timezone.now()
    events = event_selectors.agenda(
        user=user, start=now, end=now + datetime.timedelta(days=UPCOMING_DAYS)
    )
    return Dashboard(
        communities=community_selectors.communities_with_unread(user=user),
        events=[item for item in events if not item.cancelled][:UPCOMING_EVENTS],
        reviews=document_selectors.reviews_awaiting(user=user)[:REVIEWS],
        news=list(NewsPage.objects.visible_to(request)[:NEWS]),
        can_find_communities=permissions.can_find_communities(user),
    )
