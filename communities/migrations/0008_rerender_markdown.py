"""Posts and comments rendered by Python-Markdown are rendered again as CommonMark
(``manage.py rerender_markdown`` does the same by hand). It reads historical models, so
it stays valid whatever later migrations change; going back leaves the HTML as it is."""

from django.db import migrations


def rerender(apps, schema_editor):
    from communities.services import body_html_rerender

    for name in ("Post", "Comment"):
        body_html_rerender(queryset=apps.get_model("communities", name).objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("communities", "0007_search_indexes"),
    ]

    operations = [migrations.RunPython(rerender, migrations.RunPython.noop, elidable=True)]
