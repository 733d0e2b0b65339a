"""The pages moved to the design system fit a 375 px phone: nothing scrolls sideways, with
the longest content the demo has plus a file name and a token name with no space to break
at. Each page is its own test, so a failure names the page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LONG = "quarterly-visitor-statistics-for-the-lakeside-trails-signage-programme-final"


def _world(demo_site) -> dict[str, str]:
    """Where each page is, after adding long unbreakable names to the demo."""
    from communities.models import Community
    from documents import services as documents
    from documents.models import Document
    from integrations import services as integrations
    from portal.accounts.models import User

    camille = User.objects.get(email="camille.martin@parvis.example")
    lakeside = Community.objects.get(slug="lakeside-trails")
    documents.document_create(
        acting_user=camille,
        community=lakeside,
        upload=SimpleUploadedFile(f"{LONG}.pdf", PDF),
        title=LONG,
    )
    integrations.api_token_create(acting_user=camille, name=LONG, scope="read")
    charter = Document.objects.get(title="Graphic charter")
    hugo = User.objects.get(display_name="Hugo Bernard")
    return {
        "library": "/communities/lakeside-trails/documents/",
        "document": f"/documents/{charter.pk}/",
        "directory": "/people/",
        "person": f"/people/{hugo.pk}/",
        "api-tokens": "/profile/api-tokens/",
    }


@pytest.mark.parametrize("name", ["library", "document", "directory", "person", "api-tokens"])
def test_the_page_fits_a_phone(page, live_server, demo_site, shot, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path / "media"
    url = _world(demo_site)[name]
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server.url, "camille.martin@parvis.example", demo_site.DEMO_PASSWORD)
    page.goto(live_server.url + url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{url} scrolls sideways at 375 px ({width} px wide)"
    shot(page, f"phone-{name}")
