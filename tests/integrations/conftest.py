from __future__ import annotations

import pytest

from communities import services as cs
from integrations import services
from tests.communities.conftest import add_member


@pytest.fixture
def sales(lead):
    return cs.community_create(
        acting_user=lead, name="Sales", visibility="private", kind="function"
    )


@pytest.fixture
def sales_member(sales, lead, member):
    add_member(sales, lead, member)
    return member


@pytest.fixture
def crm(sales, lead):
    """The CRM webhook of Sales and its secret token."""
    return services.webhook_create(acting_user=lead, community=sales, name="CRM")
