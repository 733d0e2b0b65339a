"""Our admin listings read in French for a French administrator: column headers and the
values shown in them (QA #6: "User", "Community", "Invited by", "accepted", "pending")."""

import re
from html import unescape

import pytest
from django.urls import reverse

from communities.models import DigestOutbox
from conversations.services import conversation_start
from tests.portal.test_admin_viewsets import media, scene  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

LISTINGS = [
    "admin_communities",
    "admin_memberships",
    "admin_guests",
    "admin_invitations",
    "admin_events",
    "admin_documents",
    "admin_conversations",
    "digests",
]
# The same word in both languages.
COGNATES = {"Organisation", "Type", "Version", "Actions", "Conversation"}


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def listing(client, person, language: str, namespace: str) -> tuple[list[str], list[str]]:
    person.language = language
    person.save(update_fields=["language"])
    page = client.get(reverse(f"{namespace}:index"))
    assert page.status_code == 200, namespace
    table = page.text[page.text.rindex("<table") :]
    heads = [_text(h) for h in re.findall(r"<th\b[^>]*>(.*?)</th>", table, flags=re.S)]
    cells = [_text(c) for c in re.findall(r"<td\b[^>]*>(.*?)</td>", table, flags=re.S)]
    return [h for h in heads if h], cells


def test_every_listing_of_our_apps_is_french_for_a_french_administrator(
    client,
    staff,
    scene,  # noqa: F811 (the fixture imported above)
    lead,
):
    DigestOutbox.objects.create(
        user=lead, period="w2026-49", starts_at=scene["event"].start, ends_at=scene["event"].end
    )
    conversation_start(acting_user=lead, people=[staff])
    client.force_login(staff)
    for namespace in LISTINGS:
        english, _ = listing(client, staff, "en", namespace)
        french, cells = listing(client, staff, "fr", namespace)
        assert len(english) == len(french), namespace
        untranslated = [
            fr for en, fr in zip(english, french, strict=True) if en == fr and fr not in COGNATES
        ]
        assert not untranslated, (namespace, untranslated)
        if namespace == "admin_invitations":
            assert "en attente" in cells and "acceptée" in cells
            assert "pending" not in cells and "accepted" not in cells
