"""Full-text indexes for search on PostgreSQL (the embedded SQLite default searches with
LIKE and has no such index). The expressions are exactly those of ``selectors.search``
(``SearchVector("body", config="simple")``), or the planner would not use them. Without
them a word found nowhere read every post and comment (19 s on the bench L data); with them
posts answer in a millisecond, but for one rare word the planner still prefers reading
comments newest first (bench/RESULTS.md)."""

from django.db import migrations

INDEXES = [
    ("communities_post", "post_body_search"),
    ("communities_comment", "comment_body_search"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (to_tsvector('simple'::regconfig, COALESCE(body, ''::text)))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("communities", "0006_post_pinned_index")]

    operations = [migrations.RunPython(create, drop)]
