"""Issue 18's journeys in two browsers at once: Camille (lead of Lakeside Trails) and Julie
(the Region's guest) write to each other and every page moves without a reload, on the ASGI
live server (tests/e2e/asgi_server.py: daphne serving pages and /ws/live/ on the test
database). Within 2 s: a message on the other person's open conversation, the header's
unread count, the bell when a mention becomes a notification, and "You no longer have
access" when the lead ends Julie's access (and the page's address then answers 404)."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.asgi_server import off_the_loop
from tests.e2e.conftest import sign_in

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # Static files served through ASGI (the live server's static handler): Django says
    # their file iterator is synchronous; harmless in a test.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]

CAMILLE = "camille.martin@parvis.example"
JULIE = "julie.roux@funder-region.example"
LIVE = 2000  # ms: "appears without reload within 2 s"

# Recorded from the first script on: live.js says when its socket is up, and a page that
# reloads loses the mark, so "without reload" is checked, not assumed.
RECORD = """
window.__liveStatus = [];
window.__notReloaded = true;
document.addEventListener("parvis:live-status",
  (e) => window.__liveStatus.push(e.detail.connected));
"""


def live_page(browser_context, base: str, email: str, password: str, *, width: int = 1280):
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": 900 if width > 500 else 800})
    page.add_init_script(RECORD)
    sign_in(page, base, email, password)
    return page


def wait_connected(page, seconds: float = 5) -> None:
    """The page's socket is open and has subscribed (``wait_for_function`` would evaluate
    a string, which the site's CSP forbids)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate("() => window.__liveStatus.includes(true)"):
        assert time.monotonic() < deadline, "the live socket did not open"
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)  # its subscribe frames reach the server


def view_shot(page, name: str) -> None:
    """A screenshot of what the reader sees at the newest messages: a full-page one would
    paint the sticky compose box over them."""
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.screenshot(path=SCREENSHOTS / f"{name}.png")


def not_reloaded(page) -> bool:
    return page.evaluate("() => window.__notReloaded === true")


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px wide)"


def people(demo_site):
    users = demo_site.User.objects.in_bulk([CAMILLE, JULIE], field_name="email")
    return users[CAMILLE], users[JULIE]


def direct_conversation(demo_site):
    from conversations.models import Conversation

    _camille, julie = people(demo_site)
    return Conversation.objects.get(
        kind=Conversation.Kind.DIRECT, participants__user=julie, direct_key__isnull=False
    )


def test_camille_and_julie_chat_live(new_context, asgi_live_server, demo_site, shot):
    base, password = asgi_live_server.url, demo_site.DEMO_PASSWORD
    _camille_user, julie_user = people(demo_site)
    julie = live_page(new_context(), base, JULIE, password)
    camille = live_page(new_context(), base, CAMILLE, password)

    # Julie is on her feed: nothing unread (the demo's last message is hers).
    julie.goto(f"{base}/feed/")
    wait_connected(julie)
    unread = julie.locator("header [data-unread='messages']")
    bell = julie.locator("header [data-bell-count]")
    expect(unread).to_be_hidden()
    bell_before = int(bell.text_content() or 0) if bell.is_visible() else 0

    # Camille writes to her from her profile, mentioning her.
    camille.goto(f"{base}/people/{julie_user.pk}/")
    camille.locator("main").get_by_role("link", name="Message").click()
    expect(camille.get_by_role("heading", level=1)).to_have_text("New conversation")
    expect(camille.get_by_role("checkbox", name=re.compile("Julie Roux"))).to_be_checked()
    camille.get_by_label("First message (optional)").fill(
        "@**Julie Roux** the steering committee moves to Thursday: can you come?"
    )
    camille.get_by_role("button", name="Start the conversation").click()
    expect(camille.get_by_role("heading", level=1)).to_have_text("Julie Roux")
    wait_connected(camille)
    view_shot(camille, "conversations-1-camille-writes")

    # Julie's header count moves, without a reload.
    expect(unread).to_have_text("1", timeout=LIVE)
    assert not_reloaded(julie)

    # Ten minutes later, still unread: the mention becomes a notification under her bell.
    from django.utils import timezone

    from conversations.notifications import notifications_send_due

    later = timezone.now() + datetime.timedelta(minutes=11)
    result = off_the_loop(notifications_send_due, now=later)
    assert result.notified >= 1
    expect(bell).to_have_text(str(bell_before + 1), timeout=LIVE)
    assert not_reloaded(julie)
    shot(julie, "conversations-2-julie-counts")
    julie.locator("header [data-bell]").click()
    expect(julie.locator("main")).to_contain_text("mentioned you in a conversation")

    # She opens the conversation from the header's Messages link.
    julie.locator("header [data-messages-link]").click()
    julie.locator("main").get_by_role("link", name=re.compile("Camille Martin")).first.click()
    messages = julie.locator("#messages")
    expect(messages).to_contain_text("the steering committee moves to Thursday")
    mention = messages.locator("li", has_text="the steering committee moves to Thursday")
    expect(mention.get_by_role("link", name="@Julie Roux")).to_be_visible()
    wait_connected(julie)
    expect(unread).to_be_hidden(timeout=LIVE)  # read, since she has seen it

    # They chat: each message reaches the other page within 2 s, once.
    camille.get_by_label("Write a message").fill("Thursday 10:00, town hall, room 2.")
    camille.get_by_role("button", name="Send").click()
    expect(messages).to_contain_text("Thursday 10:00, town hall, room 2.", timeout=LIVE)
    # What arrives while she reads is marked read a second after it shows: her count moves
    # to 1 and back to nothing.
    expect(unread).to_be_hidden(timeout=LIVE + 1500)
    julie.get_by_label("Write a message").fill("I will be there, with the co-funding letter.")
    julie.get_by_role("button", name="Send").click()
    camille_messages = camille.locator("#messages")
    expect(camille_messages).to_contain_text("with the co-funding letter", timeout=LIVE)
    expect(messages.locator("li", has_text="Thursday 10:00")).to_have_count(1)
    expect(camille_messages.locator("li", has_text="co-funding letter")).to_have_count(1)
    assert not_reloaded(julie) and not_reloaded(camille)
    view_shot(julie, "conversations-3-julie-chats")
    view_shot(camille, "conversations-4-camille-chats")


def test_on_a_phone(new_context, asgi_live_server, demo_site):
    base, password = asgi_live_server.url, demo_site.DEMO_PASSWORD
    conversation = direct_conversation(demo_site)
    julie = live_page(new_context(), base, JULIE, password, width=375)
    camille = live_page(new_context(), base, CAMILLE, password)
    julie.goto(f"{base}/messages/{conversation.pk}/")
    camille.goto(f"{base}/messages/{conversation.pk}/")
    wait_connected(julie)
    wait_connected(camille)
    no_sideways_scroll(julie)

    camille.get_by_label("Write a message").fill(
        "The signage quotes are in the library: the **second** one is cheaper."
    )
    camille.get_by_role("button", name="Send").click()
    messages = julie.locator("#messages")
    expect(messages).to_contain_text("the second one is cheaper", timeout=LIVE)
    julie.get_by_label("Write a message").fill("Noted, I will tell the Region.")
    julie.get_by_role("button", name="Send").click()
    expect(camille.locator("#messages")).to_contain_text("I will tell the Region", timeout=LIVE)
    expect(messages.locator("li", has_text="I will tell the Region")).to_have_count(1)
    assert not_reloaded(julie)
    no_sideways_scroll(julie)
    view_shot(julie, "conversations-5-phone")


def test_in_french(new_context, asgi_live_server, demo_site):
    base, password = asgi_live_server.url, demo_site.DEMO_PASSWORD
    conversation = direct_conversation(demo_site)
    demo_site.User.objects.filter(email=JULIE).update(language="fr")  # her profile's choice
    julie = live_page(new_context(), base, JULIE, password)
    camille = live_page(new_context(), base, CAMILLE, password)
    julie.goto(f"{base}/messages/{conversation.pk}/")
    camille.goto(f"{base}/messages/{conversation.pk}/")
    expect(julie.locator("html")).to_have_attribute("lang", "fr")
    wait_connected(julie)
    wait_connected(camille)

    camille.get_by_label("Write a message").fill("The minutes are ready.")
    camille.get_by_role("button", name="Send").click()
    arrived = julie.locator("#messages li", has_text="The minutes are ready.")
    expect(arrived).to_have_count(1, timeout=LIVE)
    # The message that arrived live speaks her language, like the rest of her page.
    expect(arrived.get_by_role("link", name="Répondre")).to_be_visible()
    julie.get_by_label("Écrire un message").fill("Merci, je les transmets à la Région.")
    julie.get_by_role("button", name="Envoyer").click()
    expect(camille.locator("#messages")).to_contain_text("je les transmets", timeout=LIVE)
    assert not_reloaded(julie)
    view_shot(julie, "conversations-6-french")


def test_julie_loses_access_while_reading(new_context, asgi_live_server, demo_site, shot):
    from communities import services as community_services
    from communities.models import Community

    base, password = asgi_live_server.url, demo_site.DEMO_PASSWORD
    _camille_user, julie_user = people(demo_site)
    conversation = direct_conversation(demo_site)
    # Julie is also a guest of Sales (where Camille is not): her account stays open when
    # the Lakeside Trails access ends, and what she may no longer see answers 404.
    sales = Community.objects.get(slug="sales")
    community_services.membership_grant(
        acting_user=sales.created_by, user=julie_user, community=sales
    )
    julie = live_page(new_context(), base, JULIE, password)
    camille = live_page(new_context(), base, CAMILLE, password)
    address = f"{base}/messages/{conversation.pk}/"
    julie.goto(address)
    wait_connected(julie)
    gone = julie.get_by_text("You no longer have access to this conversation.")
    expect(gone).to_be_hidden()

    camille.goto(f"{base}/guests/{julie_user.pk}/")
    main = camille.locator("main")
    main.get_by_role("link", name="End access now").click()
    main.get_by_role("button", name="End access now").click()
    expect(camille.get_by_role("status")).to_contain_text("Access ended.")

    expect(gone).to_be_visible(timeout=LIVE)
    expect(julie.get_by_label("Write a message")).to_have_count(0)  # the box is gone
    assert not_reloaded(julie)
    shot(julie, "conversations-7-access-ended")
    assert julie.request.get(address).status == 404
    assert julie.request.get(f"{base}/communities/sales/").status == 200  # still signed in
