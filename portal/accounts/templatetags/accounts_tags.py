from allauth.account.adapter import get_adapter
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_open(context: template.Context) -> bool:
    """Whether this visitor may sign up (the adapter's rule): where sign-up is closed, no
    page links to it."""
    request = context.get("request")
    return bool(get_adapter(request).is_open_for_signup(request))
