"""Property-based run of schemathesis against our own OpenAPI schema: for every operation, a
few generated requests (valid and not), sent through the WSGI application with a write
token of a lead; no 5xx, and every documented answer matches the schema."""

from __future__ import annotations

import contextlib
import datetime

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from communities import services as cs
from documents import services as document_services
from events import services as event_services
from integrations import services
from tests.communities.conftest import add_guest

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def token(lead, project, guest, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.INTEGRATIONS_API_RATE = "100000/minute"
    settings.ALLOWED_HOSTS = ["*"]
    add_guest(project, guest)
    post = cs.post_create(acting_user=lead, community=project, body="Plan #plan")
    cs.comment_create(acting_user=guest, post=post, body="Noted")
    document_services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 a", "application/pdf"),
    )
    event_services.event_create(
        acting_user=lead,
        community=project,
        title="Launch",
        schedule=event_services.schedule_from_local(
            tz="Europe/Paris", start_date=datetime.date(2199, 6, 1), all_day=True
        ),
    )
    return services.api_token_create(acting_user=lead, name="schemathesis", scope="write")[1]


def _explore(operation, headers: dict, failures: list) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        try:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )
        except Exception as exc:  # collected, so one run names every failing operation
            failures.append(f"{operation.label}: {exc}"[:2000])
            raise

    with contextlib.suppress(Exception):  # hypothesis re-raises what is recorded above
        run()


@pytest.fixture
def wsgi_app():
    """The real WSGI application, keeping the test's database connection open as Django's
    test client does (so each call sees the test's data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_api_honours_its_own_schema(token, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    failures: list[str] = []
    for operation in operations:
        _explore(operation, {"Authorization": f"Bearer {token}"}, failures)
    assert not failures, "\n\n".join(failures)
