"""The key pages of the screenshot and accessibility tests (issue 17, "Tests"), built the
same way every time.

The data is the demo organisation (`portal/demo.py`: fixed names, dates relative to
"today"), seeded with the clock frozen at FROZEN_NOW. pytest-django's live server runs in
this process (a thread), so the frozen clock (time-machine patches the clock functions
process-wide) reaches every page it renders: due dates, the calendar's default month, the
event form's "tomorrow". The browser's own clock is fixed at the same instant, its time
zone and locale too. What still moves between runs (nothing today) is masked per page.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import time_machine
from django.conf import settings
from django.test import Client

# A Monday morning (10:00 in Paris), before the demo's spring clock change: the steering
# committee then meets on 15 March and 15 April, the trail opens on 10 April.
FROZEN_NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
CALENDAR_MONTH = "2026-04"
TIME_ZONE = "Europe/Paris"

WIDTHS = (1280, 375)
SCHEMES = ("light", "dark")
LANGUAGES = ("en", "fr")

CAMILLE = "camille.martin@parvis.example"  # lead of Lakeside Trails
JULIE = "julie.roux@funder-region.example"  # guest, reviewer of the graphic charter
ADMIN = "admin@parvis.example"


def _charter() -> str:
    from documents.models import Document

    charter = Document.objects.get(community__slug="lakeside-trails", title="Graphic charter")
    return f"/documents/{charter.pk}/"


def _adoption() -> str:
    from communities.models import Community

    lakeside = Community.objects.get(slug="lakeside-trails")
    return f"/admin/adoption/?start=2026-02-01&end=2026-03-02&community={lakeside.pk}"


@dataclass(frozen=True)
class Screen:
    """One page as one person sees it. ``path`` is a path or a function of the database
    returning one; ``mask`` lists CSS selectors painted over in screenshots; ``height`` is
    the window's (a page that scrolls inside a box, as Wagtail's admin does, shows only what
    the window holds)."""

    name: str
    who: str | None
    path: str | Callable[[], str]
    mask: tuple[str, ...] = ()
    height: int = 900

    def url(self, base: str) -> str:
        return base + (self.path if isinstance(self.path, str) else self.path())


LAKESIDE = "/communities/lakeside-trails"
SCREENS = [
    Screen("login", None, "/accounts/login/"),
    Screen("home-guest", JULIE, "/"),
    Screen("home-lead", CAMILLE, "/"),
    Screen("community-feed", CAMILLE, f"{LAKESIDE}/"),
    Screen("document-review", JULIE, _charter),
    Screen("calendar-month", CAMILLE, f"{LAKESIDE}/calendar/?view=month&month={CALENDAR_MONTH}"),
    Screen("calendar-list", CAMILLE, f"{LAKESIDE}/calendar/?month={CALENDAR_MONTH}"),
    Screen("event-form", CAMILLE, f"{LAKESIDE}/calendar/new/"),
    Screen("members", CAMILLE, f"{LAKESIDE}/members/"),
    Screen("adoption-report", ADMIN, _adoption, height=1600),
]


@contextmanager
def frozen_clock() -> Iterator[None]:
    """The server's clock stands still at FROZEN_NOW (tick=False: a slow machine must not
    move a date over midnight or a minute over the hour)."""
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


def seed_demo() -> None:
    from portal import demo

    demo.seed()


def session_cookie(email: str, base_url: str, *, language: str = "en") -> dict[str, str]:
    """A signed-in session for ``email`` as a browser cookie, without the sign-in form (the
    form is tested elsewhere; here it would only cost time). The person's profile language
    is what the site speaks to them (portal.accounts.middleware)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(email=email)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": base_url}


def context_args(*, language: str = "en", scheme: str = "light", width: int = 1280) -> dict:
    """A browser context that renders the same pixels every time."""
    return {
        "locale": {"en": "en-GB", "fr": "fr-FR"}[language],
        "timezone_id": TIME_ZONE,
        "viewport": {"width": width, "height": 900},
        "device_scale_factor": 1,
        "color_scheme": scheme,
        "reduced_motion": "reduce",
    }


def open_screen(page, screen: Screen, base_url: str) -> None:
    """Go to the page and wait until it has settled: htmx fragments loaded (the bell's
    count arrives after the page), fonts and images ready."""
    page.goto(screen.url(base_url))
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
