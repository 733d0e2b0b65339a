"""The demo shows journey 6 without touching the network, and stays idempotent."""

from __future__ import annotations

import pytest

from communities.models import Post
from integrations.models import Feed, IntegrationPost, Webhook
from portal import demo

pytestmark = pytest.mark.django_db


def test_demo_webhook_and_feed(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo.seed()
    crm = Webhook.objects.get(name="CRM")
    assert crm.community.slug == "sales"
    deal = IntegrationPost.objects.get(webhook=crm).post
    assert "Deal signed" in deal.body_html
    feed = Feed.objects.get()
    assert feed.community.slug == "sustainable-tourism"
    assert feed.is_paused and feed.last_checked_at is None  # never fetched
    assert IntegrationPost.objects.filter(feed=feed).count() == 2
    posts = Post.objects.count()
    demo.seed()
    assert Post.objects.count() == posts
    assert Webhook.objects.count() == 1 and Feed.objects.count() == 1
