"""Guest accesses ended before the statuses "ended" and "expired" existed were written
"removed": the migration names them as they are named now."""

import datetime
import importlib

from django.apps import apps
from django.utils import timezone

from communities.models import Membership
from tests.factories import GuestFactory

migration = importlib.import_module("communities.migrations.0011_membership_ended_expired")


def test_older_ended_and_expired_accesses_get_their_name(db, project):
    now = timezone.now()
    cases = {
        "ended": now,  # ended by hand: the end date was set to that moment
        "expired": now - datetime.timedelta(days=2),  # tidied up after the end date
        "removed": now + datetime.timedelta(days=9),  # removed before the end date
    }
    rows = {}
    for expected, expires_at in cases.items():
        membership = Membership.objects.create(
            user=GuestFactory(),
            community=project,
            role="guest",
            status="removed",
            expires_at=expires_at,
        )
        Membership.objects.filter(pk=membership.pk).update(updated_at=now)
        rows[expected] = membership.pk
    migration.name_ended_accesses(apps, None)
    for expected, pk in rows.items():
        assert Membership.objects.get(pk=pk).status == expected
