"""Incoming webhooks: created by a lead, called by another tool, refused cleanly."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from communities import selectors as community_selectors
from communities import services as cs
from communities.models import Activity, Post
from integrations import services
from integrations.models import IntegrationPost, Webhook
from portal.core.tokens import token_hash
from tests.communities.conftest import add_member

pytestmark = pytest.mark.django_db


def call(client, token, body, content_type="application/json", **extra):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(
        reverse("integrations:webhook", args=[token]), data, content_type=content_type, **extra
    )


def test_the_token_is_random_shown_once_and_stored_hashed(crm):
    webhook, token = crm
    assert len(token) >= 43  # 256 bits, URL-safe base64
    assert token not in webhook.token_hash
    assert webhook.token_hash == token_hash(token)
    assert Webhook.objects.filter(token_hash=token_hash(token)).exists()
    _other, second = services.webhook_create(
        acting_user=webhook.created_by, community=webhook.community, name="Other"
    )
    assert second != token


def test_only_a_lead_creates_a_webhook(sales, sales_member, guest, staff):
    for person in (sales_member, guest):
        with pytest.raises(PermissionDenied):
            services.webhook_create(acting_user=person, community=sales, name="CRM")
    # an administrator manages the community but cannot post there: the hook would be dead
    with pytest.raises(ValidationError):
        services.webhook_create(acting_user=staff, community=sales, name="CRM")
    with pytest.raises(ValidationError):
        services.webhook_create(acting_user=sales.created_by, community=sales, name="  ")


def test_a_message_becomes_a_post_via_the_webhook(client, crm, sales, sales_member):
    webhook, token = crm
    response = call(
        client,
        token,
        {
            "title": "Deal signed",
            "text": "ACME signed for **3 years**",
            "url": "https://crm.example/d/42",
        },
    )
    assert response.status_code == 201
    post = Post.objects.get(pk=response.json()["post"])
    assert post.community == sales
    assert post.author == webhook.created_by
    assert "<strong>Deal signed</strong>" in post.body_html
    assert 'href="https://crm.example/d/42"' in post.body_html
    assert IntegrationPost.objects.get(post=post).source_name == "CRM"
    assert Activity.objects.filter(verb=Activity.Verb.POST_CREATED, target_id=post.pk).exists()
    webhook.refresh_from_db()
    assert webhook.last_used_at is not None
    # the feed shows where it came from
    feed = community_selectors.community_feed(user=sales_member, community=sales)
    assert [p.via for p in feed.page.items] == ["CRM"]
    client.force_login(sales_member)
    page = client.get(reverse("communities:detail", args=[sales.slug]))
    assert "via CRM" in page.content.decode()


def test_slack_shape_and_links(client, crm):
    _webhook, token = crm
    response = call(client, token, {"text": "New lead: <https://crm.example/l/7|Lakeside Hotel>"})
    assert response.status_code == 201
    post = Post.objects.get(pk=response.json()["post"])
    assert '<a href="https://crm.example/l/7"' in post.body_html
    assert "Lakeside Hotel</a>" in post.body_html


def test_html_and_mentions_from_outside_stay_text(client, crm, sales_member):
    _webhook, token = crm
    response = call(
        client, token, {"text": f"<script>alert(1)</script> @**{sales_member.display_name}**"}
    )
    post = Post.objects.get(pk=response.json()["post"])
    assert "<script>" not in post.body_html
    assert "&lt;script&gt;" in post.body_html
    assert not post.mentions.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ({"text": "hi"}, "text/plain", 415),
        ("text=hi", "application/x-www-form-urlencoded", 415),
        ("{not json", "application/json", 400),
        ([1, 2], "application/json", 400),
        ({"text": ""}, "application/json", 400),
        ({"text": 42}, "application/json", 400),
        ({"title": "no text"}, "application/json", 400),
        ({"text": "x", "url": "javascript:alert(1)"}, "application/json", 400),
        ({"text": "x", "title": "t" * 201}, "application/json", 400),
        ({"text": "x" * 70_000}, "application/json", 413),
    ],
)
def test_refusals_post_nothing(client, crm, body, content_type, status):
    _webhook, token = crm
    response = call(client, token, body, content_type=content_type)
    assert response.status_code == status
    assert response.json()["ok"] is False
    assert not Post.objects.exists()


def test_a_deeply_nested_body_is_refused_not_crashed(client, crm):
    _webhook, token = crm
    response = call(client, token, "[" * 100_000 + "]" * 100_000)
    assert response.status_code in (400, 413)
    assert not Post.objects.exists()


def test_bad_token_and_revoked_webhook_are_404(client, crm, lead):
    webhook, token = crm
    assert call(client, token + "x", {"text": "hi"}).status_code == 404
    assert call(client, "x" * 43, {"text": "hi"}).status_code == 404
    services.webhook_revoke(acting_user=lead, webhook=webhook)
    assert call(client, token, {"text": "hi"}).status_code == 404
    assert not Post.objects.exists()


def test_only_post_is_accepted(client, crm):
    _webhook, token = crm
    assert client.get(reverse("integrations:webhook", args=[token])).status_code == 405


def test_a_flood_is_throttled_per_webhook(client, crm, sales, lead, settings):
    settings.INTEGRATIONS_WEBHOOK_RATE_PER_MINUTE = 3
    _webhook, token = crm
    _other, other_token = services.webhook_create(acting_user=lead, community=sales, name="Zap")
    statuses = [call(client, token, {"text": f"deal {n}"}).status_code for n in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    assert Post.objects.count() == 3
    # another webhook has its own budget
    assert call(client, other_token, {"text": "other"}).status_code == 201


def test_the_webhook_stops_when_its_creator_can_no_longer_post(client, crm, sales, lead, member):
    _webhook, token = crm

    add_member(sales, lead, member)
    membership = sales.memberships.get(user=member)
    cs.membership_set_role(acting_user=lead, membership=membership, role="lead")
    cs.membership_leave(acting_user=lead, community=sales)
    assert call(client, token, {"text": "hi"}).status_code == 404
    assert not Post.objects.exists()


def test_lead_pages(client, lead, sales, member):
    client.force_login(lead)
    url = reverse("integrations:community", args=[sales.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        reverse("integrations:webhook_create", args=[sales.slug]), {"name": "CRM"}
    )
    assert response.status_code == 200
    webhook = Webhook.objects.get()
    shown = response.context["new_webhook"]["url"]
    token = shown.rstrip("/").rsplit("/", 1)[1]
    assert webhook.token_hash == token_hash(token)
    assert shown in response.content.decode()
    # the address is never shown again
    assert shown not in client.get(url).content.decode()
    response = client.post(reverse("integrations:webhook_revoke", args=[webhook.pk]))
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.revoked_at is not None
    bad = client.post(reverse("integrations:webhook_create", args=[sales.slug]), {"name": ""})
    assert bad.status_code == 400
    client.force_login(member)
    assert client.get(url).status_code == 404
