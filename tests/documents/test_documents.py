import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import services
from documents.models import Document, DocumentVersion
from portal.core.files import clean_filename
from tests.communities.conftest import add_member
from tests.factories import UserFactory
from tests.images import png_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()]


def test_upload_keeps_name_as_metadata_and_hashes_the_content(lead, project, media):
    document = services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile("Charte graphique.pdf", PDF),
        title="Graphic charter",
    )
    version = document.current_version
    assert (version.number, version.original_name, version.size) == (
        1,
        "Charte graphique.pdf",
        len(PDF),
    )
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert "Charte" not in version.file.name  # a random key, not the person's name
    second = services.version_add(
        acting_user=lead,
        document=document,
        upload=SimpleUploadedFile("v2.pdf", PDF + b"%v2"),
        change_note="Logo",
    )
    document.refresh_from_db()
    assert (second.number, document.current_version, second.change_note) == (2, second, "Logo")
    assert len(stored_files(media)) == 2


def test_guests_read_but_do_not_upload(project, partner, lead):
    with pytest.raises(PermissionDenied):
        services.document_create(
            acting_user=partner, community=project, upload=SimpleUploadedFile("a.pdf", PDF)
        )


# A hostile-upload corpus: each file is refused, or stored and served as an inert attachment.
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("drawing.svg", b"<svg onload=alert(1)></svg>", "not accepted"),
        ("report.pdf", b"<html><script>alert(1)</script></html>", "not really a .pdf"),
        ("page.html", b"<html></html>", "not accepted"),
        ("notes.txt", b"<!DOCTYPE html><script>alert(1)</script>", "not really a .txt"),
        ("empty.pdf", b"", "is empty"),
        ("photo.png", b"GIF89a not a png", "not really a .png"),
        ("binary.csv", b"a,b\x00\x01", "not really a .csv"),
    ],
)
def test_hostile_uploads_are_refused_and_nothing_is_stored(
    lead, project, media, name, content, reason
):
    with pytest.raises(ValidationError, match=reason):
        services.document_create(
            acting_user=lead, community=project, upload=SimpleUploadedFile(name, content)
        )
    assert not Document.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\boot.ini.txt", "boot.ini.txt"),
        ("report\r\nSet-Cookie: x=1.pdf", "reportSet-Cookie: x=1.pdf"),
        ("invoice\u202etxt.pdf", "invoicetxt.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("", "file"),
    ],
)
def test_file_names_are_made_harmless(raw, clean):
    assert clean_filename(raw) == clean


def test_png_html_polyglot_is_served_as_an_inert_image(client, lead, project):
    polyglot = png_bytes() + b"<html><script>alert(document.cookie)</script></html>"
    document = services.document_create(
        acting_user=lead, community=project, upload=SimpleUploadedFile("map.png", polyglot)
    )
    client.force_login(lead)
    url = reverse("documents:download", args=[document.current_version.pk])
    response = client.get(url)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    preview = client.get(url, {"preview": "1"})
    assert preview["Content-Disposition"].startswith("inline")
    assert b"".join(preview.streaming_content) == polyglot


def test_download_names_are_encoded_safely(client, lead, project):
    document = services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile('Budget "final" été.pdf', PDF),
    )
    client.force_login(lead)
    response = client.get(reverse("documents:download", args=[document.current_version.pk]))
    disposition = response["Content-Disposition"]
    assert "\n" not in disposition and "filename*=utf-8''" in disposition


@pytest.mark.parametrize(
    ("limit", "size"),
    [
        (1024, 200_000),  # the declared length already says too much: stop at once
        (100_000, 150_000),  # the length looks acceptable: the bytes are counted
    ],
)
def test_oversize_upload_stops_while_streaming_and_leaves_nothing(
    client, lead, project, media, settings, limit, size
):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = limit
    client.force_login(lead)
    big = SimpleUploadedFile("big.pdf", PDF + b"x" * size)
    response = client.post(reverse("documents:upload", args=[project.slug]), {"files": [big]})
    assert response.status_code == 303
    page = client.get(response["Location"])
    assert "larger than" in page.text
    assert not Document.objects.exists()
    assert stored_files(media) == []


def test_a_failure_after_the_file_was_written_leaves_no_orphan(lead, project, media, monkeypatch):
    from django.db import IntegrityError

    from documents import services as document_services

    def fail(**kwargs):
        raise IntegrityError("simulated database failure")

    monkeypatch.setattr(document_services, "activity_record", fail)
    with pytest.raises(IntegrityError):
        services.document_create(
            acting_user=lead, community=project, upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert stored_files(media) == []


def test_several_files_at_once_and_the_library(client, lead, project):
    member = UserFactory()
    add_member(project, lead, member)
    client.force_login(member)
    response = client.post(
        reverse("documents:upload", args=[project.slug]),
        {
            "files": [
                SimpleUploadedFile("one.pdf", PDF),
                SimpleUploadedFile("two.png", png_bytes()),
                SimpleUploadedFile("bad.exe", b"MZ"),
            ]
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "one.pdf" in page.text and "two.png" in page.text
    assert "bad.exe: this kind of file is not accepted." in page.text
    assert Document.objects.count() == 2


@pytest.mark.parametrize(
    ("language", "files", "said"),
    [
        ("en", 1, "1 document added."),
        ("en", 2, "2 documents added."),
        ("fr", 1, "1 document ajouté."),
        ("fr", 2, "2 documents ajoutés."),
    ],
)
def test_the_upload_message_counts_in_words(client, lead, project, language, files, said):
    member = UserFactory(language=language)
    add_member(project, lead, member)
    client.force_login(member)
    response = client.post(
        reverse("documents:upload", args=[project.slug]),
        {"files": [SimpleUploadedFile(f"d{i}.pdf", PDF) for i in range(files)]},
        follow=True,
    )
    assert said in response.text and "(s)" not in response.text


def test_library_query_count_does_not_grow(client, lead, project, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(n):
        for i in range(n):
            services.document_create(
                acting_user=lead, community=project, upload=SimpleUploadedFile(f"d{i}.pdf", PDF)
            )

    client.force_login(lead)
    url = reverse("documents:library", args=[project.slug])
    make(2)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    make(6)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)
    with django_assert_max_num_queries(12):
        client.get(reverse("documents:list"))


def test_only_authors_and_moderators_delete_and_locked_versions_stay(lead, project):
    member = UserFactory()
    add_member(project, lead, member)
    document = services.document_create(
        acting_user=lead, community=project, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    with pytest.raises(PermissionDenied):
        services.document_delete(acting_user=member, document=document)
    DocumentVersion.objects.filter(document=document).update(is_locked=True)
    with pytest.raises(ValidationError, match="locked"):
        services.document_delete(acting_user=lead, document=document)
    assert Document.objects.filter(pk=document.pk).exists()


def test_the_library_pages_with_a_cursor(client, lead, project, monkeypatch):
    from documents import views

    monkeypatch.setattr(views, "LIBRARY_PAGE_SIZE", 2)
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        services.document_create(
            acting_user=lead, community=project, upload=SimpleUploadedFile(name, PDF)
        )
    client.force_login(lead)
    first = client.get(reverse("documents:library", args=[project.slug]))
    assert "c.pdf" in first.text and "b.pdf" in first.text and "a.pdf" not in first.text
    cursor = first.context["next_cursor"]
    older = client.get(reverse("documents:library", args=[project.slug]), {"cursor": cursor})
    assert "a.pdf" in older.text and "b.pdf" not in older.text
    assert older.context["next_cursor"] is None
