"""Failure modes of the deployed stack, with real processes: a gunicorn web process and a
Celery worker on PostgreSQL and a private Redis server (with an append-only file, as
docker-compose.yml runs it), which these tests stop and start again.

- Redis stopped while the site serves: pages still render (the cache answers like an empty
  one, portal/cache.py); work queued in Redis before it stopped runs once it is back (the
  append-only file keeps the queue, the worker reconnects by itself); work asked for during
  the outage waits in PostgreSQL (portal.core.models.UnsentTask) and is published by beat's
  next tick, as is the digest outbox.
- PostgreSQL connections dropped (``pg_terminate_backend``): the next requests and tasks
  succeed, because persistent connections are health-checked before use
  (``conn_health_checks=True`` in portal/settings/base.py).
"""

from __future__ import annotations

import datetime
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from communities import services as cs
from communities.models import Community, DigestOutbox
from communities.tasks import enqueue_digests
from events import services as events
from portal.accounts import services as accounts
from portal.core.models import UnsentTask
from portal.core.tasks import resend_unsent_tasks
from tests.factories import UserFactory
from tests.portal import stack

pytestmark = [pytest.mark.stack, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Names the processes give their PostgreSQL connections (libpq reads PGAPPNAME), so that the
# test terminates theirs and nobody else's.
WEB_APP = f"parvis-test-web-{os.getpid()}"
WORKER_APP = f"parvis-test-worker-{os.getpid()}"


@dataclass
class Site:
    url: str
    redis: stack.RedisServer
    worker_env: dict[str, str]
    worker_log: Path
    mail: Path
    worker: object = None

    def start_worker(self) -> None:
        self.worker = stack.start_worker(self.worker_env, "worker", self.worker_log)

    def stop_worker(self) -> None:
        stack.stop(self.worker)


@pytest.fixture(scope="module")
def site(django_db_setup, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("failure-modes")
    redis_server = stack.RedisServer(tmp / "redis")
    web = None
    worker_env = stack.stack_env(tmp / "worker", redis_server.url, PGAPPNAME=WORKER_APP)
    result = Site(
        url="",
        redis=redis_server,
        worker_env=worker_env,
        worker_log=tmp / "worker.log",
        mail=Path(worker_env["EMAIL_FILE_PATH"]),
    )
    try:
        redis_server.start()
        port = stack.free_port()
        web_env = stack.stack_env(tmp / "web", redis_server.url, PGAPPNAME=WEB_APP)
        web = stack.start_web(web_env, port, tmp / "web.log")
        result.start_worker()
        result.url = f"http://127.0.0.1:{port}"
        stack.wait_until_serving(result.url, web, tmp / "web.log")
        yield result
    finally:
        stack.stop(web, result.worker)
        redis_server.stop()


@pytest.fixture
def broker(site):
    if site.redis.process.poll() is not None:
        site.redis.start()
    site.redis.client(1).flushdb()  # the cache: nothing left from an earlier test
    with stack.enqueuing_into(f"{site.redis.url}/0"):
        yield


@pytest.fixture
def member(settings):
    return stack.user_with_password(settings, email="camille@parvis.example", name="Camille")


@pytest.fixture
def pages(member):
    community = cs.community_create(
        acting_user=member, name="Lakeside Trails", visibility="private", kind="project"
    )
    cs.post_create(acting_user=member, community=community, body="The spring programme is out")
    start = timezone.now() + datetime.timedelta(days=3)
    event = events.event_create(
        acting_user=member,
        community=community,
        title="Trail clean-up",
        schedule=events.Schedule(start=start, end=start + datetime.timedelta(hours=2), tz="UTC"),
    )
    # Each page and a text it shows: the signed-in person's name, or the editorial page. The
    # event's .ics is assembled from cached fragments (events/selectors.py: calendar_bytes).
    return {
        f"/calendar/events/{event.pk}/event.ics": "SUMMARY:Trail clean-up",
        "/": "Welcome to your new Wagtail site",
        "/feed/": "Camille",
        "/communities/": "Camille",
        f"/communities/{community.slug}/": "The spring programme is out",
        "/documents/": "Camille",
        "/search/?q=spring": "The spring programme is out",
    }


def render_all(browser: stack.Browser, site: Site, pages: dict[str, str]) -> None:
    for page, text in pages.items():
        started = time.monotonic()
        status, _, body = browser.get(site.url + page)
        assert status == 200, f"{page} answered {status}"
        assert text in body.decode(), f"{page} is not the expected page"
        assert time.monotonic() - started < 10, f"{page} hung on the missing service"


def mail_to(site: Site, address: str) -> list[Path]:
    if not site.mail.exists():
        return []
    return [path for path in site.mail.iterdir() if f"To: {address}" in path.read_text()]


def backends(application_name: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s"
            " AND datname = current_database()",
            [application_name],
        )
        return [row[0] for row in cursor.fetchall()]


def terminate(application_name: str) -> int:
    """Drop the connections of the processes named so, and only theirs."""
    pids = backends(application_name)
    with connection.cursor() as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    stack.wait_for(lambda: not set(pids) & set(backends(application_name)), 10, "termination")
    return len(pids)


def test_redis_stopped_pages_render_and_queued_work_resumes_when_it_returns(
    site, broker, member, pages
):
    browser = stack.Browser()
    browser.sign_in(site.url, member.email)
    render_all(browser, site, pages)
    assert site.redis.client(1).keys("*events:vevent*"), "the pages did not use the cache"

    # Work waiting in the queue when Redis stops: no worker takes it before the outage.
    site.stop_worker()
    newcomer = UserFactory(email="newcomer@parvis.example")
    accounts.welcome_email_enqueue(user=newcomer)  # autocommit: published at once
    assert site.redis.client(0).llen("celery") == 1

    site.redis.stop()
    render_all(browser, site, pages)
    stack.Browser().sign_in(site.url, member.email)  # allauth's rate limits live in the cache
    # Work asked for during the outage: the request succeeds, the task waits in PostgreSQL.
    colleague = UserFactory(email="colleague@parvis.example")
    slug = Community.objects.get(name="Lakeside Trails").slug
    status, _, _ = browser.post_form(
        f"{site.url}/communities/{slug}/members/invite/", {"email": colleague.email}
    )
    assert status == 302
    assert UnsentTask.objects.filter(name="portal.tasks.send_templated_email_to_users").exists()
    # Work kept in PostgreSQL: a digest the missed beat tick could not hand out.
    author = UserFactory(display_name="Ann Author")
    reader = UserFactory(email="reader@parvis.example")
    start = timezone.now()
    cs.post_create(acting_user=author, community=cs.general_community(), body="Spring is here")
    digest = DigestOutbox.objects.create(
        user=reader, period="d-outage", starts_at=start, ends_at=start + datetime.timedelta(1)
    )
    site.start_worker()  # a worker (re)started during the outage waits for the broker

    site.redis.start()  # same port, same append-only file
    stack.wait_for(lambda: mail_to(site, newcomer.email), 40, "the queued welcome e-mail")

    enqueue_digests.delay()  # beat's next tick
    resend_unsent_tasks.delay()
    stack.wait_for(lambda: mail_to(site, colleague.email), 40, "the invitation e-mail")
    assert not UnsentTask.objects.exists()
    stack.wait_for(
        lambda: DigestOutbox.objects.get(pk=digest.pk).status == "sent", 40, "the digest"
    )
    assert len(mail_to(site, reader.email)) == 1
    assert len(mail_to(site, newcomer.email)) == 1

    # The cache is used again once Redis is back (after the back-off of portal/cache.py).
    site.redis.client(1).flushdb()  # what the append-only file brought back
    ics = {page: text for page, text in pages.items() if page.endswith(".ics")}

    def cached() -> bool:
        render_all(browser, site, ics)
        return bool(site.redis.client(1).keys("*events:vevent*"))

    stack.wait_for(cached, 20, "the cache to be used again")


def test_dropped_database_connections_are_replaced_before_the_next_request(
    site, broker, member, pages
):
    browser = stack.Browser()
    browser.sign_in(site.url, member.email)
    render_all(browser, site, pages)
    first = UserFactory(email="first@parvis.example")
    accounts.welcome_email_enqueue(user=first)
    stack.wait_for(lambda: mail_to(site, first.email), 40, "a task")

    # The web process keeps its connection between requests (CONN_MAX_AGE). Celery closes
    # the worker's around every task (its Django fix-up), so there may be none to drop.
    assert terminate(WEB_APP) >= 1
    terminate(WORKER_APP)

    render_all(browser, site, pages)  # the very first request after the drop included
    second = UserFactory(email="second@parvis.example")
    accounts.welcome_email_enqueue(user=second)
    stack.wait_for(lambda: mail_to(site, second.email), 40, "a task after the drop")
    assert backends(WEB_APP), "the web process did not reconnect"
