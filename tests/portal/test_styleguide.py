"""The living style guide (/styleguide/): administrators only, or anybody while DEBUG is on;
every component template in it; both modes on demand and both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from tests.factories import GuestFactory, UserFactory

COMPONENTS = Path(__file__).resolve().parents[2] / "templates/components"
URL = "/styleguide/"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "member", "guest", "staff_not_superuser"])
def test_the_style_guide_does_not_exist_for_others(client, who):
    if who == "member":
        client.force_login(UserFactory())
    elif who == "guest":
        client.force_login(GuestFactory())
    elif who == "staff_not_superuser":
        client.force_login(UserFactory(is_staff=True))
    assert client.get(URL).status_code == 404


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_on_a_development_machine_anybody_sees_it(client):
    assert client.get(URL).status_code == 200


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


@pytest.mark.django_db
def test_it_renders_every_component_template(admin_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = admin_client.get(URL)
    assert response.status_code == 200
    used = {template.name for template in response.templates}
    components = {f"components/{path.name}" for path in COMPONENTS.glob("*.html")}
    assert components, "no component templates found"
    assert components - used == set()
    html = response.content.decode()
    for css_class in (
        'class="button button-secondary"',
        'class="button button-quiet"',
        'class="button button-danger"',
        'class="button" disabled',
        'class="button button-icon"',
        'class="card-cover"',
        'class="card-footer"',
        'class="table table-stack"',
        'class="tabs"',
        'class="badge badge-warning"',
        'class="counter counter-strong"',
        'class="tag"',
        "avatar avatar-lg avatar-2",
        'class="toast toast-error"',
        'class="dialog styleguide-dialog"',
        "data-confirm=",
        'class="empty-state is-compact"',
        'class="spinner"',
        'class="skeleton skeleton-text"',
        'class="errorlist',
        'type="radio"',
        'type="checkbox"',
        'type="date"',
        'type="time"',
        'type="file"',
        "<fieldset",
    ):
        assert css_class in html, css_class


@pytest.mark.django_db
def test_it_shows_a_photo_avatar_when_someone_has_a_photo(admin_client, member):
    member.photo.name = "photos/camille.png"
    member.save(update_fields=["photo"])
    html = admin_client.get(URL).content.decode()
    assert f'<img class="avatar avatar-lg" src="/people/{member.pk}/photo/"' in html


@pytest.mark.django_db
def test_the_theme_query_sets_the_page_s_mode_only(admin_client, staff):
    assert (
        'data-styleguide-theme="dark"' in admin_client.get(URL, {"theme": "dark"}).content.decode()
    )
    assert (
        'data-styleguide-theme="light"'
        in admin_client.get(URL, {"theme": "light"}).content.decode()
    )
    for value in ("", "blue", '"><script>'):
        assert (
            "data-styleguide-theme" not in admin_client.get(URL, {"theme": value}).content.decode()
        )


@pytest.mark.django_db
def test_toasts_on_demand_show_every_level_in_the_toast_region(admin_client):
    html = admin_client.get(URL, {"toasts": "1"}).content.decode()
    region = html[html.index('id="toasts"') : html.index("<template data-toast-template")]
    for level in ("success", "info", "warning", "error"):
        assert f'class="toast toast-{level}"' in region
    assert "The file is too large (10 MB at most)." in region


@pytest.mark.django_db
def test_it_speaks_french_and_offers_english(admin_client, staff):
    staff.language = "fr"
    staff.save(update_fields=["language"])
    html = admin_client.get(URL).content.decode()
    assert "<h1>Guide de style</h1>" in html
    assert 'value="en" lang="en">View in English</button>' in html
    assert "Aucun document pour l’instant" in html


@pytest.mark.django_db
def test_its_htmx_button_gets_a_toast_and_no_content(admin_client):
    response = admin_client.get(URL, {"toast": "success"}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Trigger"] == (
        '{"parvis:toast": {"level": "success", "message": "The event was saved."}}'
    )
