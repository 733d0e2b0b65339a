import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.accounts import services
from tests.factories import UserFactory
from tests.images import png_bytes

pytestmark = pytest.mark.django_db


def test_user_create_normalises_email_and_verifies_it():
    user = services.user_create(email="Jane.Doe@Parvis.Example", password="x" * 12)
    assert user.email == "jane.doe@parvis.example"
    assert user.display_name == "Jane Doe"
    assert user.check_password("x" * 12)
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary


def test_profile_update_saves_fields_and_dedupes_skills(member):
    services.user_profile_update(
        user=member, acting_user=member, job_title="Guide", skills=["hiking", " Hiking ", ""]
    )
    member.refresh_from_db()
    assert member.job_title == "Guide"
    assert list(member.skills.names()) == ["hiking"]


def test_profile_update_refuses_someone_else(member):
    other = UserFactory()
    with pytest.raises(PermissionError):
        services.user_profile_update(user=other, acting_user=member, job_title="Hacker")
    other.refresh_from_db()
    assert other.job_title == ""


def test_profile_update_rejects_unknown_fields(member):
    with pytest.raises(ValueError, match="is_staff"):
        services.user_profile_update(user=member, acting_user=member, is_staff=True)
    member.refresh_from_db()
    assert not member.is_staff


def test_replacing_a_photo_deletes_the_old_file(
    member, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        services.user_profile_update(
            user=member, acting_user=member, photo=SimpleUploadedFile("a.png", png_bytes())
        )
    first = member.photo.name
    assert (tmp_path / first).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.user_profile_update(
            user=member, acting_user=member, photo=SimpleUploadedFile("b.png", png_bytes())
        )
    assert not (tmp_path / first).exists()
    assert (tmp_path / member.photo.name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.user_profile_update(user=member, acting_user=member, photo=False)
    member.refresh_from_db()
    assert not member.photo


def test_set_language_validates(member):
    services.user_set_language(user=member, language="fr")
    member.refresh_from_db()
    assert member.language == "fr"
    with pytest.raises(ValueError):
        services.user_set_language(user=member, language="xx")
