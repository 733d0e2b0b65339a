"""The deployed topology, with real processes: a task enqueued by the web process travels
through Redis to a separate Celery worker process, which reads the committed row from the
same database and sends the e-mail."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from portal.accounts import services
from portal.celery import app as celery_app
from portal.settings.env import redis_db_url
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379"
# A Redis database of its own, so the test never shares a queue with a running deployment,
# and a queue of this process's own there, so two test runs at once (or two xdist workers)
# never take each other's tasks.
TEST_BROKER_URL = redis_db_url(REDIS_URL, 15)
TEST_QUEUE = f"parvis-test-{os.getpid()}"


def database_url_for_worker() -> str:
    """The test database, as a URL another process can open."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _reconfigure(**conf) -> None:
    celery_app.conf.update(**conf)
    # Drop the connections made with the previous broker URL.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _purge(queue: str = "celery") -> None:
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)


@pytest.fixture
def worker(tmp_path):
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DATABASE_URL": database_url_for_worker(),
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": TEST_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            TEST_QUEUE,
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    saved = {key: celery_app.conf[key] for key in keys}
    _reconfigure(task_always_eager=False, broker_url=TEST_BROKER_URL, task_default_queue=TEST_QUEUE)
    _purge(TEST_QUEUE)
    try:
        yield mail_dir, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        # The queue and what kombu keeps about it: nothing of this run stays in Redis.
        with redis.Redis.from_url(TEST_BROKER_URL) as client:
            client.delete(
                *(f"{p}{TEST_QUEUE}" for p in ("", "_kombu.binding.", "_kombu.binding_permanent."))
            )
        _reconfigure(**saved)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_welcome_email_is_sent_by_a_real_worker(worker):
    mail_dir, process = worker
    user = UserFactory(email="worker.test@parvis.example", display_name="Worker Test")
    services.welcome_email_enqueue(user=user)  # autocommit: on_commit runs at once

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (mail_dir.exists() and any(mail_dir.iterdir())):
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.2)
    files = list(mail_dir.iterdir()) if mail_dir.exists() else []
    assert files, "the worker sent nothing within 60 s"
    message = files[0].read_text()
    assert "To: worker.test@parvis.example" in message
    assert "Subject: Welcome to Parvis" in message
    assert "Hello Worker Test" in message
