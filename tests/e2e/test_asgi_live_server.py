"""The ASGI live server the live journeys run on (tests/e2e/asgi_server.py): it serves the
site's pages and static files over HTTP and its WebSocket route, on the test database."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_pages_static_files_and_the_live_socket(page, asgi_live_server, demo_site):
    base = asgi_live_server.url
    styles = []
    page.on("response", lambda r: styles.append(r) if r.url.endswith(".css") else None)
    sign_in(page, base, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(f"{base}/people/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # What the browser got was written by this test's database: the demo's people.
    expect(page.locator("#people-list")).to_contain_text("Hugo Bernard")
    assert styles and all(r.status == 200 for r in styles), [(r.url, r.status) for r in styles]
