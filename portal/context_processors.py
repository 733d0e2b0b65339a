from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from communities.notifications import unread_count
from portal.navigation import sections_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None) or _Anonymous()
    return {
        "nav_sections": sections_for(user),
        # Counted only when a template shows the bell (one indexed COUNT).
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user=user)),
    }


class _Anonymous:
    is_authenticated = False
