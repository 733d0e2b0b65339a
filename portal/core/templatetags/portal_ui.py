"""The design system's template tags: ``{% icon %}`` draws one icon of the vendored sprite.

Icons are decoration beside a text label, so they are always ``aria-hidden``; a button with
only an icon carries its label in a ``visually-hidden`` span, never in the SVG.
"""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

SPRITE = "portal/icons/sprite.svg"


@register.simple_tag
def icon(name: str, class_: str = "", **attrs: str) -> str:
    """``{% icon "calendar" %}``: an inline SVG that uses the sprite's symbol ``name``."""
    css = " ".join(filter(None, ["icon", attrs.pop("class", ""), class_]))
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        css,
        static(SPRITE),
        name,
    )
