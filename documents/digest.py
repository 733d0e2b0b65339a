"""The documents section of a digest: what waits for my review, soonest due first."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from communities.digests import Item, Section, shared_per_community
from communities.models import Community
from documents.models import Reviewer, ReviewRequest


def awaiting_review(
    user: Any, communities: list[Community], starts_at: datetime.datetime, ends_at: Any
) -> dict[int, list[Section]]:
    """What waits for this person's review in each community, soonest due first. Every
    pending review of a community is read once per period for a batch of digests (one query
    for the communities not cached yet), then each reader takes their own."""

    def compute(missing: list[int]) -> dict[int, list[tuple[int, int, str, datetime.date]]]:
        found: dict[int, list[tuple[int, int, str, datetime.date]]] = defaultdict(list)
        for user_id, community_id, document_id, title, due_on in (
            Reviewer.objects.filter(
                decision=Reviewer.Decision.PENDING,
                request__status__in=[ReviewRequest.Status.OPEN, ReviewRequest.Status.CHANGES],
                request__document__community__in=missing,
            )
            .order_by("request__due_on", "id")
            .values_list(
                "user_id",
                "request__document__community_id",
                "request__document_id",
                "request__document__title",
                "request__due_on",
            )
        ):
            found[community_id].append((user_id, document_id, title, due_on))
        return found

    shared = shared_per_community(
        "reviews", [c.pk for c in communities], starts_at, ends_at, compute
    )
    detail_url = reverse("documents:detail", args=[0]).replace("/0/", "/{}/")  # reversed once
    sections: dict[int, list[Section]] = {}
    for community_id, rows in shared.items():
        items = [
            Item(
                title=title,
                url=detail_url.format(document_id),
                detail=_("due %(date)s")
                % {"date": formats.date_format(due_on, "SHORT_DATE_FORMAT")},
            )
            for user_id, document_id, title, due_on in rows
            if user_id == user.pk
        ]
        if items:
            sections[community_id] = [Section(_("Awaiting your review"), items)]
    return sections
