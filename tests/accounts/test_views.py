import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.accounts.completion import COMPLETION_FIELDS
from tests.factories import GuestFactory, UserFactory
from tests.images import png_bytes

pytestmark = pytest.mark.django_db


def profile_data(**overrides):
    data = {
        "display_name": "Camille Martin",
        "organisation": "Parvis Tourism Board",
        "job_title": "Project lead",
        "location": "Annecy",
        "phone": "+33 4 50 00 00 01",
        "bio": "Hello",
        "skills": "tourism, funding",
        "language": "en",
        "timezone": "Europe/Paris",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_sign_in(client):
    for name in ("accounts:directory", "accounts:profile_edit"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_directory_lists_people_and_filters(member_client):
    UserFactory(display_name="Hugo Bernard", location="Chambéry")
    response = member_client.get(reverse("accounts:directory"), {"location": "Chambéry"})
    assert response.status_code == 200
    assert "Hugo Bernard" in response.text
    assert "Camille Martin" not in response.text.split('id="people-list"')[1]


def test_directory_load_more_returns_only_rows_for_htmx(member_client):
    for n in range(30):
        UserFactory(display_name=f"Zed {n:02d}")
    first = member_client.get(reverse("accounts:directory"))
    cursor = first.context["page"].next_cursor
    assert cursor
    more = member_client.get(
        reverse("accounts:directory"), {"cursor": cursor}, headers={"HX-Request": "true"}
    )
    assert more.status_code == 200
    assert "<html" not in more.text
    assert "Zed 29" in more.text


def test_directory_bad_cursor_shows_the_first_page(member_client):
    response = member_client.get(reverse("accounts:directory"), {"cursor": "%%%not-base64"})
    assert response.status_code == 200
    assert "Camille Martin" in response.text


def _make_people(count):
    for n in range(count):
        UserFactory(display_name=f"Person {n}", skills=["a", f"s{n}"], location=f"City {n}")


def test_directory_query_count_does_not_grow_with_people(
    member_client, django_assert_max_num_queries
):
    _make_people(5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert member_client.get(reverse("accounts:directory")).status_code == 200
    _make_people(15)
    with CaptureQueriesContext(connection) as large:
        assert member_client.get(reverse("accounts:directory")).status_code == 200
    assert len(small) == len(large)
    with django_assert_max_num_queries(10):
        member_client.get(reverse("accounts:directory"))


def test_profile_page_escapes_html(member_client, member):
    UserFactory(display_name="<script>alert(1)</script>", bio="<b>bold</b>")
    other = UserFactory(display_name="Mallory <img src=x onerror=alert(1)>")
    response = member_client.get(reverse("accounts:person", args=[other.pk]))
    assert response.status_code == 200
    assert "<img src=x" not in response.text
    assert "Mallory &lt;img src=x onerror=alert(1)&gt;" in response.text
    directory = member_client.get(reverse("accounts:directory"))
    assert "<script>alert(1)</script>" not in directory.text


def test_guest_profile_is_404_for_member_and_member_is_404_for_guest(client, member, guest):
    client.force_login(member)
    assert client.get(reverse("accounts:person", args=[guest.pk])).status_code == 404
    assert client.get(reverse("accounts:person", args=[999999])).status_code == 404
    client.force_login(guest)
    assert client.get(reverse("accounts:person", args=[member.pk])).status_code == 404
    assert client.get(reverse("accounts:person", args=[guest.pk])).status_code == 200


def test_own_profile_shows_the_completion_meter(member_client, member):
    response = member_client.get(reverse("accounts:person", args=[member.pk]))
    assert "complete" in response.text
    edit = member_client.get(reverse("accounts:profile_edit"))
    for _name, label in COMPLETION_FIELDS:
        assert str(label) in edit.text


def test_profile_edit_saves(member_client, member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = profile_data(photo=SimpleUploadedFile("me.png", png_bytes(), "image/png"))
    response = member_client.post(reverse("accounts:profile_edit"), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.job_title == "Project lead"
    assert sorted(member.skills.names()) == ["funding", "tourism"]
    assert member.photo
    photo = member_client.get(reverse("accounts:photo", args=[member.pk]))
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content) == png_bytes()
    page = member_client.get(reverse("accounts:person", args=[member.pk]))
    assert "100%" in page.text


def test_profile_photo_that_is_not_an_image_is_refused(member_client, member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("cv.png", b"%PDF-1.4 not an image", "image/png")
    response = member_client.post(
        reverse("accounts:profile_edit"), profile_data(photo=fake, job_title="Changed")
    )
    assert response.status_code == 400
    assert "valid image" in response.text
    member.refresh_from_db()
    assert member.job_title == ""
    assert not member.photo
    assert not any(tmp_path.rglob("*.png"))


def test_profile_photo_that_is_too_large_is_refused(member_client, member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ACCOUNTS_PHOTO_MAX_BYTES = 100
    big = SimpleUploadedFile("big.png", png_bytes(64, 64), "image/png")
    response = member_client.post(reverse("accounts:profile_edit"), profile_data(photo=big))
    assert response.status_code == 400
    assert "the limit is 100" in response.text
    member.refresh_from_db()
    assert not member.photo
    assert not any(tmp_path.rglob("*.png"))


def test_profile_edit_requires_a_display_name(member_client, member):
    response = member_client.post(reverse("accounts:profile_edit"), profile_data(display_name=""))
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.display_name == "Camille Martin"


def test_photo_of_hidden_person_is_404(client, member, guest, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(member)
    client.post(
        reverse("accounts:profile_edit"),
        profile_data(photo=SimpleUploadedFile("me.png", png_bytes(), "image/png")),
    )
    client.force_login(guest)
    assert client.get(reverse("accounts:photo", args=[member.pk])).status_code == 404
    # and the file is not reachable through the public media URL either
    member.refresh_from_db()
    assert client.get(f"/media/{member.photo.name}").status_code == 404


def test_language_switch_updates_profile_and_next_page(member_client, member):
    response = member_client.post(
        reverse("accounts:set_language"), {"language": "fr", "next": "/people/"}
    )
    assert response.status_code == 302 and response["Location"] == "/people/"
    member.refresh_from_db()
    assert member.language == "fr"
    page = member_client.get("/people/")
    assert 'lang="fr"' in page.text
    assert "Personnes" in page.text


def test_language_switch_refuses_offsite_next(client):
    response = client.post(
        reverse("accounts:set_language"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "fr"


def test_unknown_language_changes_nothing(member_client, member):
    member_client.post(reverse("accounts:set_language"), {"language": "xx", "next": "/"})
    member.refresh_from_db()
    assert member.language == "en"


def test_guest_directory_shows_only_themself(client, member, guest):
    GuestFactory(display_name="Other Partner")
    client.force_login(guest)
    response = client.get(reverse("accounts:directory"))
    names = [p.display_name for p in response.context["page"].items]
    assert names == ["Julie Roux"]


def test_a_photo_is_served_as_strictly_as_a_library_document(
    member_client, member, settings, tmp_path
):
    """Issue 15: random storage key, the documents' content check, one hardened response."""
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("Portrait de Marie.png", png_bytes(), "image/png")
    member_client.post(reverse("accounts:profile_edit"), profile_data(photo=upload))
    member.refresh_from_db()
    assert "Portrait" not in member.photo.name and member.photo.name.endswith(".png")
    photo = member_client.get(reverse("accounts:photo", args=[member.pk]))
    assert photo["Content-Type"] == "image/png"
    assert photo["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in photo["Content-Security-Policy"]
    assert photo["Cache-Control"] == "private, no-store"  # nothing kept once access ends
    assert photo["Content-Disposition"].startswith("inline")


def test_a_photo_whose_content_is_not_what_its_name_says_is_refused(
    member_client, member, settings, tmp_path
):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, format="GIF")
    for upload in (
        SimpleUploadedFile("me.png", gif.getvalue(), "image/png"),  # a GIF named .png
        SimpleUploadedFile("me.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg"),
    ):
        response = member_client.post(reverse("accounts:profile_edit"), profile_data(photo=upload))
        assert response.status_code == 400, upload.name
    member.refresh_from_db()
    assert not member.photo
