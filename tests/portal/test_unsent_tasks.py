"""A task enqueued while the broker is unreachable is kept in the database and published
when beat's next tick finds the broker back, instead of failing the request that enqueued it
(after its transaction has committed)."""

from __future__ import annotations

import socket

import pytest
from django.core import mail
from kombu.exceptions import OperationalError

from communities.tasks import enqueue_digests
from portal.accounts import services as accounts
from portal.core.models import UnsentTask
from portal.core.tasks import resend_unsent_tasks
from tests.factories import UserFactory
from tests.portal.test_celery_worker import _reconfigure, celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    _reconfigure(task_always_eager=False, broker_url=closed)
    yield
    _reconfigure(**saved)


def test_a_task_the_broker_refuses_is_kept_then_resent(
    broker_down, django_capture_on_commit_callbacks
):
    user = UserFactory(email="newcomer@parvis.example")
    with django_capture_on_commit_callbacks(execute=True):
        accounts.welcome_email_enqueue(user=user)  # no error reaches the caller
    unsent = UnsentTask.objects.get()
    assert unsent.name == "portal.accounts.tasks.send_welcome_email"
    assert unsent.args == [user.pk]
    assert unsent.error  # what the broker said, for the log

    # Still down at the next tick: the row stays.
    with pytest.raises(OperationalError):
        resend_unsent_tasks()
    assert UnsentTask.objects.count() == 1

    _reconfigure(task_always_eager=True)  # the broker is back (tasks run in-process here)
    assert resend_unsent_tasks() == 1
    assert not UnsentTask.objects.exists()
    assert [m.to for m in mail.outbox] == [["newcomer@parvis.example"]]


def test_periodic_tasks_are_not_kept_beat_sends_them_again(broker_down):
    with pytest.raises(OperationalError):
        enqueue_digests.delay()
    assert not UnsentTask.objects.exists()
