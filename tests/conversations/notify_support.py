"""What the notify helper's tests share (issue 18): the conversation page's URL while the
conversations views are not merged, and a clock moved past the notification delay."""

from __future__ import annotations

import datetime
from importlib.util import find_spec

import pytest
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone

from conversations import notifications
from conversations.models import Participant
from portal.urls import urlpatterns as project_patterns


def _detail(request, pk: int) -> HttpResponse:  # pragma: no cover - only reversed
    return HttpResponse(str(pk))


urlpatterns = list(project_patterns)
if find_spec("conversations.urls") is None:
    # The notifications link to "conversations:detail" (Message.get_absolute_url); until the
    # views of helper "messages" are merged, a stand-in that only reverses.
    urlpatterns.insert(
        0,
        path(
            "messages/",
            include(([path("<int:pk>/", _detail, name="detail")], "conversations")),
        ),
    )


@pytest.fixture
def conversation_urls(settings):
    settings.ROOT_URLCONF = __name__


def later(minutes: int = 11) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def run(minutes: int = 11) -> notifications.RunResult:
    """The beat task's service, as it runs ``minutes`` from now."""
    return notifications.notifications_send_due(now=later(minutes))


def mark_read(user, message) -> None:
    """The person read up to ``message``. Written on the row: the read-mark service is
    helper "messages"'s (not merged yet)."""
    Participant.objects.filter(conversation=message.conversation_id, user=user).update(
        last_read_id=message.pk
    )
