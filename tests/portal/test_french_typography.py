"""French typography in the compiled catalogue: a no-break space (U+00A0) before « : ; ? ! »
in every translation (QA #15: "relecture: Graphic charter", "envoyées; 0 ligne"). Entries
added without it are fixed by ``scripts/french_typography.py``."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from communities import services as cs
from tests.communities.conftest import add_member
from tests.factories import UserFactory

NOT_PROSE = re.compile(
    r"<code>.*?</code>|<[^>]*>|&#?\w+;|%\([^)]*\)[a-z]|\{[^}]*\}"
    r"|\b[a-z][a-z0-9+.-]*://\S*|\b[a-z]+:(?=//)|\b[A-Z]{2,}:|\d:\d",
    flags=re.S,
)
GLUED = re.compile(r"[\w\"'’)»\]][:;]")  # a letter, digit, quote or bracket, then : or ;
PLAIN_SPACE = re.compile(r" [:;?!]")  # breakable: the mark may start the next line


def french_translations() -> list[str]:
    [folder] = settings.LOCALE_PATHS
    compiled = Path(folder) / "fr" / "LC_MESSAGES" / "django.mo"
    assert compiled.exists(), "run `manage.py compilemessages` first (make test does)"
    with compiled.open("rb") as file:
        catalog = gettext.GNUTranslations(file)._catalog
    return [text for msgid, text in catalog.items() if msgid != ""]  # "" is the header


def test_french_translations_put_a_no_break_space_before_colons_and_semicolons():
    translations = french_translations()
    assert len(translations) > 1000
    glued = [t for t in translations if GLUED.search(NOT_PROSE.sub(" ", t))]
    assert not glued, glued[:10]


def test_the_space_before_high_punctuation_is_always_the_no_break_one():
    plain = [t for t in french_translations() if PLAIN_SPACE.search(NOT_PROSE.sub(" ", t))]
    assert not plain, plain[:10]


def test_what_is_not_prose_keeps_its_colons():
    kept = NOT_PROSE.sub(" ", "Voir https://x.example/a?b, %(name)s, 12:30, BEGIN:VCALENDAR")
    assert not GLUED.search(kept)
    assert GLUED.search(NOT_PROSE.sub(" ", "vous a répondu: merci"))


@pytest.mark.django_db
def test_notifications_and_bulk_results_read_in_french_typography(client, lead, project):
    hugo = UserFactory(display_name="Hugo Bernard", language="fr")
    add_member(project, lead, hugo)
    cs.post_create(acting_user=lead, community=project, body="@**Hugo Bernard** look")
    client.force_login(hugo)
    page = client.get(reverse("communities:notifications")).text
    line = " ".join(re.findall(r'/notifications/\d+/">([^<]*)</a>', page))
    assert "\u00a0: " in line, line
    bulk = Path(settings.BASE_DIR, "templates/guests/_bulk_rows.html").read_text()
    assert "{% endblocktranslate %};" not in bulk  # ";" outside the catalogue gets no space


def test_an_import_refusal_names_the_event_in_french_typography():
    import icalendar
    from django.utils import translation

    from events.ical import _Reader

    vevent = icalendar.Event()
    vevent.add("SUMMARY", "Comité")
    with translation.override("fr"):
        refusal = _Reader(vevent, default_tz="Europe/Paris", position=1).refuse("date invalide")
    assert str(refusal) == "Comité\u00a0: date invalide"
