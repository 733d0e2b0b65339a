"""The installable app's files (portal/pwa.py): the manifest, the service worker and the
offline page, their content types and headers; the service worker's version follows the
static files; what may be kept in a cache (public editorial pages for signed-out visitors)
and what may not (everything a signed-in person sees); the sign-out's Clear-Site-Data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import resolve, reverse
from PIL import Image
from wagtail.models import PageViewRestriction

from portal import demo, pwa
from portal.pages.models import NewsPage, public_for_signed_out

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "portal" / "static"


@pytest.fixture
def site():
    demo.seed_pages()


@pytest.fixture(autouse=True)
def fresh_version():
    pwa.static_version.cache_clear()
    yield
    pwa.static_version.cache_clear()


def config_of(service_worker: str) -> dict:
    """The JSON the service worker starts from (``const CONFIG = {...};``)."""
    start = service_worker.index("const CONFIG = ") + len("const CONFIG = ")
    return json.JSONDecoder().raw_decode(service_worker[start:])[0]


# --- the manifest ---


def test_the_manifest_is_served_from_the_root_as_a_web_app_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == data["short_name"] == "Parvis"
    assert data["display"] == "standalone"
    assert (data["id"], data["start_url"], data["scope"]) == ("/", "/?source=pwa", "/")
    assert (data["lang"], data["dir"]) == ("en", "ltr")
    assert "open square" in data["description"]


def test_the_manifest_colours_are_the_design_tokens(client):
    data = client.get("/manifest.webmanifest").json()
    tokens = (STATIC / "portal/css/tokens.css").read_text()
    assert f"--color-primary: light-dark({data['theme_color']}," in tokens
    assert f"--color-bg: light-dark({data['background_color']}," in tokens
    assert data["theme_color"] == "#0b5cad"


def test_every_icon_of_the_manifest_is_a_file_of_its_size(client):
    icons = client.get("/manifest.webmanifest").json()["icons"]
    sizes = {}
    for icon in icons:
        path = STATIC / icon["src"].removeprefix("/static/")
        assert path.is_file(), icon["src"]
        if icon["type"] == "image/png":
            with Image.open(path) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"], icon["src"]
            sizes.setdefault(icon["purpose"], set()).add(image.width)
    # What Chrome needs to install (192 and 512) and its splash screen, in both purposes.
    assert {192, 512} <= sizes["any"] and {192, 512} <= sizes["maskable"]
    assert {48, 72, 96, 144, 384, 1024} <= sizes["any"]


def test_the_shortcuts_lead_to_messages_agenda_and_reviews(client):
    shortcuts = client.get("/manifest.webmanifest").json()["shortcuts"]
    assert [s["name"] for s in shortcuts] == ["Messages", "My agenda", "Reviews"]
    routes = [resolve(s["url"]).view_name for s in shortcuts]
    assert routes == ["conversations:list", "events:calendar", "documents:my_reviews"]


def test_the_manifest_in_french(client):
    data = client.get("/manifest.webmanifest", headers={"accept-language": "fr"}).json()
    assert data["lang"] == "fr"
    assert data["description"].startswith("Parvis — la place ouverte")
    assert [s["name"] for s in data["shortcuts"]] == ["Messages", "Mon agenda", "Relectures"]


# --- the service worker ---


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(client, member):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"  # checked again at every page
    client.force_login(member)
    assert "no-store" in client.get("/sw.js")["Cache-Control"]


def test_the_service_worker_precaches_the_offline_page_and_the_core_files(client):
    config = config_of(client.get("/sw.js").text)
    assert config["version"] == pwa.static_version()
    assert config["offline"] == "/offline/"
    assert config["static"] == "http://testserver/static/portal/"
    precache = config["precache"]
    for url in (
        "/offline/",
        "/static/portal/css/parvis.css",
        "/static/portal/css/tokens.css",  # imported by parvis.css
        "/static/portal/js/parvis.js",
        "/static/portal/vendor/htmx.min.js",
        "/static/portal/fonts/inter-latin-wght-normal.woff2",
        "/static/portal/icons/sprite.svg",
        config["icon"],
        config["badge"],
    ):
        assert url in precache, url
    # Every one of them answers (a failing one would make the installation fail).
    for url in precache:
        assert client.get(url).status_code == 200, url


def test_the_version_changes_when_a_static_file_changes(client, tmp_path):
    extra = tmp_path / "portal" / "extra.css"
    extra.parent.mkdir()
    extra.write_text("body { color: red; }")
    with override_settings(STATICFILES_DIRS=[tmp_path]):
        pwa.static_version.cache_clear()
        before = pwa.static_version()
        assert f'"version": "{before}"' in client.get("/sw.js").text
        extra.write_text("body { color: blue; }")
        pwa.static_version.cache_clear()
        after = pwa.static_version()
        assert after != before
        assert f'"version": "{after}"' in client.get("/sw.js").text
        extra.write_text("body { color: red; }")
        pwa.static_version.cache_clear()
        assert pwa.static_version() == before  # the contents, not the time of writing


def test_a_file_outside_the_sites_own_does_not_change_the_version(tmp_path):
    """Only the site's files go through the service worker's cache: the others' changes
    (the admin's) need no new version."""
    before = pwa.static_version()
    (tmp_path / "wagtailadmin").mkdir()
    (tmp_path / "wagtailadmin" / "extra.css").write_text("body { color: red; }")
    with override_settings(STATICFILES_DIRS=[tmp_path]):
        pwa.static_version.cache_clear()
        assert pwa.static_version() == before


def test_with_hashed_static_files_the_version_is_the_manifests(tmp_path, settings):
    """Production (ManifestStaticFilesStorage): the hash of staticfiles.json, which changes
    whenever a file's hashed name does."""
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "hash": "0123456789abcdef0123", "paths": {}})
    )
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    assert pwa._static_version() == "0123456789abcdef"


# --- the offline page ---


def test_the_offline_page_is_the_same_for_everyone(client, member):
    signed_out = client.get("/offline/")
    assert signed_out.status_code == 200
    assert signed_out["Cache-Control"] == "public, max-age=0"
    assert "You are offline" in signed_out.text
    assert "csrfmiddlewaretoken" not in signed_out.text
    client.force_login(member)
    signed_in = client.get("/offline/")
    assert signed_in["Cache-Control"] == "public, max-age=0"  # nothing of hers in it
    assert member.display_name not in signed_in.text
    assert signed_in.text == signed_out.text


def test_the_offline_page_in_french(client):
    response = client.get("/offline/", headers={"accept-language": "fr"})
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr"' in response.text
    assert "Vous êtes hors ligne" in response.text and "Réessayer" in response.text


# --- what may be kept ---


def test_a_signed_in_person_s_pages_are_never_stored(client, member, site):
    client.force_login(member)
    for url in ("/", reverse("communities:list"), reverse("conversations:list"), "/news/"):
        assert client.get(url)["Cache-Control"] == "private, no-store", url


def test_editorial_pages_are_public_for_signed_out_visitors(client, site):
    for url in ("/", "/news/"):
        assert client.get(url)["Cache-Control"] == "public, max-age=0", url
    # Neither the sign-in page (a form with its token) nor a page that does not exist.
    assert "public" not in client.get(reverse("account_login")).get("Cache-Control", "")
    assert "public" not in client.get("/no-such-page/").get("Cache-Control", "")


def test_a_page_behind_wagtails_privacy_settings_is_never_public(site):
    news = NewsPage.objects.get(slug="welcome-to-our-new-colleagues")
    request = RequestFactory().get(news.url)
    request.user = AnonymousUser()
    assert "public" in public_for_signed_out(news, request, HttpResponse())["Cache-Control"]
    PageViewRestriction.objects.create(
        page=news, restriction_type=PageViewRestriction.PASSWORD, password="lake"
    )
    assert "Cache-Control" not in public_for_signed_out(news, request, HttpResponse())


def test_signing_out_tells_the_browser_to_drop_its_cache(client, member):
    client.force_login(member)
    assert "Clear-Site-Data" not in client.get(reverse("communities:list"))
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'
    assert response["Cache-Control"] == "private, no-store"
    # Signed out, nothing more to clear.
    assert "Clear-Site-Data" not in client.post(reverse("account_logout"))


# --- every page ---


def test_every_page_links_the_manifest_and_registers_the_service_worker(client, member):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(member)
        page = client.get(reverse("account_email" if signed_in else "account_login")).text
        assert '<link rel="manifest" href="/manifest.webmanifest">' in page
        assert '<meta name="apple-mobile-web-app-capable" content="yes">' in page
        assert '<meta name="apple-mobile-web-app-title" content="Parvis">' in page
        assert 'sizes="167x167" href="/static/portal/brand/apple-touch-icon-167.png"' in page
        assert 'data-service-worker="/sw.js"' in page
        assert '<script src="/static/portal/js/pwa.js" defer></script>' in page
    assert 'action="/accounts/logout/" method="post" data-sign-out>' in page


def test_allauths_sign_out_page_marks_its_form_too(client, member):
    """The page /accounts/logout/ shows (a GET, from a link or a bookmark) empties the caches
    and unsubscribes push like the header's menu: its form carries data-sign-out."""
    client.force_login(member)
    page = client.get(reverse("account_logout")).text
    assert 'action="/accounts/logout/" class="allauth-form" data-sign-out>' in page
    # Other allauth forms are not sign-outs.
    client.logout()
    assert "data-sign-out" not in client.get(reverse("account_login")).text.split("<main")[1]
