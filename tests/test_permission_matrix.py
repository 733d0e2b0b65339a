"""Roles × routes × methods, built from the URL configuration.

Every named route of Parvis's own apps must have a row here: a new route without a decision
fails ``test_every_route_has_a_decision``. What a role may not see answers 404 (the same as a
missing id), never 403. Later issues add their roles (guest of A/B, expired, revoked …) and
routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.accounts import services
from tests.factories import GuestFactory, UserFactory
from tests.images import png_bytes

OWN_MODULES = ("portal.", "communities.", "guests.", "events.", "documents.")
ROLES = ("anonymous", "deactivated", "member", "guest", "staff")
LOGIN = "login"  # a redirect to the sign-in page


def own_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                module = getattr(pattern.callback, "__module__", "")
                if module.startswith(OWN_MODULES):
                    names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    args: Callable[[dict], list]
    expect: dict[str, int | str]
    data: Callable[[dict], dict] | None = None


def _no_args(world: dict) -> list:
    return []


MATRIX: list[Row] = [
    Row(
        "accounts:directory",
        "get",
        _no_args,
        {"anonymous": LOGIN, "deactivated": LOGIN, "member": 200, "guest": 200, "staff": 200},
    ),
    Row(
        "accounts:person",
        "get",
        lambda w: [w["colleague"].pk],
        {"anonymous": LOGIN, "deactivated": LOGIN, "member": 200, "guest": 404, "staff": 200},
    ),
    Row(  # a guest's profile is hidden from internal people until they share a community
        "accounts:person",
        "get",
        lambda w: [w["other_guest"].pk],
        {"anonymous": LOGIN, "deactivated": LOGIN, "member": 404, "guest": 404, "staff": 404},
    ),
    Row(
        "accounts:photo",
        "get",
        lambda w: [w["colleague"].pk],
        {"anonymous": LOGIN, "deactivated": LOGIN, "member": 200, "guest": 404, "staff": 200},
    ),
    Row(
        "accounts:profile_edit",
        "get",
        _no_args,
        {"anonymous": LOGIN, "deactivated": LOGIN, "member": 200, "guest": 200, "staff": 200},
    ),
    Row(
        "accounts:profile_edit",
        "post",
        _no_args,
        {"anonymous": LOGIN, "deactivated": LOGIN, "member": 400, "guest": 400, "staff": 400},
        data=lambda w: {"display_name": ""},
    ),
    Row(
        "accounts:set_language",
        "post",
        _no_args,
        {"anonymous": 302, "deactivated": 302, "member": 302, "guest": 302, "staff": 302},
        data=lambda w: {"language": "fr", "next": "/"},
    ),
]


def test_every_route_has_a_decision():
    decided = {row.route for row in MATRIX}
    missing = own_route_names() - decided
    assert not missing, f"routes without a row in the permission matrix: {sorted(missing)}"
    assert not decided - own_route_names(), "rows for routes that no longer exist"


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    colleague = UserFactory(display_name="Colleague")
    services.user_profile_update(
        user=colleague,
        acting_user=colleague,
        photo=SimpleUploadedFile("c.png", png_bytes(), "image/png"),
    )
    return {
        "colleague": colleague,
        "other_guest": GuestFactory(display_name="Other guest"),
        "users": {
            "anonymous": None,
            "deactivated": UserFactory(is_active=False),
            "member": UserFactory(),
            "guest": GuestFactory(),
            "staff": UserFactory(is_staff=True, is_superuser=True),
        },
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", MATRIX, ids=lambda r: f"{r.method}-{r.route}")
def test_matrix(client, world, row: Row, role: str):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    url = reverse(row.route, args=row.args(world))
    data = row.data(world) if row.data else {}
    response = getattr(client, row.method)(url, data)
    expected = row.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, (role, row.route, response.status_code)
