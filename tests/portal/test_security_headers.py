"""Content-Security-Policy, Cache-Control and the admin's door (issue 15, items 7 and 8)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import services as document_services
from tests.factories import GuestFactory
from tests.images import png_bytes

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Inline event handlers (onclick=, onsubmit= …), inline scripts, inline styles.
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<[^>]*\sstyle\s*=|<style\b", re.IGNORECASE)
# E-mails are not pages; the Wagtail admin has its own, laxer policy (PORTAL_ADMIN_CSP).
NOT_UNDER_THE_SITE_POLICY = ("email/", "portal/adoption.html", "pages/admin/", "portal/admin/")


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def site_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if not any(marker in name for marker in NOT_UNDER_THE_SITE_POLICY):
            yield pytest.param(path.read_text(), id=name)


@pytest.mark.parametrize("source", list(site_templates()))
def test_templates_have_no_inline_script_handler_or_style(source):
    assert not INLINE_HANDLER.search(source)
    assert not INLINE_SCRIPT.search(source)
    assert not INLINE_STYLE.search(source)


def test_pages_send_a_strict_policy(client, member):
    for url in ("/", reverse("account_login")):
        policy = directives(client.get(url))
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
    client.force_login(member)
    policy = directives(client.get(reverse("communities:list")))
    assert policy["script-src"] == ["'self'"]


def test_the_admin_gets_its_own_policy(client, staff):
    client.force_login(staff)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'self'"]  # page previews are framed by the admin
    assert policy["object-src"] == ["'none'"]


def test_a_private_file_keeps_its_sandbox(client, lead, project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = document_services.document_create(
        acting_user=lead, community=project, upload=SimpleUploadedFile("map.png", png_bytes())
    )
    client.force_login(lead)
    response = client.get(reverse("documents:download", args=[document.current_version.pk]))
    assert "sandbox" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]


def test_api_docs_load_their_script_from_a_url(client, member):
    client.force_login(member)
    page = client.get(reverse("api-docs")).content.decode()
    assert not INLINE_SCRIPT.search(page)
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_signed_in_pages_are_private_to_caches(client, member):
    assert "private" not in client.get("/").get("Cache-Control", "")
    client.force_login(member)
    for url in ("/", reverse("communities:list"), reverse("accounts:directory")):
        assert "private" in client.get(url)["Cache-Control"], url


def test_translated_confirmations_are_attributes_not_script(client, lead, project):
    """A French apostrophe (or a quote) in the question cannot break any script."""
    from communities import services as cs

    cs.post_create(acting_user=lead, community=project, body="Bonjour")
    lead.language = "fr"
    lead.save(update_fields=["language"])
    client.force_login(lead)
    page = client.get(reverse("communities:detail", args=[project.slug])).content.decode()
    assert 'data-confirm="Supprimer cette publication' in page


@pytest.mark.parametrize("path", ["/admin/", "/admin/adoption/", "/admin/pages/"])
def test_no_admin_access_is_a_plain_page_not_a_loop(client, member, lead, project, path):
    guest = GuestFactory()
    for person in (guest, lead, member):
        client.force_login(person)
        response = client.get(path)
        assert response.status_code == 403, (person, path)
        assert "No access" in response.content.decode()


def test_anonymous_visitors_of_the_admin_still_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_avatars_are_not_fetched_from_gravatar(client, staff):
    client.force_login(staff)
    assert "gravatar" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_every_page_links_a_favicon_that_exists(client):
    page = client.get(reverse("account_login")).content.decode()
    assert 'rel="icon" href="/favicon.ico"' in page
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header
    svg = re.search(r'rel="icon" href="([^"]+\.svg)"', page).group(1)
    assert client.get(svg).status_code == 200
