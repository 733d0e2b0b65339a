from django.http import HttpRequest

from portal.navigation import sections_for


def navigation(request: HttpRequest) -> dict:
    return {"nav_sections": sections_for(getattr(request, "user", None) or _Anonymous())}


class _Anonymous:
    is_authenticated = False
