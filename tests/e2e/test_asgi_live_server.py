"""The ASGI live server the live journeys run on (tests/e2e/asgi_server.py): it serves the
site's pages and static files over HTTP and its WebSocket route, on the test database, and
shares the channel layer with the test."""

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

# Recorded from the first script on: live.js reports its socket as soon as it opens.
RECORD_LIVE_STATUS = """
window.__liveStatus = [];
document.addEventListener("parvis:live-status", (e) =>
  window.__liveStatus.push(e.detail.connected));
"""

OPEN_SOCKET = """(url) => new Promise((resolve) => {
  const socket = new WebSocket(url);
  const seen = {opened: false, frames: [], code: null};
  window.__socket = seen;
  socket.onopen = () => { seen.opened = true; resolve(seen); };
  socket.onmessage = (e) => seen.frames.push(JSON.parse(e.data));
  socket.onclose = (e) => { seen.code = e.code; resolve(seen); };
})"""


def wait_until(page, expression: str, seconds: float = 5) -> None:
    """``page.wait_for_function`` evaluates a string, which the site's CSP forbids."""
    import time

    deadline = time.monotonic() + seconds
    while not page.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"not true after {seconds} s: {expression}"
        page.wait_for_timeout(50)


def test_pages_static_files_and_the_live_socket(page, asgi_live_server, demo_site):
    from portal.core import live

    base, ws = asgi_live_server.url, asgi_live_server.ws_url
    styles = []
    page.on("response", lambda r: styles.append(r) if r.url.endswith(".css") else None)
    page.goto(f"{base}/accounts/login/")
    # A visitor who is not signed in: the handshake is refused.
    anonymous = page.evaluate(OPEN_SOCKET, f"{ws}/ws/live/")
    assert anonymous["opened"] is False and anonymous["code"] == 1006

    page.add_init_script(RECORD_LIVE_STATUS)
    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/people/")
    # What the browser got was written by this test's database: the demo's people.
    expect(page.locator("#people-list")).to_contain_text("Hugo Bernard")
    assert styles and all(r.status == 200 for r in styles), [(r.url, r.status) for r in styles]
    # The page's own socket (live.js) is up.
    wait_until(page, "window.__liveStatus.includes(true)")

    # A socket of our own, signed in by the session cookie; an event published by the test
    # process reaches it through the shared channel layer: Camille's access changed, the
    # server closes her sockets with 4403.
    mine = page.evaluate(OPEN_SOCKET, f"{ws}/ws/live/")
    assert mine["opened"] is True
    camille = demo_site.User.objects.get(email="camille.martin@parvis.example")
    off_the_loop(
        live.send_now,
        live.group_for(live.topic("user", camille.pk)),
        {"type": live.MESSAGE_TYPE, "topic": f"user:{camille.pk}", "event": "access.changed"},
    )
    wait_until(page, "window.__socket.code !== null", seconds=2)
    closed = page.evaluate("window.__socket")
    assert closed["code"] == 4403
    assert closed["frames"] == [{"topic": f"user:{camille.pk}", "event": "access.changed"}]
