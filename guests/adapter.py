"""Sign-up through an invitation: the allauth adapter that ``settings.ACCOUNT_ADAPTER`` names.

It extends the accounts adapter (internal domains only, mail in the reader's language): an
invitation link opens sign-up for the invited address, even outside the internal domains,
and the new account starts as the invitation says (guest or member, name, organisation).
The invitation itself is accepted once the account exists (``guests.signals``).
"""

from __future__ import annotations

from django.http import HttpRequest

from guests.models import Invitation
from guests.services import SESSION_KEY, invitation_for_token
from portal.accounts.adapter import AccountAdapter


def pending_invitation(request: HttpRequest | None) -> Invitation | None:
    """The invitation this visitor opened (kept in the session by guests.views.accept)."""
    if request is None or not hasattr(request, "session"):
        return None
    invitation = invitation_for_token(request.session.get(SESSION_KEY, ""))
    return invitation if invitation is not None and invitation.state == "pending" else None


class InvitationAccountAdapter(AccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return super().is_open_for_signup(request) or pending_invitation(request) is not None

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        invitation = pending_invitation(request)
        if invitation is not None:
            # Set before the first save: the general community must never take a guest.
            user.is_external = invitation.for_guest
            user.display_name = invitation.name
            user.organisation = invitation.organisation
        return super().save_user(request, user, form, commit)
