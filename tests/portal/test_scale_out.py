"""Scale-out: two gunicorn web processes and two Celery workers on one PostgreSQL database,
one Redis and one S3 API server (moto's server mode), as a load balancer would spread
requests and a broker would spread tasks. Nothing a request needs may live in one web
process or on its disk: a session started on one process is valid on the other, a document
uploaded through one downloads through the other, and a digest run spread over both workers,
with every batch handed out twice, sends each digest once."""

from __future__ import annotations

import datetime
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from django.utils import timezone
from moto.server import ThreadedMotoServer

from communities import services as cs
from communities.models import DigestOutbox
from communities.tasks import send_digests
from documents.models import Document
from tests.communities.test_digest_worker import received
from tests.documents.test_s3 import BUCKET, CREDENTIALS, PDF
from tests.factories import UserFactory
from tests.portal import stack

pytestmark = [pytest.mark.stack, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@dataclass
class Deployment:
    web: list[str]  # base URLs of the two web processes
    redis: stack.RedisServer
    mail: list[Path]  # where each worker's mail goes
    media: list[Path]  # each web process's local media folder (must stay empty)


@pytest.fixture(scope="module")
def deployment(django_db_setup, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scale-out")
    processes = []
    moto_port = stack.free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    redis_server = stack.RedisServer(tmp / "redis")
    try:
        moto.start()
        s3 = f"http://127.0.0.1:{moto_port}"
        boto3.client("s3", endpoint_url=s3, region_name="us-east-1", **CREDENTIALS).create_bucket(
            Bucket=BUCKET
        )
        redis_server.start()
        s3_env = {
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": s3,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        }
        web, media, mail = [], [], []
        for name in ("web-a", "web-b"):
            env = stack.stack_env(tmp / name, redis_server.url, **s3_env)
            port = stack.free_port()
            processes.append(stack.start_web(env, port, tmp / f"{name}.log"))
            web.append(f"http://127.0.0.1:{port}")
            media.append(Path(env["MEDIA_ROOT"]))
        for name in ("worker-1", "worker-2"):
            env = stack.stack_env(
                tmp / name,
                redis_server.url,
                EMAIL_BACKEND="tests.communities.mail_backends.SlowFileBackend",
                **s3_env,
            )
            processes.append(stack.start_worker(env, name, tmp / f"{name}.log"))
            mail.append(Path(env["EMAIL_FILE_PATH"]))
        for url, process, name in zip(web, processes, ("web-a", "web-b"), strict=False):
            stack.wait_until_serving(url, process, tmp / f"{name}.log")
        yield Deployment(web=web, redis=redis_server, mail=mail, media=media)
    finally:
        stack.stop(*processes)
        redis_server.stop()
        moto.stop()


@pytest.fixture
def broker(deployment):
    deployment.redis.client(1).flushdb()  # the cache: nothing left from an earlier test
    with stack.enqueuing_into(f"{deployment.redis.url}/0"):
        yield


@pytest.fixture
def lead(settings):
    return stack.user_with_password(settings, email="lea.lead@parvis.example", name="Lea Lead")


def test_a_session_started_on_one_web_process_works_on_the_other(deployment, broker, lead):
    web_a, web_b = deployment.web
    stranger = stack.Browser()
    assert stranger.get(f"{web_b}/documents/")[0] == 302  # signed out: to the sign-in page

    browser = stack.Browser()
    browser.sign_in(web_a, lead.email)
    assert browser.cookie("sessionid")
    for web in (web_b, web_a, web_b):
        status, _, body = browser.get(f"{web}/documents/")
        assert status == 200, f"{web} did not know the session"
        assert "Lea Lead" in body.decode()

    # Signing out on B ends the session on A too: it lives in the shared database.
    status, _, _ = browser.post_form(f"{web_b}/accounts/logout/", {})
    assert status == 302
    assert browser.get(f"{web_a}/documents/")[0] == 302


def test_a_document_uploaded_through_one_downloads_through_the_other(deployment, broker, lead):
    web_a, web_b = deployment.web
    project = cs.community_create(
        acting_user=lead, name="Lakeside Trails", visibility="private", kind="project"
    )
    browser = stack.Browser()
    browser.sign_in(web_a, lead.email)

    status, _, _ = browser.post_file(
        f"{web_a}/communities/{project.slug}/documents/upload/", "files", "Charter.pdf", PDF
    )
    assert status == 302
    document = Document.objects.get(community=project)
    version = document.current_version

    status, headers, _ = browser.get(f"{web_b}/documents/versions/{version.pk}/download/")
    assert status == 302
    with urllib.request.urlopen(headers["Location"], timeout=10) as answer:  # noqa: S310
        assert answer.read() == PDF
    # Neither web process kept a copy on its own disk.
    assert not any(path.exists() and any(path.rglob("*")) for path in deployment.media)


def test_a_digest_run_split_across_two_workers_sends_each_digest_once(deployment, broker):
    stack.wait_for_workers(2)  # both take part from the first batch
    people = [UserFactory() for _ in range(16)]
    author = UserFactory(display_name="Ann Author")
    start = timezone.now()
    cs.post_create(acting_user=author, community=cs.general_community(), body="Spring is here")
    end = timezone.now() + datetime.timedelta(minutes=1)
    ids = [
        DigestOutbox.objects.create(user=p, period="d-scale", starts_at=start, ends_at=end).pk
        for p in people
    ]
    # Every batch handed out twice, as two beats (or a beat and a retry) would: the workers
    # race for the same rows, and the row lock decides.
    batches = [ids[i : i + 4] for i in range(0, len(ids), 4)]
    for batch in batches + batches[::-1]:
        send_digests.delay(batch)

    stack.wait_for(
        lambda: DigestOutbox.objects.filter(period="d-scale", status="sent").count() == len(ids),
        40,
        "every digest sent",
    )
    per_worker = [received(directory) for directory in deployment.mail]
    assert all(per_worker), "one worker sent nothing: the run was not split"
    mails = per_worker[0] + per_worker[1]
    per_person = Counter(to for to, _mid in mails.elements())
    assert per_person == Counter({p.email: 1 for p in people})
    message_ids = [mid for _to, mid in mails.elements()]
    assert len(set(message_ids)) == len(people)
    assert set(message_ids) == set(
        DigestOutbox.objects.filter(pk__in=ids).values_list("message_id", flat=True)
    )
