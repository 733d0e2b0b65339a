from django.core.management.base import BaseCommand

from communities import services
from communities.models import Comment, Post


class Command(BaseCommand):
    help = (
        "Render the stored Markdown of every post and comment again with today's renderer "
        "(after the renderer changed), keeping the mentions their authors made."
    )

    def handle(self, *args, **options) -> None:
        posts = services.body_html_rerender(queryset=Post.objects.all())
        comments = services.body_html_rerender(queryset=Comment.objects.all())
        self.stdout.write(f"Rendered again: {posts} posts and {comments} comments changed.")
