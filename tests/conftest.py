from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import translation

from communities import services as cs
from tests.factories import GuestFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests marked ``stack`` run the deployed topology (several processes sharing one
    database, row locks with SKIP LOCKED, pg_terminate_backend): PostgreSQL only. On SQLite
    they are deselected, not skipped, like the browser tests are by ``-m "not e2e"``."""
    from django.conf import settings

    _parallel_groups(items)
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    deselected = [item for item in items if item.get_closest_marker("stack")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("stack")]


# --- Parallel runs (pytest-xdist; `make test` runs `pytest -n N --dist loadgroup`) ----------


# The stack modules: their tests share processes started once for the module (gunicorn,
# Celery workers, a private Redis), so a parallel run deals each module to one worker as a
# whole, which starts them once, not once per worker that its tests would be dealt to.
ONE_WORKER_MODULES = {
    "tests/communities/test_digest_worker.py",
    "tests/portal/test_failure_modes.py",
    "tests/portal/test_scale_out.py",
    "tests/portal/test_live_stack.py",
    # Not stack modules: each seeds its data once for all its tests (tests/e2e/conftest.py).
    "tests/e2e/test_accessibility.py",
    "tests/e2e/test_visual.py",
}


def _parallel_groups(items) -> None:
    """Every other test goes to whichever worker is free. Each worker has its own test
    database (pytest-django adds "_gw0" to its name), media folder (portal/settings/test.py)
    and loopback ports (tests/portal/stack.py)."""
    for item in items:
        if item.get_closest_marker("stack") and item.nodeid.split("::")[0] not in (
            ONE_WORKER_MODULES
        ):
            raise pytest.UsageError(f"{item.nodeid}: a stack module is in ONE_WORKER_MODULES")
    # pytest-django's own order (rolled back, then committed, then no database), once more:
    # a plugin hook may have moved tests after it sorted them, and a test that rolls back
    # must never run after one that committed (and emptied the database) on its worker.
    items.sort(key=_order)
    _slow_tests_early(items)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """xdist's own ``--dist loadgroup``, with ONE_WORKER_MODULES as groups: its
    ``xdist_group`` mark has no effect with pytest 9 (xdist 3.8 renames the tests through an
    attribute that pytest no longer reads), so the scheduler is told here instead."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class Scheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            return module if module in ONE_WORKER_MODULES else super()._split_scope(nodeid)

    return Scheduling(config, log)


def _order(item) -> int:
    if _uses_transactions(item):
        # The browser tests last of those that commit: Playwright's sync API leaves its event
        # loop running in the worker's main thread for the rest of the session, and the
        # socket tests' async_to_sync cannot start there after it.
        return 2 if _is_browser_test(item) else 1
    if item.get_closest_marker("django_db") or "db" in getattr(item, "fixturenames", ()):
        return 0
    return 3


def _uses_transactions(item) -> bool:
    """pytest-django's own test: tests that commit (and flush the database after them) run
    after every test that rolls back; tests using no database at all run last."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _slow_tests_early(items) -> None:
    """A test marked ``slow`` (a minute or more of its own) is dealt out as early as
    pytest-django's order allows, not last, where one worker would finish it alone while the
    others wait: a test using no database (ordered last) moves to the start of those that
    commit. That is safe for it (it touches no test database) and for them (it leaves
    nothing behind)."""
    slow = [item for item in items if item.get_closest_marker("slow")]
    if not slow:
        return
    rest = [item for item in items if not item.get_closest_marker("slow")]
    position = next((i for i, item in enumerate(rest) if _uses_transactions(item)), len(rest))
    # A slow browser test goes to the start of the browser tests instead: Playwright's loop,
    # once started, stays in the worker's main thread (see ``_order``).
    browsers = next((i for i, item in enumerate(rest) if _order(item) == 2), position)
    for item in slow:
        if "db" in getattr(item, "fixturenames", ()) or item.get_closest_marker("django_db"):
            raise pytest.UsageError(f"{item.nodeid}: `slow` is for tests using no database")
    early = [item for item in slow if not _is_browser_test(item)]
    late = [item for item in slow if _is_browser_test(item)]
    items[:] = rest[:position] + early + rest[position:browsers] + late + rest[browsers:]


def _is_browser_test(item) -> bool:
    return item.nodeid.startswith("tests/e2e/")


@pytest.fixture(scope="session", autouse=True)
def _reusable_database_after_the_run(request, django_db_setup, django_db_blocker):
    """With ``--reuse-db`` the test databases outlive the run, so leave them as the
    migrations made them. A test that commits empties the database after itself (the next
    such test loads the migrations' rows back, and those that roll back run before them);
    when one is the run's last test, the next run would start from an empty database, with
    no Wagtail root page, and fail. The rows serialized at set-up are loaded back here."""
    yield
    if not request.config.getvalue("reuse_db"):
        return  # pytest-django drops the databases
    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


# --- end of parallel runs -------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _serialized_contents_for_every_context(django_db_setup, django_db_blocker):
    """Keep the test database's serialized contents where every connection object finds them.

    Playwright's sync API runs an event loop in the test thread, so Django's connection
    handler (an asgiref Local) gives browser tests a new connection object, one without the
    contents serialized at set-up: ``serialized_rollback`` would then restore nothing (no
    Wagtail root page, no Editors group) after the first browser test. The backend class is
    shared by all of them.
    """
    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request by a French reader leaves French active in the thread (the next request
    sets its own language); a test that calls services directly must not inherit it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Wagtail caches site roots and allauth keeps rate-limit counters in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    return UserFactory(display_name="Camille Martin", location="Annecy", skills=["tourism"])


@pytest.fixture
def guest(db):
    return GuestFactory(display_name="Julie Roux")


@pytest.fixture
def staff(db):
    return UserFactory(display_name="Alex Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def lead(db):
    return UserFactory(display_name="Lea Lead")


@pytest.fixture
def project(lead):
    return cs.community_create(
        acting_user=lead, name="Lakeside Trails", visibility="private", kind="project"
    )


@pytest.fixture
def partner(project):
    guest = GuestFactory(display_name="Paula Partner")
    from tests.communities.conftest import add_guest

    add_guest(project, guest)
    return guest


# --- The permission matrix's own line in the summary (issue 16): its cells and their time,
# apart from the other tests. Tests marked ``matrix``; works under pytest-xdist too (the
# reports reach the controller). The longest set-up is shown apart: it holds the world's
# construction, and the test database's when the matrix runs first. ---

_matrix = {"tests": 0, "seconds": 0.0, "first_setup": 0.0}


def pytest_itemcollected(item):
    # Reports carry their item's user properties (to the xdist controller too); keywords
    # would not do: they hold every parent's name, the checkout's folder included.
    if item.get_closest_marker("matrix"):
        item.user_properties.append(("matrix", True))


def pytest_runtest_logreport(report):
    if ("matrix", True) not in report.user_properties:
        return
    if report.when == "setup" and report.duration > _matrix["first_setup"]:
        _matrix["seconds"] += _matrix["first_setup"]
        _matrix["first_setup"] = report.duration
    else:
        _matrix["seconds"] += report.duration
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _matrix["tests"] += 1


def pytest_terminal_summary(terminalreporter):
    if _matrix["tests"]:
        terminalreporter.write_sep(
            "-",
            f"permission matrix: {_matrix['tests']} tests in {_matrix['seconds']:.1f} s, "
            f"plus {_matrix['first_setup']:.1f} s for its longest set-up (its world, and the "
            "test database when it comes first)",
        )


@pytest.fixture
def push_service():
    """The loopback push service, checking the site's VAPID key (tests/push_service.py)."""
    from tests.push_service import PushService

    with PushService(vapid_public_key=settings.VAPID_PUBLIC_KEY) as service:
        yield service
