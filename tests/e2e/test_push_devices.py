"""A person turns push on for this browser on the devices page, receives a push there, and
turns it off.

Chromium here has no network: the real push service (FCM) is out of reach, so the page's
init script replaces ``PushManager.prototype.subscribe`` (and ``getSubscription``) with one
that returns a subscription whose endpoint is the loopback push service of
tests/push_service.py and whose keys are real: an ECDH P-256 key pair and a 16-byte secret
made by WebCrypto in the page. The site encrypts for those keys; the test decrypts what
arrived with the browser's private key (exported by the page as PKCS#8). Everything else is
real: the permission asked after the click, the service worker registration, the JSON post
with the CSRF token, the page the server renders.
"""

import base64
import json

import pytest
from playwright.sync_api import expect

from communities import notifications
from communities.models import Channel, Notification
from communities.tasks import send_notification_pushes
from portal.accounts.models import User
from portal.push.models import PushSubscription
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import AXE, BLOCKING, RUN_AXE, readable

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CAMILLE = "camille.martin@parvis.example"

# Runs in the page before its own scripts. The fake subscription is kept in localStorage, so
# the page finds it again after it reloads (as a browser keeps its real one).
FAKE_PUSH = """
(() => {
  const ORIGIN = "%(origin)s";
  const KEY = "test-push-subscription";
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  sessionStorage.setItem("permission-asked", sessionStorage.getItem("permission-asked") || "0");
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = function () {
    sessionStorage.setItem("permission-asked",
      String(Number(sessionStorage.getItem("permission-asked")) + 1));
    return ask();
  };
  function subscription(stored) {
    return {
      endpoint: stored.endpoint,
      options: {userVisibleOnly: true},
      toJSON: () => ({endpoint: stored.endpoint, keys: {p256dh: stored.p256dh, auth: stored.auth}}),
      unsubscribe: () => { localStorage.removeItem(KEY); return Promise.resolve(true); }
    };
  }
  PushManager.prototype.getSubscription = function () {
    const stored = localStorage.getItem(KEY);
    return Promise.resolve(stored ? subscription(JSON.parse(stored)) : null);
  };
  PushManager.prototype.subscribe = async function (options) {
    if (!options || !options.userVisibleOnly || !options.applicationServerKey) {
      throw new DOMException("bad options", "NotAllowedError");
    }
    const pair = await crypto.subtle.generateKey(
      {name: "ECDH", namedCurve: "P-256"}, true, ["deriveBits"]);
    const stored = {
      endpoint: ORIGIN + "/push/" + b64url(crypto.getRandomValues(new Uint8Array(12))),
      p256dh: b64url(await crypto.subtle.exportKey("raw", pair.publicKey)),
      auth: b64url(crypto.getRandomValues(new Uint8Array(16))),
      pkcs8: b64url(await crypto.subtle.exportKey("pkcs8", pair.privateKey)),
      serverKey: b64url(options.applicationServerKey)
    };
    localStorage.setItem(KEY, JSON.stringify(stored));
    return subscription(stored);
  };
})();
"""


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_person_turns_push_on_receives_one_and_turns_it_off(
    page, live_server, demo_site, push_service, settings, shot
):
    settings.ROOT_URLCONF = "tests.e2e.push_urls"
    base = live_server.url
    page.context.grant_permissions(["notifications"], origin=base)
    page.context.add_init_script(FAKE_PUSH % {"origin": push_service.origin})
    problems: list[str] = []  # script errors, and anything the CSP refuses
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(page, base, CAMILLE, demo_site.DEMO_PASSWORD)

    page.goto(f"{base}/account/push/")
    expect(page.get_by_role("heading", name="Push notifications", level=1)).to_be_visible()
    status = page.locator("[data-push-status]")
    expect(status).to_have_text("Push notifications are off on this device.")
    expect(page.get_by_text("No device yet")).to_be_visible()
    # No permission prompt on arrival: only the click asks.
    assert page.evaluate("sessionStorage.getItem('permission-asked')") == "0"
    shot(page, "push-1-devices-off")

    page.get_by_role("button", name="Turn on push on this device").click()
    expect(status).to_have_text("Push notifications are on for this device.")
    assert page.evaluate("sessionStorage.getItem('permission-asked')") == "1"
    row = page.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Chrome on Linux")
    expect(row).to_contain_text("this device")
    expect(row).to_contain_text("never")
    expect(page.get_by_role("button", name="Turn off push on this device")).to_be_visible()
    shot(page, "push-2-devices-on")
    # axe-core on the page, wide and on a phone, in a tab of its own (axe's own inline
    # styles would count as refusals of the policy in this one).
    checker = page.context.new_page()
    checker.add_init_script(path=AXE)
    checker.goto(f"{base}/account/push/")
    expect(checker.locator("[data-push-status]")).to_have_text(
        "Push notifications are on for this device."
    )
    violations = [rule for rule in checker.evaluate(RUN_AXE) if rule["impact"] in BLOCKING]
    assert not violations, "\n".join(readable("devices", violations))
    checker.set_viewport_size({"width": 375, "height": 800})  # a phone: the table is cards
    assert checker.evaluate("document.documentElement.scrollWidth") <= 375
    expect(checker.get_by_role("button", name="Remove Chrome on Linux")).to_be_visible()
    shot(checker, "push-3-devices-on-a-phone")
    violations = [rule for rule in checker.evaluate(RUN_AXE) if rule["impact"] in BLOCKING]
    assert not violations, "\n".join(readable("devices at 375 px", violations))
    checker.close()

    stored = json.loads(page.evaluate("localStorage.getItem('test-push-subscription')"))
    assert stored["serverKey"] == settings.VAPID_PUBLIC_KEY  # the page used the site's key
    camille = User.objects.get(email=CAMILLE)
    subscription = PushSubscription.objects.get(user=camille)
    assert (subscription.endpoint, subscription.p256dh) == (stored["endpoint"], stored["p256dh"])
    browser_keys = push_service.add_browser(
        endpoint_token=stored["endpoint"].rsplit("/", 1)[1],
        private_pkcs8=unb64url(stored["pkcs8"]),
        auth=stored["auth"],
    )

    # Something addressed to Camille, given the push channel, is pushed to this browser.
    hugo = User.objects.get(email="hugo.bernard@parvis.example")
    [notification] = notifications.notify(
        users=[camille], kind="mention", actor=hugo, title="See the trail plan", url="/"
    )
    Notification.objects.filter(pk=notification.pk).update(channel=Channel.PUSH)
    send_notification_pushes.delay([notification.pk])
    assert push_service.refused == []
    [payload] = push_service.payloads(browser_keys)
    assert payload["body"] == "See the trail plan"
    assert payload["url"] == f"/notifications/{notification.pk}/"

    page.reload()
    expect(page.locator("tbody tr")).not_to_contain_text("never")  # its last push is shown

    page.get_by_role("button", name="Turn off push on this device").click()
    expect(status).to_have_text("Push notifications are off on this device.")
    expect(page.get_by_text("No device yet")).to_be_visible()
    assert not PushSubscription.objects.filter(user=camille).exists()
    assert page.evaluate("localStorage.getItem('test-push-subscription')") is None
    assert problems == []
