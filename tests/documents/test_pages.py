"""The document pages drawn with the design system's components: an empty list says what to
do next, and offers the upload only to someone who may upload; every cell of a stacked table
carries its column's label (it is the cell's heading on a phone)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from documents import services
from tests.html_checks import stacked_cell_labels

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_an_empty_library_invites_the_uploader_to_upload_the_first_one(client, lead, project):
    client.force_login(lead)
    page = client.get(reverse("documents:library", args=[project.slug])).text
    assert "No documents yet" in page
    assert '<a class="button" href="#upload">Upload the first one</a>' in page
    assert 'id="upload"' in page and 'name="files"' in page  # the form the action leads to


def test_an_empty_library_tells_a_reader_without_offering_an_upload(client, project, partner):
    client.force_login(partner)  # a guest reads the library, only members post
    page = client.get(reverse("documents:library", args=[project.slug])).text
    assert "No documents yet" in page
    assert "Upload the first one" not in page
    assert 'href="#upload"' not in page and 'name="files"' not in page


def test_the_empty_states_speak_french(client, lead, project):
    lead.language = "fr"
    lead.save(update_fields=["language"])
    client.force_login(lead)
    page = client.get(reverse("documents:library", args=[project.slug])).text
    assert "Aucun document pour l’instant" in page and "Déposer le premier" in page


def test_the_library_and_the_document_stack_their_tables_with_labels(client, lead, project):
    document = services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile("charter.pdf", PDF),
        title="Graphic charter",
    )
    client.force_login(lead)
    for url in (
        reverse("documents:library", args=[project.slug]),
        reverse("documents:list"),
        reverse("documents:detail", args=[document.pk]),
    ):
        page = client.get(url).text
        labels = stacked_cell_labels(page)
        assert labels, f"{url}: no stacked table"
        assert all(labels), f"{url}: a cell without data-label"
    library = client.get(reverse("documents:library", args=[project.slug])).text
    assert "No documents yet" not in library and "Graphic charter" in library


def test_my_reviews_say_what_comes_there_when_empty(client, partner):
    client.force_login(partner)
    page = client.get(reverse("documents:my_reviews")).text
    assert "Nothing waits for you" in page and "No request yet" in page


def test_the_review_states_are_coloured_badges(client, lead, project, partner):
    document = services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile("charter.pdf", PDF),
        title="Graphic charter",
    )
    client.force_login(lead)
    page = client.get(reverse("documents:detail", args=[document.pk])).text
    # The request form lists the guest as a candidate, said to be a guest.
    assert "Paula Partner (guest, Funder)" in page
    services.review_request_create(
        acting_user=lead,
        document=document,
        reviewers=[partner],
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    page = client.get(reverse("documents:detail", args=[document.pk])).text
    assert '<span class="badge badge-info">In review</span>' in page
    assert '<span class="badge badge-neutral">Waiting</span>' in page


def test_the_library_filters_by_title_or_file_name(client, lead, project):
    for title, name in (("Graphic charter", "charter.pdf"), ("Budget", "figures-2027.pdf")):
        services.document_create(
            acting_user=lead,
            community=project,
            upload=SimpleUploadedFile(name, PDF),
            title=title,
        )
    client.force_login(lead)
    url = reverse("documents:library", args=[project.slug])
    page = client.get(url, {"q": "CHARTER"}).text
    assert "Graphic charter" in page and "Budget" not in page
    page = client.get(url, {"q": "figures"}).text  # the file's name counts too
    assert "Budget" in page and "Graphic charter" not in page
    page = client.get(url, {"q": "<minutes>"}).text
    assert "No document matches “&lt;minutes&gt;”" in page
    assert f'href="{url}">Clear the search</a>' in page
    assert "Upload the first one" not in page  # the library is not empty
