"""The page shell (templates/base.html): the header with the logo, the sections with their
icons, the bell, the person's menu with her avatar and sign-out; the footer with the language
switch; the error pages; the adoption report's tables on a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def header(html: str) -> str:
    return html.split('<header class="site-header">')[1].split("</header>")[0]


def test_a_signed_in_header_has_logo_sections_bell_and_the_persons_menu(member_client, member):
    html = header(member_client.get(reverse("accounts:directory")).text)
    assert '<img class="brand-mark" src="/static/portal/brand/mark.svg" alt=""' in html
    # each section: an icon (decoration) and its name
    assert re.search(
        r'<a href="/people/" aria-current="page"><svg class="icon" aria-hidden="true" '
        r'focusable="false"><use href="/static/portal/icons/sprite.svg#contact"></use></svg>'
        r"<span>People</span></a>",
        html,
    )
    assert 'class="bell' in html
    menu = html.split('<details class="user-menu">')[1].split("</details>")[0]
    assert 'class="avatar' in menu and member.initials in menu
    assert '<span class="user-menu-name">Camille Martin</span>' in menu
    assert "sprite.svg#log-out" in menu and "<span>Sign out</span>" in menu
    assert 'href="/profile/#preferences"' in menu


def test_an_anonymous_header_offers_sign_in_and_the_footer_the_language(client):
    page = client.get(reverse("account_login")).text
    assert "sprite.svg#log-in" in header(page)
    assert "user-menu" not in page
    footer = page.split('<footer class="site-footer">')[1]
    assert '<select id="language-select" name="language">' in footer
    assert '<option value="fr" lang="fr">Français</option>' in footer


def test_the_french_shell(client):
    user = UserFactory(language="fr", display_name="Julie Roux")
    client.force_login(user)
    page = client.get(reverse("accounts:profile_edit")).text
    assert "<span>Se déconnecter</span>" in page
    assert "<span>Apparence</span>" in page


def test_404_is_the_card_with_a_way_back(member_client):
    response = member_client.get("/no-such-page/")
    assert response.status_code == 404
    assert '<main id="main" class="container entrance error-card"' in response.text
    assert "<span>Back to the home page</span>" in response.text
    assert 'href="/search/"' in response.text


def test_403_is_the_card_too(member_client):
    response = member_client.get("/admin/adoption/")
    assert response.status_code == 403
    assert "error-card" in response.text and "No access" in response.text


def test_the_500_page_is_plain_html_in_both_languages():
    source = (TEMPLATES / "500.html").read_text()
    assert "{%" not in source and "{{" not in source  # rendered without the template engine
    assert 'src="/static/portal/brand/mark.svg"' in source
    assert 'lang="fr"' in source


def test_the_adoption_tables_stack_on_a_phone(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/adoption/").text
    assert page.count('class="listing parvis-stack"') == 2
    for table in page.split('class="listing parvis-stack"')[1:]:
        body = table.split("<tbody>")[1].split("</tbody>")[0]
        cells = re.findall(r"<td\b[^>]*>", body)
        assert cells and all("data-label=" in cell for cell in cells)
    assert 'data-label="Guests"' in page
    assert not re.search(r"<[^>]*\sstyle\s*=", page.split('id="main"')[1])
