"""The one way Parvis sends a templated e-mail.

``send_templated_email("accounts/email/welcome", to=[user], context={...})`` renders
``<prefix>_subject.txt``, ``<prefix>.txt`` and, when it exists, ``<prefix>.html``, once per
recipient and in that recipient's language, and hands the messages to the configured backend
(console or files by default, an anymail ESP in production). One message per recipient: no
recipient ever sees another's address, and each reads their own language.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    name: str = ""
    # An IANA zone name; empty: the site's zone (TIME_ZONE), as for a bare address.
    timezone: str = ""


def recipient_for(to: object) -> Recipient:
    """A user (anything with ``email`` and ``language``) or a bare address."""
    if isinstance(to, Recipient):
        return to
    if isinstance(to, str):
        return Recipient(email=to, language=settings.LANGUAGE_CODE)
    email = to.email  # type: ignore[attr-defined]
    language = getattr(to, "language", "") or settings.LANGUAGE_CODE
    name = getattr(to, "get_full_name", lambda: "")() or ""
    zone = getattr(to, "timezone", "") or ""
    return Recipient(email=email, language=language, name=name, timezone=str(zone))


def _zone(recipient: Recipient) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(recipient.timezone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def render_text(template_name: str, context: Mapping[str, object]) -> str:
    """A plain-text template (a subject, a text part) rendered without HTML escaping: there
    is no HTML to protect there, and escaping would show ``I&#x27;m`` or ``&amp;`` to the
    reader. The HTML part keeps Django's autoescaping."""
    template = get_template(template_name).template  # type: ignore[attr-defined]
    return template.render(Context(dict(context), autoescape=False))


def render_templated_email(
    template_prefix: str, *, recipient: Recipient, context: Mapping[str, object]
) -> tuple[str, str, str | None]:
    """Subject, text body and optional HTML body, rendered in the recipient's language and
    time zone (dates in the named formats of portal/formats, as on the pages)."""
    ctx = {
        "recipient": recipient,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "base_url": settings.WAGTAILADMIN_BASE_URL,
        **context,
    }
    with translation.override(recipient.language), timezone.override(_zone(recipient)):
        subject = render_text(f"{template_prefix}_subject.txt", ctx)
        text = render_text(f"{template_prefix}.txt", ctx)
        try:
            html: str | None = render_to_string(f"{template_prefix}.html", ctx)
        except TemplateDoesNotExist:
            html = None
    # A subject is one line, whatever the template's whitespace.
    subject = " ".join(subject.split())
    return subject, text, html


def send_templated_email(
    template_prefix: str,
    *,
    to: Iterable[object],
    context: Mapping[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
    from_email: str | None = None,
    connection: Any = None,
) -> int:
    """Render and send one message per recipient. Returns the number of messages sent.
    ``connection``: an open backend connection to reuse (a batch's), else one is opened."""
    messages = []
    for item in to:
        recipient = recipient_for(item)
        subject, text, html = render_templated_email(
            template_prefix, recipient=recipient, context=context or {}
        )
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=from_email or settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
            headers=dict(headers or {}),
        )
        if html is not None:
            message.attach_alternative(html, "text/html")
        messages.append(message)
    if not messages:
        return 0
    if connection is not None:
        return connection.send_messages(messages) or 0
    with get_connection() as opened:
        return opened.send_messages(messages) or 0
