import datetime
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from portal.accounts.services import user_mark_seen

# "Last seen" is written at most this often: no database write on every signed-in request.
LAST_SEEN_EVERY = datetime.timedelta(minutes=5)


class UserPreferencesMiddleware:
    """A signed-in person reads the site in their profile's language and time zone.

    The language switch updates the profile, so the profile is the single truth for
    signed-in people; anonymous visitors get the cookie or their browser's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            if user.last_seen_at is None or timezone.now() - user.last_seen_at > LAST_SEEN_EVERY:
                user_mark_seen(user=user)
        else:
            timezone.deactivate()
        return self.get_response(request)
