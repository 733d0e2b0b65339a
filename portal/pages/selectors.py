"""Reads about editorial pages that other parts of the portal show."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from communities.digests import Item, Section, shared_per_community
from communities.models import Community
from portal.pages.models import PageAnnouncement


def annotate_announced(posts: QuerySet) -> QuerySet:
    """``announced``: the post carries an editorial page (the feed labels it). One
    correlated subquery on a unique column, whatever the page size."""
    return posts.annotate(announced=Exists(PageAnnouncement.objects.filter(post=OuterRef("pk"))))


def exclude_announced(posts: QuerySet) -> QuerySet:
    """Posts that carry an editorial page: the digest lists them "From the editors"."""
    return posts.exclude(Exists(PageAnnouncement.objects.filter(post=OuterRef("pk"))))


def digest_pages(
    user: Any,
    communities: list[Community],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
) -> dict[int, list[Section]]:
    """Pages the editors published to each community in the period: they are in the digest
    whatever their likes, unlike the most engaging posts. The same for every reader of a
    community: computed once per community and period for a batch of digests (one query)."""

    def compute(missing: list[int]) -> dict[int, list[tuple[str, str, str]]]:
        found: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for announcement in (
            PageAnnouncement.objects.filter(
                community__in=missing,
                created_at__gte=starts_at,
                created_at__lt=ends_at,
                page__live=True,
            )
            .select_related("page")
            .order_by("created_at", "pk")
        ):
            page = announcement.page
            found[announcement.community_id].append(
                (page.title, page.url or "", page.search_description)
            )
        return found

    shared = shared_per_community("pages", [c.pk for c in communities], starts_at, ends_at, compute)
    return {
        pk: [Section(_("From the editors"), [Item(*row) for row in rows])]
        for pk, rows in shared.items()
        if rows
    }
