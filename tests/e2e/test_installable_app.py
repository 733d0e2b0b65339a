"""Parvis as an installed app, in Chromium (portal/pwa.py, templates/portal/sw.js, pwa.js):
the manifest is valid and the app installable, the service worker controls the pages, the
offline page stands in for what was not kept (a private page is never kept), signing out
empties the caches and cancels the device's push subscription, and a push shows a
notification that opens its page."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CONTROLLED = "() => navigator.serviceWorker.controller !== null"
ACTIVE = "async () => !!(await navigator.serviceWorker.getRegistration('/'))?.active"
STATE = """async () => ({
  registrations: (await navigator.serviceWorker.getRegistrations()).map(r => [
    r.scope, r.installing && r.installing.state, r.waiting && r.waiting.state,
    r.active && r.active.state]),
  controlled: !!navigator.serviceWorker.controller,
  url: location.href,
})"""
CACHED_URLS = """async () => {
  const urls = [];
  for (const key of await caches.keys()) {
    const cache = await caches.open(key);
    for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
  }
  return urls;
}"""


@pytest.fixture(autouse=True)
def editorial_pages(transactional_db):
    """The home page and the news, as the demo publishes them (public editorial pages)."""
    from portal import demo

    demo.seed_pages()


def _controlled(page, url: str) -> None:
    """Open ``url`` and wait until the service worker controls the page (it claims the
    pages open when it activates, after precaching)."""
    page.goto(url)
    _until(page, ACTIVE, timeout=30_000)
    if not page.evaluate(CONTROLLED):
        # The page opened while the worker was still installing, after its activation
        # claimed the pages then open: the next one is controlled, as for a person.
        page.reload()
    _until(page, CONTROLLED)


def _until(page, predicate: str, timeout: float = 15_000) -> None:
    """Wait until ``predicate`` (a function, maybe async) holds. Not ``wait_for_function``:
    its polling evaluates a string in the page, which the Content-Security-Policy forbids,
    and it takes the promise an async function returns for a true value."""
    waited = 0
    while not page.evaluate(predicate):
        assert waited < timeout, (predicate, page.evaluate(STATE))
        page.wait_for_timeout(100)
        waited += 100


def _person():
    return UserFactory(email="ines.moreau@parvis.example", display_name="Inès Moreau")


@pytest.fixture
def profile_tab(browser_type, browser_type_launch_args, browser_context_args, tmp_path):
    """A tab of a browser with a profile on disk: Chrome offers no installation in an
    incognito profile (each test's ``context`` is one)."""
    app = browser_type.launch_persistent_context(
        tmp_path / "profile", **browser_type_launch_args, **browser_context_args
    )
    try:
        yield app.pages[0] if app.pages else app.new_page()
    finally:
        app.close()


def test_the_manifest_is_valid_and_the_app_installable(profile_tab, live_server, shot):
    base = live_server.url
    page = profile_tab
    _controlled(page, f"{base}/")
    cdp = page.context.new_cdp_session(page)

    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{base}/manifest.webmanifest"
    assert manifest["errors"] == []
    data = json.loads(manifest["data"])
    assert (data["name"], data["short_name"], data["display"]) == ("Parvis", "Parvis", "standalone")
    assert (data["start_url"], data["scope"], data["id"]) == ("/?source=pwa", "/", "/")
    # What Chrome needs to offer "Install": nothing missing.
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    # Every icon loads, and is the size the manifest says.
    purposes = set()
    for icon in data["icons"]:
        answer = page.request.get(f"{base}{icon['src']}")
        assert answer.ok, icon["src"]
        assert answer.headers["content-type"] == icon["type"], icon["src"]
        purposes.add(icon.get("purpose", "any"))
        if icon["type"] == "image/png":
            with Image.open(io.BytesIO(answer.body())) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"], icon["src"]
    assert purposes == {"any", "maskable"}
    # The shortcuts lead to pages of the site (the sign-in page first, signed out).
    for shortcut in data["shortcuts"]:
        assert page.request.get(f"{base}{shortcut['url']}").ok, shortcut
    shot(page, "app-1-installable")


def test_a_private_page_is_never_kept_and_the_offline_page_stands_in(page, live_server, shot):
    base = live_server.url
    _person()
    sign_in(page, base, "ines.moreau@parvis.example", PASSWORD)
    _controlled(page, f"{base}/messages/")
    answer = page.goto(f"{base}/messages/")  # through the service worker now
    assert answer.headers["cache-control"] == "private, no-store"
    expect(page.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    kept = page.evaluate(CACHED_URLS)
    assert "/offline/" in kept and "/static/portal/css/parvis.css" in kept
    assert not [url for url in kept if not url.startswith(("/static/", "/offline/"))], kept

    page.context.set_offline(True)
    # A private page visited before: not kept, the offline page instead.
    page.goto(f"{base}/messages/")
    expect(page.get_by_role("heading", name="You are offline", level=1)).to_be_visible()
    assert page.evaluate("() => location.pathname") == "/messages/"
    # Drawn with the design system (its style sheet came from the cache).
    assert page.evaluate("() => getComputedStyle(document.body).fontFamily").startswith('"Inter')
    shot(page, "app-2-offline")
    # A page never visited.
    page.goto(f"{base}/calendar/")
    expect(page.get_by_role("heading", name="You are offline", level=1)).to_be_visible()
    # Back online, "Try again" opens the page asked for.
    page.context.set_offline(False)
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", name="My agenda", level=1)).to_be_visible()


def test_a_public_page_visited_signed_out_is_there_offline(page, live_server):
    base = live_server.url
    _controlled(page, f"{base}/")
    answer = page.goto(f"{base}/")
    assert "public" in answer.headers["cache-control"]
    title = page.title()
    page.context.set_offline(True)
    page.goto(f"{base}/")
    assert page.title() == title
    expect(page.get_by_role("heading", name="You are offline")).to_have_count(0)


def test_the_offline_page_in_french(page, live_server):
    base = live_server.url
    person = _person()
    person.language = "fr"
    person.save(update_fields=["language"])
    sign_in(page, base, "ines.moreau@parvis.example", PASSWORD)
    # Installed on the sign-in page, in the browser's English; then a page comes in French
    # through the service worker, and the offline page kept becomes the French one.
    _controlled(page, f"{base}/communities/")
    page.goto(f"{base}/communities/")
    _until(
        page,
        """async () => {
          const kept = await caches.match("/offline/");
          return !!kept && kept.headers.get("Content-Language") === "fr";
        }""",
    )
    page.context.set_offline(True)
    page.goto(f"{base}/communities/")
    expect(page.get_by_role("heading", name="Vous êtes hors ligne", level=1)).to_be_visible()
    assert page.evaluate("() => document.documentElement.lang") == "fr"


# The browser's push service (FCM) is out of reach without network, so this device's
# subscription is stood in for: getSubscription answers an object whose unsubscribe() notes
# that it was called (in sessionStorage, which survives the sign-out's navigation).
FAKE_SUBSCRIPTION = """
PushManager.prototype.getSubscription = function () {
  if (sessionStorage.getItem("unsubscribed")) return Promise.resolve(null);
  return Promise.resolve({
    endpoint: "http://127.0.0.1:9/push/this-device",
    unsubscribe: function () {
      sessionStorage.setItem("unsubscribed", "yes");
      return Promise.resolve(true);
    },
  });
};
"""


def test_signing_out_empties_the_caches_and_cancels_push(page, live_server):
    base = live_server.url
    _person()
    page.add_init_script(FAKE_SUBSCRIPTION)
    sign_in(page, base, "ines.moreau@parvis.example", PASSWORD)
    _controlled(page, f"{base}/communities/")
    assert page.evaluate("() => caches.keys()") != []
    worker = page.context.service_workers[0]

    # What the device holds at the moment the sign-out leaves for the server.
    at_sign_out = {}

    def sign_out(route):
        if route.request.method == "POST":
            at_sign_out["caches"] = worker.evaluate("() => caches.keys()")
        route.continue_()

    page.route("**/accounts/logout/", sign_out)
    page.locator("header .user-menu summary").click()
    page.locator("header .user-menu").get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/")
    assert at_sign_out == {"caches": []}
    assert page.evaluate("() => sessionStorage.getItem('unsubscribed')") == "yes"
    # (Chromium does not report the answer's Clear-Site-Data to Playwright:
    # tests/portal/test_pwa.py checks that the sign-out sends it.)
    expect(page.locator("header").get_by_role("link", name="Sign in")).to_be_visible()
    # Signed out, the service worker keeps on: at most public pages and static files.
    kept = page.evaluate(CACHED_URLS)
    assert "/communities/" not in kept


def test_a_push_shows_a_notification_that_opens_its_page(page, live_server):
    base = live_server.url
    page.context.grant_permissions(["notifications"], origin=base)
    _controlled(page, f"{base}/")
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(200)
    (registration,) = [
        r for r in registrations if r["scopeURL"] == f"{base}/" and not r["isDeleted"]
    ]
    payload = {
        "title": "Camille Martin mentioned you",
        "body": "Lakeside Trails: @Inès, can you check the map?",
        "url": "/notifications/42/",
        "tag": "notification-42",
        "notification": 42,
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": base,
            "registrationId": registration["registrationId"],
            "data": json.dumps(payload),
        },
    )
    _until(
        page,
        "async () => (await (await navigator.serviceWorker.ready).getNotifications()).length > 0",
    )
    shown = page.evaluate(
        """async () => (await (await navigator.serviceWorker.ready).getNotifications()).map(
             n => ({title: n.title, body: n.body, tag: n.tag, icon: n.icon, badge: n.badge,
                    data: n.data}))"""
    )
    assert shown == [
        {
            "title": payload["title"],
            "body": payload["body"],
            "tag": "notification-42",
            "icon": f"{base}/static/portal/brand/icon-192.png",
            "badge": f"{base}/static/portal/brand/badge-96.png",
            "data": {"url": f"{base}/notifications/42/", "notification": 42},
        }
    ]
