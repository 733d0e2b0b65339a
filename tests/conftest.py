from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.factories import GuestFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    # Wagtail caches site roots and allauth keeps rate-limit counters in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    return UserFactory(display_name="Camille Martin", location="Annecy", skills=["tourism"])


@pytest.fixture
def guest(db):
    return GuestFactory(display_name="Julie Roux")


@pytest.fixture
def staff(db):
    return UserFactory(display_name="Alex Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
