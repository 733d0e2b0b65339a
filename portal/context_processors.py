from django.http import HttpRequest

from communities import permissions
from portal.navigation import sections_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None) or _Anonymous()
    return {
        "nav_sections": sections_for(user),
        # A guest's menu links to the report of what they can see.
        "nav_my_access": permissions.is_guest(user),
    }


class _Anonymous:
    is_authenticated = False
