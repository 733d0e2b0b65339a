"""portal/fragments.py: content-addressed fragments (their users' tests are in
tests/communities/test_fragments.py and tests/events/test_views.py)."""

from __future__ import annotations

import subprocess

import pytest

from portal.core import fragments

TEMPLATE = ("events/_list_item.html",)


def _compile(folder, translation: str) -> None:
    """A real catalogue, compiled by GNU msgfmt as ``compilemessages`` does."""
    source = folder / "django.po"
    source.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'msgid "Cancelled"\nmsgstr "{translation}"\n',
        encoding="utf-8",
    )
    subprocess.run(["msgfmt", "-o", folder / "django.mo", source], check=True)


@pytest.fixture
def catalog(settings, tmp_path):
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    _compile(folder, "Annulé")
    settings.LOCALE_PATHS = [tmp_path]
    fragments._catalog_version.cache_clear()
    yield folder
    fragments._catalog_version.cache_clear()


class Shown:
    def __init__(self, text: str) -> None:
        self.text = text
        self.renders = 0


def _render(items: list[Shown]) -> list[str]:
    def context(item: Shown) -> dict:
        item.renders += 1
        return {"item": {"title": item.text, "event": {"pk": 1}, "key_param": "x"}}

    return fragments.render_many(
        items, templates=TEMPLATE, shows=lambda item: (item.text,), context=context
    )


def test_the_same_content_is_rendered_once_and_a_change_is_rendered_again(db):
    first, twin, other = Shown("Walk"), Shown("Walk"), Shown("Ride")
    assert "Walk" in _render([first])[0]
    assert "Walk" in _render([twin])[0] and twin.renders == 0  # from the cache
    assert "Ride" in _render([other])[0] and other.renders == 1


def test_new_translations_make_new_keys(db, catalog):
    from django.utils import translation

    with translation.override("fr"):
        _render([Shown("Marche")])
        again = Shown("Marche")
        _render([again])
        assert again.renders == 0
        _compile(catalog, "Annulée")  # a corrected string, deployed
        fragments._catalog_version.cache_clear()  # what the deploy's restart does
        fixed = Shown("Marche")
        _render([fixed])
        assert fixed.renders == 1
