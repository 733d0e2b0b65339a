"""Digests through the deployed topology: Redis as the broker, real Celery worker processes,
one of them killed with SIGKILL in the middle of a batch. Every person still gets their
digest, and nobody gets two."""

from __future__ import annotations

import datetime
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.utils import timezone

from communities import services as cs
from communities.models import DigestOutbox
from communities.tasks import send_digests
from tests.factories import UserFactory
from tests.portal.test_celery_worker import (
    REDIS_URL,
    ROOT,
    TEST_BROKER_URL,
    _purge,
    _reconfigure,
    database_url_for_worker,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CELERY = [sys.executable, "-m", "celery", "-A", "portal", "worker"]
PEOPLE = 24
BATCH = 6


def start_worker(mail_dir) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DATABASE_URL": database_url_for_worker(),
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": TEST_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "tests.communities.mail_backends.SlowFileBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    return subprocess.Popen(
        [*CELERY, "--pool=solo", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def status_count(status: str) -> int:
    return DigestOutbox.objects.filter(status=status).count()


def received(mail_dir) -> Counter:
    """(recipient, Message-ID) pairs in the files the workers wrote."""
    pairs: Counter = Counter()
    for path in mail_dir.iterdir() if mail_dir.exists() else []:
        text = path.read_text()
        for block in text.split("-" * 79):
            to = re.search(r"^To: (.+)$", block, re.M)
            mid = re.search(r"^Message-ID: (.+)$", block, re.M)
            if to and mid:
                pairs[(to.group(1).strip(), mid.group(1).strip())] += 1
    return pairs


@pytest.fixture
def broker():
    saved = {key: _reconfigure_value(key) for key in ("task_always_eager", "broker_url")}
    _reconfigure(task_always_eager=False, broker_url=TEST_BROKER_URL)
    _purge()
    yield
    _purge()
    _reconfigure(**saved)


def _reconfigure_value(key: str):
    from portal.celery import app

    return app.conf[key]


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(broker, tmp_path):
    mail_dir = tmp_path / "mail"
    author = UserFactory(display_name="Ann Author")
    people = [UserFactory() for _ in range(PEOPLE)]
    general = cs.general_community()
    start = timezone.now()
    cs.post_create(acting_user=author, community=general, body="The spring programme is out")
    end = timezone.now() + datetime.timedelta(minutes=1)
    rows = [
        DigestOutbox.objects.create(user=person, period="d-test", starts_at=start, ends_at=end)
        for person in people
    ]
    ids = [row.pk for row in rows]

    first = start_worker(mail_dir)
    try:
        for i in range(0, len(ids), BATCH):
            send_digests.delay(ids[i : i + BATCH])
        wait_for(lambda: status_count("sent") >= 4)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    left = status_count("pending")
    assert left > 0, "the worker finished before it could be killed"

    # The next beat tick hands out what is still pending (enqueue_digests does exactly this).
    second = start_worker(mail_dir)
    try:
        pending = list(DigestOutbox.objects.filter(status="pending").values_list("id", flat=True))
        for i in range(0, len(pending), BATCH):
            send_digests.delay(pending[i : i + BATCH])
        # The killed worker's unacknowledged batches may come back too: harmless.
        for i in range(0, len(ids), BATCH):
            send_digests.delay(ids[i : i + BATCH])
        wait_for(lambda: status_count("sent") == PEOPLE)
    finally:
        second.terminate()
        second.wait(timeout=20)

    mails = received(mail_dir)
    per_person = Counter(to for to, _mid in mails)
    assert set(per_person) == {p.email for p in people}
    # One digest each: at most one Message-ID per person (a copy resent after the kill would
    # carry the same one, which the recipient's mail system keeps once).
    assert all(n == 1 for n in Counter(to for to, _mid in mails).values())
    sent_ids = set(DigestOutbox.objects.values_list("message_id", flat=True))
    assert {mid for _to, mid in mails} == sent_ids
