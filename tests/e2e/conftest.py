"""Browser tests: pytest-playwright driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# pytest-playwright's sync API runs an event loop in this thread; Django must allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def shot():
    """Save a full-page screenshot for humans to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name: str, *, full_page: bool = True) -> None:
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=full_page)

    return take


@pytest.fixture
def demo_site(transactional_db):
    from portal import demo

    demo.seed()
    return demo


@pytest.fixture(scope="session")
def _asgi_server():
    """One daphne per test worker (Twisted's reactor runs once per process):
    tests/e2e/asgi_server.py."""
    from tests.e2e.asgi_server import ASGILiveServer

    server = ASGILiveServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def asgi_live_server(transactional_db, _asgi_server):
    """The whole site, HTTP and WebSockets (``/ws/``), on the test database: pytest-django's
    ``live_server`` for ASGI. ``.url`` and ``.ws_url`` as the browser reaches them."""
    _asgi_server.modified_settings.enable()
    try:
        yield _asgi_server
    finally:
        _asgi_server.modified_settings.disable()


def sign_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture(scope="module")
def frozen_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo organisation, seeded once for a whole module with the clock frozen
    (tests/e2e/pages.py), served by a live server of its own; yields the server's address.

    For the screenshot and accessibility modules, which only read: seeding once instead of
    once per test (with the flush after each) saves about ten seconds a test. Their tests
    therefore do not use ``live_server`` (pytest-django would flush the database after each
    of them), and their ``django_db`` mark only gets the test database created and serialized:
    each module overrides pytest-django's per-test ``_django_db_helper`` with nothing. The
    module starts from what the migrations made (whatever ran before on the worker) and
    leaves the database flushed, as a transactional test does. Both modules are in
    ONE_WORKER_MODULES (tests/conftest.py): seeded once per run.
    """
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connections
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    from tests.e2e.pages import frozen_clock, seed_demo

    def flush() -> None:
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            reset_sequences=False,
            inhibit_post_migrate=True,
        )

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media, frozen_clock():
        connection = connections["default"]
        if ContentType.objects.exists():
            # Loading the rows back saves models whose signal handlers look up content types:
            # from the cache, or they would create rows that the loading then collides with.
            ContentType.objects.get_for_models(*apps.get_models())
        flush()
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
        # The same ids whatever ran before on this worker (an id may pick a colour).
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)
        seed_demo()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server.url
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            flush()
            # What the migrations made, back: a test dealt to this worker after the module
            # (xdist hands out tests as workers free up) finds the database as it expects.
            connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
            connections.close_all()  # or the test database could not be dropped after the run
