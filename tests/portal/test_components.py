"""The design system's components (templates/components/, css/components/): the avatar's
colours and sizes, toasts, the confirmation dialog, the htmx toast header, and the rule that
component stylesheets name tokens, never colours."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory

from portal.core.templatetags.portal_components import AVATAR_COLOURS, avatar_colour_index
from portal.core.toasts import toast_trigger

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "portal/static/portal/css"
# The component files the ui helper owns (issue 17); the others follow as pages move.
UI_COMPONENTS = (
    "avatar", "badge", "button", "card", "dialog", "empty-state", "message", "spinner",
    "styleguide", "table", "tabs",
)  # fmt: skip
AA = 4.5


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _avatar_tokens() -> dict[str, tuple[str, str]]:
    """The avatar's own tokens: name -> (light, dark)."""
    text = (CSS / "components/avatar.css").read_text()
    pairs = re.findall(
        r"(--color-(?:on-)?avatar-\d+):\s*light-dark\((#[0-9a-fA-F]{3,6}),\s*(#[0-9a-fA-F]{3,6})\)",
        text,
    )
    return {name: (light, dark) for name, light, dark in pairs}


def test_contrast_is_the_wcag_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_every_avatar_colour_keeps_its_initials_readable_in_both_modes():
    tokens = _avatar_tokens()
    assert len(tokens) == 2 * AVATAR_COLOURS
    for n in range(1, AVATAR_COLOURS + 1):
        background, initials = tokens[f"--color-avatar-{n}"], tokens[f"--color-on-avatar-{n}"]
        for mode, i in (("light", 0), ("dark", 1)):
            bg, fg = background[i], initials[i]
            assert contrast(bg, fg) >= AA, (n, mode, bg, fg, contrast(bg, fg))


def test_every_avatar_colour_has_its_class():
    text = (CSS / "components/avatar.css").read_text()
    for n in range(1, AVATAR_COLOURS + 1):
        assert f".avatar-{n} {{ --avatar-bg: var(--color-avatar-{n}); " in text


def test_the_avatar_colour_is_stable_and_spread():
    assert [avatar_colour_index(pk) for pk in range(1, 10)] == [2, 3, 4, 5, 6, 7, 8, 1, 2]
    assert avatar_colour_index(None) == 1


def _literal_colours(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r":root\s*\{[^}]*\}", "", css)  # a component's own tokens (the avatar's)
    return re.findall(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?|oklch|lab|lch)\(", css)


@pytest.mark.parametrize("name", UI_COMPONENTS)
def test_a_component_stylesheet_names_tokens_not_colours(name):
    assert _literal_colours((CSS / f"components/{name}.css").read_text()) == []


def test_the_literal_colour_check_finds_one():
    assert _literal_colours(".x { color: #fff; background: rgb(0 0 0 / .5); }") == ["#fff", "rgb("]


def test_every_component_stylesheet_is_imported_in_the_components_layer():
    entry = (CSS / "parvis.css").read_text()
    for path in sorted((CSS / "components").glob("*.css")):
        line = f'@import url("components/{path.name}") layer(components);'
        assert line in entry, path.name


@pytest.mark.django_db
def test_the_avatar_shows_initials_on_the_person_s_colour(member, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("components/avatar.html", {"person": member, "size": "sm"})
    colour = member.pk % AVATAR_COLOURS + 1
    assert f'class="avatar avatar-sm avatar-{colour}"' in html
    assert 'aria-hidden="true">CM</span>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    # Not "context": pytest-playwright would take it for its browser context, parametrize the
    # test by browser, and pytest would then move the browser tests next to it.
    ("extra", "size", "pixels"),
    [
        ({}, "md", 48),
        ({"size": "sm"}, "sm", 32),
        ({"size": "lg"}, "lg", 112),
        ({"large": True}, "lg", 112),
    ],
)
def test_the_avatar_shows_the_photo_at_its_size(member, extra, size, pixels):
    member.photo.name = "photos/camille.png"
    html = render_to_string("components/avatar.html", {"person": member, **extra})
    assert html.startswith(f'<img class="avatar avatar-{size}" src="/people/{member.pk}/photo/"')
    assert f'alt="" width="{pixels}" height="{pixels}"' in html


def _request_with_messages(*added):
    request = RequestFactory().get("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    for level, text in added:
        messages.add_message(request, level, text)
    return request


def test_messages_become_toasts_and_an_error_is_an_alert():
    request = _request_with_messages(
        (messages.SUCCESS, "Saved."), (messages.ERROR, "Too large."), (messages.DEBUG, "x")
    )
    html = render_to_string("components/toasts.html", {"messages": request._messages})
    region = html.split("<template")[0]
    assert region.startswith('<div class="toasts" id="toasts" role="status" aria-live="polite"')
    toasts = re.findall(r'<div class="toast toast-(\w+)"[^>]*>', region)
    assert toasts == ["success", "error"]  # Django drops DEBUG messages by default
    assert 'data-level="error" role="alert"' in region
    assert 'data-level="success" role=' not in region
    # Each toast has a close button, hidden until parvis.js can make it work.
    assert region.count("data-toast-close hidden>") == 2
    # One template per level for the toasts htmx responses add.
    for level in ("success", "info", "warning", "error"):
        assert f'<template data-toast-template="{level}"><div class="toast toast-{level}"' in html


def test_the_toast_region_is_there_without_messages():
    html = render_to_string("components/toasts.html", {"messages": []})
    assert (
        '<div class="toasts" id="toasts" role="status" aria-live="polite" data-toasts></div>'
        in html
    )


@pytest.mark.django_db
def test_a_page_carries_the_toasts_and_the_confirmation_dialog_in_french(member_client, member):
    member.language = "fr"
    member.save(update_fields=["language"])
    html = member_client.get("/people/").content.decode()
    assert html.count('id="toasts"') == 1
    dialog = html[html.index("<dialog") : html.index("</dialog>")]
    assert 'aria-labelledby="confirm-dialog-title"' in dialog
    assert ">Annuler</button>" in dialog
    assert 'data-default-label="Confirmer"' in dialog


def test_a_toast_from_an_htmx_response_keeps_the_other_events():
    response = HttpResponse()
    response["HX-Trigger"] = "postAdded, countChanged"
    toast_trigger(response, "Publié ; merci.", level="info")
    assert json.loads(response["HX-Trigger"]) == {
        "postAdded": None,
        "countChanged": None,
        "parvis:toast": {"level": "info", "message": "Publié ; merci."},
    }
    response = toast_trigger(HttpResponse(), "Saved.")
    assert json.loads(response["HX-Trigger"]) == {
        "parvis:toast": {"level": "success", "message": "Saved."}
    }
    with pytest.raises(ValueError):
        toast_trigger(HttpResponse(), "Oops", level="debug")


def test_the_empty_state_is_compact_on_demand():
    big = render_to_string("components/empty_state.html", {"title": "Nothing"})
    small = render_to_string("components/empty_state.html", {"title": "Nothing", "compact": True})
    assert '<div class="empty-state">' in big
    assert '<div class="empty-state is-compact">' in small
