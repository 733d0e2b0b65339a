"""Communities with a face (issue 17): a cover and a colour per community, set by its lead,
the cover checked like every image and served only to who may see the community."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities import services as cs
from communities.models import Community
from tests.communities.conftest import add_guest, add_member
from tests.factories import GuestFactory, UserFactory
from tests.images import png_bytes

pytestmark = pytest.mark.django_db

CSS = Path(django_settings.BASE_DIR) / "portal/static/portal/css/components/community.css"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _edit(client, community, **changes):
    """Post the community form as it is, with ``changes``."""
    data = {
        "name": community.name,
        "description": community.description,
        "kind": community.kind,
        "visibility": community.visibility,
        "color": community.color,
    }
    data.update(changes)
    return client.post(reverse("communities:edit", args=[community.slug]), data)


def _stored(media) -> list[Path]:
    return [path for path in Path(media).rglob("*") if path.is_file()]


# --- The colours ---------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_accent_is_defined_with_aa_contrast_in_both_modes():
    """Each named colour is a light-dark() pair in the component's :root rule; the text
    colour on it reaches 4.5:1 in light and in dark mode."""
    css = CSS.read_text()
    pairs = {
        name: (light, dark)
        for name, light, dark in re.findall(
            r"--accent-([a-z]+): light-dark\((#[0-9a-f]{6}), (#[0-9a-f]{6})\);", css
        )
    }
    on_light, on_dark = re.search(
        r"--color-on-accent: light-dark\((#[0-9a-f]{6}), (#[0-9a-f]{6})\);", css
    ).groups()
    assert set(pairs) == set(Community.Accent.values)
    for name, (light, dark) in pairs.items():
        assert _contrast(light, on_light) >= 4.5, name
        assert _contrast(dark, on_dark) >= 4.5, name
        assert f".accent-{name} {{ --accent: var(--accent-{name}); }}" in css


def test_a_community_without_a_chosen_colour_gets_a_stable_one(lead):
    communities = [cs.community_create(acting_user=lead, name=f"C{n}") for n in range(8)]
    accents = [c.accent for c in communities]
    assert set(accents) == set(Community.Accent.values)  # they differ
    assert [Community.objects.get(pk=c.pk).accent for c in communities] == accents
    assert communities[0].initial == "C"


def test_the_lead_saves_a_colour(client, lead, project):
    client.force_login(lead)
    response = _edit(client, project, color="purple")
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.color == "purple" and project.accent == "purple"
    page = client.get(reverse("communities:detail", args=[project.slug])).text
    assert 'class="community-head accent-purple"' in page
    listing = client.get(reverse("communities:list")).text
    assert "community-tile community-card accent-purple" in listing


def test_a_colour_outside_the_set_is_refused(client, lead, project):
    client.force_login(lead)
    response = _edit(client, project, color="#ff0000")
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.color == ""
    with pytest.raises(Exception, match="colours"):
        cs.community_update(acting_user=lead, community=project, color="chartreuse")


# --- The cover --------------------------------------------------------------------------------


def test_the_lead_uploads_a_cover_stored_under_a_random_key_and_shown(client, lead, project):
    from portal import demo

    demo.seed_pages()
    client.force_login(lead)
    upload = SimpleUploadedFile("Notre lac.png", png_bytes(300, 100), "image/png")
    response = _edit(client, project, cover=upload)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.cover and "lac" not in project.cover.name
    cover_url = reverse("communities:cover", args=[project.slug])
    assert (
        f'src="{cover_url}"' in client.get(reverse("communities:detail", args=[project.slug])).text
    )
    assert f'src="{cover_url}"' in client.get(reverse("communities:list")).text
    assert f'src="{cover_url}"' in client.get("/").text  # the home dashboard's card
    served = client.get(cover_url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png_bytes(300, 100)


def test_a_fake_image_is_refused_with_a_clear_message_and_nothing_changes(
    client, lead, project, media
):
    cs.community_update(
        acting_user=lead,
        community=project,
        cover=SimpleUploadedFile("first.png", png_bytes(), "image/png"),
    )
    project.refresh_from_db()
    before, files_before = project.cover.name, _stored(media)
    client.force_login(lead)
    fake = SimpleUploadedFile("cover.png", b"<html><script>alert(1)</script></html>", "image/png")
    response = _edit(client, project, name="Renamed", cover=fake)
    assert response.status_code == 400
    errors = response.context["form"].errors["cover"]
    assert errors and ("valid image" in errors[0] or "not really a .png" in errors[0])
    assert errors[0] in response.text
    project.refresh_from_db()
    assert project.cover.name == before and project.name == "Lakeside Trails"
    assert _stored(media) == files_before


def test_an_image_in_disguise_is_refused_by_its_content(client, lead, project, media):
    """A real picture whose bytes are not what its extension says (a GIF named .png)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="GIF")
    client.force_login(lead)
    response = _edit(client, project, cover=SimpleUploadedFile("x.png", buffer.getvalue()))
    assert response.status_code == 400
    assert "x.png is not really a .png file." in response.context["form"].errors["cover"]
    assert _stored(media) == []


def test_a_cover_over_the_limit_is_refused(client, lead, project, settings, media):
    settings.ACCOUNTS_PHOTO_MAX_BYTES = 100
    client.force_login(lead)
    response = _edit(client, project, cover=SimpleUploadedFile("big.png", png_bytes(64, 64)))
    assert response.status_code == 400
    assert "the limit is 100" in response.context["form"].errors["cover"][0]
    assert _stored(media) == []


def test_removing_or_replacing_the_cover_deletes_the_old_file(
    client, lead, project, media, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        _edit(client, project, cover=SimpleUploadedFile("a.png", png_bytes(), "image/png"))
    project.refresh_from_db()
    first = project.cover.name
    with django_capture_on_commit_callbacks(execute=True):
        _edit(client, project, cover=SimpleUploadedFile("b.png", png_bytes(9, 9), "image/png"))
    project.refresh_from_db()
    second = project.cover.name
    assert second != first and [p.name for p in _stored(media)] == [Path(second).name]
    form = client.get(reverse("communities:edit", args=[project.slug])).text
    assert "Remove the cover" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = _edit(client, project, **{"cover-clear": "on"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert not project.cover and _stored(media) == []
    assert client.get(reverse("communities:cover", args=[project.slug])).status_code == 404


def test_a_member_cannot_set_the_cover_or_the_colour(client, lead, project, member, media):
    add_member(project, lead, member)
    client.force_login(member)
    upload = SimpleUploadedFile("mine.png", png_bytes(), "image/png")
    response = _edit(client, project, color="red", cover=upload)
    assert response.status_code == 404
    project.refresh_from_db()
    assert project.color == "" and not project.cover and _stored(media) == []
    edit_url = reverse("communities:edit", args=[project.slug])
    assert edit_url not in client.get(reverse("communities:detail", args=[project.slug])).text
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied, from the service)
        cs.community_update(acting_user=member, community=project, color="red")


def test_the_cover_is_served_only_to_who_may_see_the_community(client, lead, media):
    secret = cs.community_create(
        acting_user=lead,
        name="Board",
        visibility="secret",
        cover=SimpleUploadedFile("board.png", png_bytes(), "image/png"),
    )
    private = cs.community_create(
        acting_user=lead,
        name="Partners",
        visibility="private",
        cover=SimpleUploadedFile("p.png", png_bytes(), "image/png"),
    )
    member, outsider, guest, other_guest = (
        UserFactory(),
        UserFactory(),
        GuestFactory(),
        GuestFactory(),
    )
    add_member(secret, lead, member)
    add_guest(private, guest)
    cases = [
        (lead, secret, 200),
        (member, secret, 200),
        (outsider, secret, 404),  # a secret community does not exist for her
        (guest, secret, 404),
        (guest, private, 200),
        (outsider, private, 200),  # listed: its name and face, not its content
        (other_guest, private, 404),  # a guest sees her communities and nothing else
    ]
    for person, community, status in cases:
        client.force_login(person)
        url = reverse("communities:cover", args=[community.slug])
        assert client.get(url).status_code == status, (person, community)
    client.logout()
    response = client.get(reverse("communities:cover", args=[secret.slug]))
    assert response.status_code == 302  # to the sign-in page


def test_a_cover_lost_from_storage_is_a_404_not_an_error(client, lead, project, media):
    cs.community_update(
        acting_user=lead,
        community=project,
        cover=SimpleUploadedFile("c.png", png_bytes(), "image/png"),
    )
    for path in _stored(media):
        path.unlink()
    client.force_login(lead)
    assert client.get(reverse("communities:cover", args=[project.slug])).status_code == 404
