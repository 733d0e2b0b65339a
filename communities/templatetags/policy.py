"""The policy's answers about a person that templates show as a label ("Guest"), for
pages that list people (a profile, the reviewers to choose from, the admin's privacy page).
Access decisions are flags the views compute; templates never read account fields for them."""

from django import template

from communities import permissions

register = template.Library()


@register.filter
def guest_account(person) -> bool:
    """``{% if person|guest_account %}``: a partner's account, active or not."""
    return permissions.is_guest_account(person)
