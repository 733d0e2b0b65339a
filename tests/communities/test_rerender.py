"""Stored HTML rendered again: ``manage.py rerender_markdown`` and the data migration that
runs it when the renderer changed (Python-Markdown → CommonMark)."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from communities import services as cs
from communities.models import Comment, Hashtag, Post

# What Python-Markdown made of these bodies before the move to CommonMark.
OLD_POST = "<h1>newcomer Hello everyone</h1>\n<p>&gt; said @Paula Partner</p>"
OLD_COMMENT = "<p><code>a&amp;lt;b</code></p>"
POST = "#newcomer Hello everyone\n> said @**Paula Partner**\n\n\\#old"


def _written_by_the_old_renderer(project, lead, partner):
    post = cs.post_create(acting_user=lead, community=project, body=POST)
    comment = cs.comment_create(acting_user=partner, post=post, body="`a<b`")
    fresh = (post.body_html, comment.body_html)
    Post.objects.filter(pk=post.pk).update(body_html=OLD_POST)
    Comment.objects.filter(pk=comment.pk).update(body_html=OLD_COMMENT)
    post.hashtags.add(Hashtag.objects.create(name="old"))  # indexed by the old regex
    return post, comment, fresh


def _assert_rendered_again(post, comment, fresh, partner):
    post.refresh_from_db()
    comment.refresh_from_db()
    assert (post.body_html, comment.body_html) == fresh
    assert 'class="hashtag" href="/tags/newcomer/"' in post.body_html
    assert "<blockquote>" in post.body_html
    profile = reverse("accounts:person", args=[partner.pk])
    assert f'<a class="mention" href="{profile}"' in post.body_html  # the mention is kept
    assert comment.body_html == "<p><code>a&lt;b</code></p>"
    # the index follows what the text links: "\#old" is no tag
    assert sorted(post.hashtags.values_list("name", flat=True)) == ["newcomer"]


def test_the_command_renders_every_stored_body_again(project, lead, partner):
    post, comment, fresh = _written_by_the_old_renderer(project, lead, partner)
    out = StringIO()
    call_command("rerender_markdown", stdout=out)
    assert "1 posts and 1 comments changed" in out.getvalue()
    _assert_rendered_again(post, comment, fresh, partner)


def test_the_data_migration_renders_with_historical_models(project, lead, partner):
    post, comment, fresh = _written_by_the_old_renderer(project, lead, partner)
    loader = MigrationExecutor(connection).loader
    migration = loader.get_migration("communities", "0008_rerender_markdown")
    state = loader.project_state(("communities", "0008_rerender_markdown"))
    migration.operations[0].code(state.apps, None)
    _assert_rendered_again(post, comment, fresh, partner)


def test_rendering_again_changes_nothing_twice(project, lead, partner):
    cs.post_create(acting_user=lead, community=project, body="Hi @**Paula Partner** #trail")
    assert cs.body_html_rerender(queryset=Post.objects.all()) == 0
