"""The documents section of a digest: what waits for my review, soonest due first."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from communities.digests import Item, Section
from communities.models import Community
from documents.models import Reviewer, ReviewRequest


def awaiting_review(
    user: Any, communities: list[Community], starts_at: datetime.datetime, ends_at: Any
) -> dict[int, list[Section]]:
    """One query, whatever the number of communities."""
    items: dict[int, list[Item]] = defaultdict(list)
    for reviewer in (
        Reviewer.objects.filter(
            user=user.pk,
            decision=Reviewer.Decision.PENDING,
            request__status__in=[ReviewRequest.Status.OPEN, ReviewRequest.Status.CHANGES],
            request__document__community__in=[c.pk for c in communities],
        )
        .select_related("request__document")
        .order_by("request__due_on", "id")
    ):
        document = reviewer.request.document
        items[document.community_id].append(
            Item(
                title=document.title,
                url=reverse("documents:detail", args=[document.pk]),
                detail=_("due %(date)s")
                % {"date": formats.date_format(reviewer.request.due_on, "SHORT_DATE_FORMAT")},
            )
        )
    return {pk: [Section(_("Awaiting your review"), rows)] for pk, rows in items.items()}
