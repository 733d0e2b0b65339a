"""The devices page and the endpoints push.js posts to; sign-out forgets the session's."""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from portal.push.models import PushSubscription
from tests.factories import PASSWORD, UserFactory
from tests.push_service import subscribe

pytestmark = pytest.mark.django_db

ANDROID_FIREFOX = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"


def post_json(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def test_turning_push_on_stores_this_browser_for_this_session(member_client, member, push_service):
    browser = push_service.browser()
    response = post_json(
        member_client,
        reverse("push:subscribe"),
        browser.subscription_json(),
        HTTP_USER_AGENT=ANDROID_FIREFOX,
    )
    assert response.status_code == 201
    subscription = PushSubscription.objects.get()
    assert response.json() == {"id": subscription.pk, "device": "Firefox on Android"}
    assert (subscription.user, subscription.endpoint) == (member, browser.endpoint)
    assert (subscription.p256dh, subscription.auth) == (browser.p256dh, browser.auth)
    assert subscription.session_key == member_client.session.session_key


def test_a_bad_subscription_is_refused_with_its_reason(member_client, push_service):
    browser = push_service.browser()
    bad = {"endpoint": "https://example.org/collect", "keys": browser.subscription_json()["keys"]}
    response = post_json(member_client, reverse("push:subscribe"), bad)
    assert response.status_code == 400
    assert response.json() == {"error": "This is not the address of a push service."}
    response = member_client.post(
        reverse("push:subscribe"), "not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert not PushSubscription.objects.exists()


def test_the_endpoints_need_the_csrf_token(member, push_service):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    browser = push_service.browser()
    response = post_json(client, reverse("push:subscribe"), browser.subscription_json())
    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_without_keys_push_cannot_be_turned_on(member_client, push_service, settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    browser = push_service.browser()
    response = post_json(member_client, reverse("push:subscribe"), browser.subscription_json())
    assert response.status_code == 400
    page = member_client.get(reverse("push:devices")).content.decode()
    assert "not set up on this site" in page and "data-push-on" not in page


def test_turning_push_off_forgets_only_this_endpoint_of_mine(
    member_client, member, lead, push_service
):
    mine, other = push_service.browser(), push_service.browser()
    subscribe(member, mine)
    theirs = subscribe(lead, other)
    response = post_json(member_client, reverse("push:unsubscribe"), {"endpoint": other.endpoint})
    assert response.json() == {"removed": 0}
    response = post_json(member_client, reverse("push:unsubscribe"), {"endpoint": mine.endpoint})
    assert response.json() == {"removed": 1}
    assert list(PushSubscription.objects.all()) == [theirs]


def test_the_devices_page_lists_my_devices_and_removes_one(
    member_client, member, lead, push_service, django_assert_max_num_queries
):
    phone = subscribe(member, push_service.browser(), device="Firefox on Android")
    subscribe(member, push_service.browser(), device="Chrome on Linux")
    theirs = subscribe(lead, push_service.browser(), device="Safari on iPhone")
    with django_assert_max_num_queries(12):
        response = member_client.get(reverse("push:devices"))
    page = response.content.decode()
    assert "Firefox on Android" in page and "Chrome on Linux" in page
    assert "Safari on iPhone" not in page
    assert f'<meta name="vapid-key" content="{settings.VAPID_PUBLIC_KEY}">' in page
    assert reverse("push:remove", args=[phone.pk]) in page
    assert "Turn on push on this device" in page

    assert member_client.post(reverse("push:remove", args=[theirs.pk])).status_code == 404
    response = member_client.post(reverse("push:remove", args=[phone.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("push:devices")
    assert set(PushSubscription.objects.values_list("device", flat=True)) == {
        "Chrome on Linux",
        "Safari on iPhone",
    }


def test_the_page_stays_within_its_queries_with_more_devices(
    member_client, member, push_service, django_assert_max_num_queries
):
    for _ in range(15):
        subscribe(member, push_service.browser())
    with django_assert_max_num_queries(12):
        assert member_client.get(reverse("push:devices")).status_code == 200


def test_every_signed_in_page_loads_push_js_for_sign_out(member_client, client):
    page = member_client.get(reverse("communities:notifications")).content.decode()
    assert 'src="/static/portal/js/push.js"' in page
    assert f'data-unsubscribe-url="{reverse("push:unsubscribe")}"' in page
    assert "push.js" not in client.get(reverse("account_login")).content.decode()


def test_signing_out_forgets_the_devices_of_that_session_only(push_service):
    person = UserFactory()
    phone, laptop = Client(), Client()
    for client in (phone, laptop):
        response = client.post(
            reverse("account_login"), {"login": person.email, "password": PASSWORD}
        )
        assert response.status_code == 302
    on_phone, on_laptop = push_service.browser(), push_service.browser()
    post_json(phone, reverse("push:subscribe"), on_phone.subscription_json())
    post_json(laptop, reverse("push:subscribe"), on_laptop.subscription_json())
    assert PushSubscription.objects.count() == 2

    phone.post(reverse("account_logout"))

    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [on_laptop.endpoint]
