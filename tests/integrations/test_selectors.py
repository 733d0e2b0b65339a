"""The "via" annotation on every feed: one subquery, the same query count whatever the page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities import selectors as community_selectors
from communities import services as cs
from integrations import selectors, services

pytestmark = pytest.mark.django_db


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_via_costs_no_query_per_post(client, crm, sales, sales_member, lead):
    webhook, _token = crm
    client.force_login(sales_member)
    url = reverse("communities:detail", args=[sales.slug])

    def add(n):
        for i in range(n):
            services.webhook_post(webhook=webhook, text=f"deal {i}")
            cs.post_create(acting_user=lead, community=sales, body=f"note {i}")

    add(2)
    _page_queries(client, url)  # warm the caches
    add(1)  # each measured visit finds new posts (and moves the reader's last-read mark)
    small = _page_queries(client, url)
    add(4)
    assert _page_queries(client, url) == small


def test_via_is_none_for_people_and_the_name_for_integrations(crm, sales, lead, sales_member):
    webhook, _token = crm
    services.webhook_post(webhook=webhook, text="deal")
    cs.post_create(acting_user=lead, community=sales, body="by hand")
    items = community_selectors.community_feed(user=sales_member, community=sales).page.items
    assert {p.body: p.via for p in items} == {"deal": "CRM", "by hand": None}
    home = community_selectors.home_feed(user=sales_member).items
    assert {p.via for p in home} == {"CRM", None}


def test_feeds_due_respects_the_interval(lead, sales, settings):
    from django.utils import timezone

    feed = services.feed_create(
        acting_user=lead, community=sales, name="Blog", url="https://blog.example.org/f"
    )
    assert selectors.feeds_due() == [feed.pk]
    feed.last_checked_at = timezone.now()
    feed.save(update_fields=["last_checked_at"])
    assert selectors.feeds_due() == []
    later = timezone.now() + timezone.timedelta(seconds=settings.INTEGRATIONS_FEED_INTERVAL_SECONDS)
    assert selectors.feeds_due(now=later) == [feed.pk]
