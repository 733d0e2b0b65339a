"""Create the one general community and put every internal account in it (accounts created
later join through a signal)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def create_general(apps, schema_editor):
    Community = apps.get_model("communities", "Community")
    Membership = apps.get_model("communities", "Membership")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    general, _created = Community.objects.get_or_create(
        is_general=True,
        defaults={
            "name": getattr(settings, "COMMUNITIES_GENERAL_NAME", "Everyone"),
            "slug": "general",
            "kind": "general",
            "visibility": "open",
            "description": "Everyone in the organisation.",
        },
    )
    now = timezone.now()
    Membership.objects.bulk_create(
        [
            Membership(user_id=pk, community=general, role="member", status="active", joined_at=now)
            for pk in User.objects.filter(is_external=False).values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )


def remove_general(apps, schema_editor):
    apps.get_model("communities", "Community").objects.filter(is_general=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_general, remove_general)]
