"""Sending with real cryptography to the loopback push service, and the subscriptions."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from portal.push import services
from portal.push.models import PushSubscription
from portal.push.vapid import b64url_decode, generate_keys, public_key_from_private
from tests.factories import UserFactory
from tests.push_service import subscribe

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "title": "Lea Lead mentioned you (Lakeside Trails)",
    "body": "Welcome to the project",
    "url": "/notifications/7/",
    "tag": "notification-7",
    "notification": 7,
}


def test_a_push_is_encrypted_for_the_browser_and_signed_for_its_push_service(member, push_service):
    phone, laptop = push_service.browser(), push_service.browser()
    subscribe(member, phone)
    subscribe(member, laptop, device="Chrome on Linux")
    subscribe(UserFactory(), push_service.browser())  # someone else's: nothing for them

    assert services.push_to_user(user_id=member.pk, payload=PAYLOAD) == 2

    assert push_service.refused == []
    # Each browser decrypted exactly the payload with its own private key and secret.
    assert push_service.payloads(phone) == [PAYLOAD]
    assert push_service.payloads(laptop) == [PAYLOAD]
    assert len(push_service.received) == 2
    delivery = push_service.received[0]
    assert delivery.claims["aud"] == push_service.origin
    assert delivery.claims["sub"] == "mailto:push-tests@parvis.example"
    assert int(delivery.headers["ttl"]) == services.TTL_SECONDS
    assert delivery.headers["content-encoding"] == "aes128gcm"
    # What travelled is not the JSON: the push service itself cannot read it.
    assert b"Welcome" not in delivery.body and b"notification-7" not in delivery.body
    stored = PushSubscription.objects.get(endpoint=phone.endpoint)
    assert stored.last_success_at is not None and stored.failures == 0


def test_a_push_signed_with_another_key_is_refused_by_the_push_service(member, settings):
    from tests.push_service import PushService

    other_public, _other_private = generate_keys()
    with PushService(vapid_public_key=other_public) as strict:
        subscribe(member, strict.browser())
        assert services.push_to_user(user_id=member.pk, payload=PAYLOAD) == 0
        assert strict.received == []
        assert strict.refused == ["k is not the site's public key"]
    assert PushSubscription.objects.get(user=member).failures == 1


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_removed(member, push_service, status):
    gone, kept = push_service.browser(), push_service.browser()
    subscribe(member, gone)
    subscribe(member, kept)
    push_service.answer(gone, status)

    assert services.push_to_user(user_id=member.pk, payload=PAYLOAD) == 1

    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [kept.endpoint]


def test_a_failing_push_service_keeps_the_subscription_and_counts(member, push_service):
    browser = push_service.browser()
    subscribe(member, browser)
    push_service.answer(browser, 500)
    assert services.push_to_user(user_id=member.pk, payload=PAYLOAD) == 0
    assert services.push_to_user(user_id=member.pk, payload=PAYLOAD) == 0
    subscription = PushSubscription.objects.get()
    assert (subscription.failures, subscription.last_success_at) == (2, None)
    push_service.answer(browser, 201)
    assert services.push_to_user(user_id=member.pk, payload=PAYLOAD) == 1
    assert PushSubscription.objects.get().failures == 0


def test_an_unreachable_push_service_is_a_counted_failure(member, push_service):
    browser = push_service.browser()
    subscribe(member, browser)
    push_service.__exit__()  # nobody listens on that port any more
    assert services.push_to_user(user_id=member.pk, payload=PAYLOAD) == 0
    assert PushSubscription.objects.get().failures == 1


def test_a_long_payload_is_cut_to_fit_but_keeps_its_link(member, push_service):
    browser = push_service.browser()
    subscribe(member, browser)
    long = {**PAYLOAD, "body": "word " * 2000}
    assert services.push_to_user(user_id=member.pk, payload=long) == 1
    [received] = push_service.payloads(browser)
    assert len(json.dumps(received).encode()) <= services.PAYLOAD_MAX_BYTES
    assert received["url"] == PAYLOAD["url"] and received["tag"] == PAYLOAD["tag"]
    assert received["body"].startswith("word word") and received["body"].endswith("…")


def test_without_keys_nothing_is_sent(member, push_service, settings):
    subscribe(member, push_service.browser())
    settings.VAPID_PRIVATE_KEY = ""
    assert services.push_to_user(user_id=member.pk, payload=PAYLOAD) == 0
    assert push_service.received == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # not HTTPS
        "https://example.org/push/abc",  # not a push service
        "https://fcm.googleapis.com.evil.example/abc",
        "https://user:pw@fcm.googleapis.com/abc",
        "http://localhost:8000/admin/",  # plain HTTP only to the loopback address
        "javascript:alert(1)",
        "",
    ],
)
def test_only_known_push_services_are_accepted(member, endpoint, push_service):
    browser = push_service.browser()
    with pytest.raises(ValidationError):
        services.subscription_save(
            user=member, endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth
        )
    assert not PushSubscription.objects.exists()


def test_known_push_services_are_accepted(member, push_service):
    browser = push_service.browser()
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/QOh1",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
    ):
        services.subscription_save(
            user=member, endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth
        )
    assert PushSubscription.objects.filter(user=member).count() == 4


def test_keys_that_cannot_be_used_are_refused(member, push_service):
    browser = push_service.browser()
    for p256dh, auth in [
        (browser.p256dh, "short"),
        (browser.auth, browser.auth),  # 16 bytes where 65 are needed
        ("not base64!", browser.auth),
    ]:
        with pytest.raises(ValidationError):
            services.subscription_save(
                user=member, endpoint=browser.endpoint, p256dh=p256dh, auth=auth
            )


def test_an_endpoint_belongs_to_the_last_person_who_turned_push_on_with_it(
    member, lead, push_service
):
    browser = push_service.browser()
    subscribe(member, browser, session_key="a")
    subscribe(lead, browser, session_key="b")
    subscription = PushSubscription.objects.get()
    assert (subscription.user, subscription.session_key) == (lead, "b")


def test_removing_touches_only_ones_own_devices(member, lead, push_service):
    mine = subscribe(member, push_service.browser())
    theirs = subscribe(lead, push_service.browser())
    assert services.subscription_remove(user=member, pk=theirs.pk) == 0
    assert services.subscription_remove(user=member, endpoint=theirs.endpoint) == 0
    assert services.subscription_remove(user=member) == 0
    assert services.subscription_remove(user=member, endpoint=mine.endpoint) == 1
    assert list(PushSubscription.objects.all()) == [theirs]


def test_device_names():
    assert (
        services.device_name("Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0")
        == "Firefox on Android"
    )
    assert (
        services.device_name(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
        )
        == "Safari on iPhone"
    )
    assert (
        services.device_name(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
        )
        == "Edge on Windows"
    )
    assert services.device_name("curl/8.0") == ""


def test_the_vapid_keys_command_writes_a_pair_once(tmp_path, settings):
    settings.VAPID_KEYS_FILE = tmp_path / "var" / "vapid.json"
    call_command("vapid_keys")
    first = json.loads(settings.VAPID_KEYS_FILE.read_text())
    assert public_key_from_private(first["private_key"]) == first["public_key"]
    assert len(b64url_decode(first["public_key"])) == 65
    assert settings.VAPID_KEYS_FILE.stat().st_mode & 0o777 == 0o600
    call_command("vapid_keys")  # kept: new keys would orphan every subscription
    assert json.loads(settings.VAPID_KEYS_FILE.read_text()) == first
    call_command("vapid_keys", "--force")
    assert json.loads(settings.VAPID_KEYS_FILE.read_text()) != first
