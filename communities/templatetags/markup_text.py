from django import template

from communities import markup

register = template.Library()


@register.filter
def plain_text(html: str) -> str:
    """The text a reader sees in rendered HTML (``body_html``), on one line: for snippets
    such as search results, where the Markdown source would show its marks."""
    return markup.plain_text(html or "")
