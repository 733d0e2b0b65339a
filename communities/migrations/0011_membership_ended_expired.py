import datetime

from django.db import migrations, models


def name_ended_accesses(apps, schema_editor):
    """Guest accesses that ended before this migration were written "removed". An access
    ended by hand had its end date set to the moment it ended; one that expired was tidied
    up after its end date passed. A guest removed from a community kept their end date."""
    Membership = apps.get_model("communities", "Membership")
    rows = Membership.objects.filter(
        role="guest",
        status="removed",
        expires_at__isnull=False,
        expires_at__lte=models.F("updated_at"),
    )
    for row in rows.only("pk", "expires_at", "updated_at"):
        ended = row.updated_at - row.expires_at < datetime.timedelta(seconds=5)
        Membership.objects.filter(pk=row.pk).update(status="ended" if ended else "expired")


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0010_verbose_names_for_admin"),
    ]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="status",
            field=models.CharField(
                choices=[
                    ("active", "Active"),
                    ("requested", "Asked to join"),
                    ("invited", "Invited"),
                    ("removed", "Removed"),
                    ("left", "Left"),
                    ("ended", "Access ended"),
                    ("expired", "Expired"),
                ],
                default="active",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(name_ended_accesses, migrations.RunPython.noop),
    ]
