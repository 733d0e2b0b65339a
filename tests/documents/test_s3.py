"""Documents on S3: the same code against a real S3 API server (moto's server mode, an HTTP
server on loopback started here), so uploads, signed downloads and deletions really cross
the wire through django-storages and boto3."""

from __future__ import annotations

import socket
import urllib.parse
import urllib.request

import boto3
import pytest
from botocore.config import Config
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from documents import services
from documents.models import Document, DocumentVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BUCKET = "parvis-documents"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CREDENTIALS = {"aws_access_key_id": "parvis", "aws_secret_access_key": "parvis-secret"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _s3_storage(endpoint: str, **extra) -> dict:
    """The production settings' S3 storage, pointed at ``endpoint``."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "access_key": CREDENTIALS["aws_access_key_id"],
            "secret_key": CREDENTIALS["aws_secret_access_key"],
            "default_acl": "private",
            "querystring_auth": True,
            "signature_version": "s3v4",
            "querystring_expire": 300,
            "file_overwrite": False,
            **extra,
        },
    }


@pytest.fixture
def on_s3(settings, bucket, s3_endpoint):
    settings.STORAGES = {**settings.STORAGES, "default": _s3_storage(s3_endpoint)}
    settings.SERVE_MEDIA = False
    return bucket


def keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def upload(lead, project, name="Charte graphique.pdf"):
    return services.document_create(
        acting_user=lead, community=project, upload=SimpleUploadedFile(name, PDF)
    )


def test_upload_lands_in_the_bucket_under_a_random_private_key(on_s3, lead, project):
    document = upload(lead, project)
    stored = keys(on_s3)
    assert stored == [document.current_version.file.name]
    assert "Charte" not in stored[0]
    assert on_s3.get_object(Bucket=BUCKET, Key=stored[0])["Body"].read() == PDF
    grants = on_s3.get_object_acl(Bucket=BUCKET, Key=stored[0])["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers grant


def test_download_redirects_to_a_short_lived_signed_url(on_s3, client, lead, project):
    document = upload(lead, project)
    client.force_login(lead)
    response = client.get(reverse("documents:download", args=[document.current_version_id]))
    assert response.status_code == 302
    signed = urllib.parse.urlparse(response["Location"])
    query = urllib.parse.parse_qs(signed.query)
    assert int(query["X-Amz-Expires"][0]) <= 300
    assert response["Cache-Control"] == "private, no-store"
    # The signed URL really serves the file, as an attachment named after the original.
    with urllib.request.urlopen(response["Location"]) as answer:  # noqa: S310 (loopback)
        assert answer.read() == PDF
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.headers["Content-Disposition"].startswith("attachment")
        assert "Charte" in urllib.parse.unquote(answer.headers["Content-Disposition"])


def test_preview_is_signed_inline(on_s3, client, lead, project):
    document = upload(lead, project)
    client.force_login(lead)
    url = reverse("documents:download", args=[document.current_version_id]) + "?preview=1"
    location = client.get(url)["Location"]
    with urllib.request.urlopen(location) as answer:  # noqa: S310 (loopback)
        assert answer.headers["Content-Disposition"].startswith("inline")


def test_no_signed_url_for_who_may_not_read(on_s3, client, lead, project):
    document = upload(lead, project)
    client.force_login(UserFactory())
    response = client.get(reverse("documents:download", args=[document.current_version_id]))
    assert response.status_code == 404
    assert "Location" not in response


def test_deleting_a_document_empties_the_bucket(
    on_s3, lead, project, django_capture_on_commit_callbacks
):
    document = upload(lead, project)
    services.version_add(
        acting_user=lead, document=document, upload=SimpleUploadedFile("v2.pdf", PDF + b"%2")
    )
    assert len(keys(on_s3)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(acting_user=lead, document=document)
    assert keys(on_s3) == []


def test_a_refused_upload_leaves_nothing_in_the_bucket(on_s3, lead, project):
    with pytest.raises(ValidationError):
        upload(lead, project, "charter.pdf.html")
    assert keys(on_s3) == []
    assert not Document.objects.exists()


def test_an_unreachable_store_is_a_clear_error_and_creates_nothing(settings, lead, project):
    closed = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    settings.STORAGES = {
        **settings.STORAGES,
        "default": _s3_storage(closed, client_config=Config(retries={"max_attempts": 1})),
    }
    settings.SERVE_MEDIA = False
    with pytest.raises(ValidationError, match="file store is not answering"):
        upload(lead, project)
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()


def test_the_upload_page_says_so_when_the_store_is_down(settings, client, lead, project):
    closed = f"http://127.0.0.1:{_free_port()}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": _s3_storage(closed, client_config=Config(retries={"max_attempts": 1})),
    }
    client.force_login(lead)
    response = client.post(
        reverse("documents:upload", args=[project.slug]),
        {"files": SimpleUploadedFile("charter.pdf", PDF)},
        follow=True,
    )
    assert "file store is not answering" in response.content.decode()
    assert not Document.objects.exists()


def test_attachments_and_photos_on_s3_answer_with_the_documents_headers(
    on_s3, client, lead, project
):
    """Issue 15: the object store answers a post attachment's or a profile photo's signed
    URL with the type, disposition and cache headers of a library document."""
    from communities import services as cs
    from portal.accounts import services as accounts
    from tests.images import png_bytes

    post = cs.post_create(
        acting_user=lead,
        community=project,
        body="The charter",
        attachments=[SimpleUploadedFile("Charte graphique.pdf", PDF)],
    )
    accounts.user_profile_update(
        user=lead, acting_user=lead, photo=SimpleUploadedFile("Moi.png", png_bytes())
    )
    assert not any("Charte" in key or "Moi" in key for key in keys(on_s3))
    client.force_login(lead)
    for url, content_type, disposition in (
        (
            reverse("communities:attachment", args=[post.attachments.get().pk]),
            "application/pdf",
            "attachment",
        ),
        (reverse("accounts:photo", args=[lead.pk]), "image/png", "inline"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Cache-Control"] == "private, no-store"
        with urllib.request.urlopen(response["Location"]) as answer:  # noqa: S310 (loopback)
            assert answer.headers["Content-Type"] == content_type
            assert answer.headers["Content-Disposition"].startswith(disposition)
            assert answer.headers["Cache-Control"] == "private, no-store"
