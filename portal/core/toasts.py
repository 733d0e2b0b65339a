"""A toast from an htmx response: the ``parvis:toast`` event of the ``HX-Trigger`` header.

A full page shows Django's messages as toasts (``templates/components/toasts.html``). An htmx
request swaps a fragment and never renders that region, so a view that answers one says what
happened with this header instead; ``parvis.js`` turns the event into the same toast::

    response = render(request, "communities/_post.html", context)
    return toast_trigger(response, _("Post published."))
"""

from __future__ import annotations

import json

from django.http import HttpResponse

TOAST_EVENT = "parvis:toast"
LEVELS = ("success", "info", "warning", "error")


def toast_trigger(response: HttpResponse, message: str, level: str = "success") -> HttpResponse:
    """Add a toast to ``response``'s ``HX-Trigger`` header, keeping the events already there
    (a bare event name, or the JSON form of several). Returns the response."""
    if level not in LEVELS:
        raise ValueError(f"A toast's level is one of {LEVELS}, not {level!r}.")
    existing = response.headers.get("HX-Trigger", "")
    events: dict[str, object] = {}
    if existing.startswith("{"):
        events = json.loads(existing)
    elif existing:
        events = {name.strip(): None for name in existing.split(",") if name.strip()}
    events[TOAST_EVENT] = {"level": level, "message": str(message)}
    response.headers["HX-Trigger"] = json.dumps(events)
    return response
