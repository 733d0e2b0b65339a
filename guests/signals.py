"""A person who signed up through an invitation link gets what the invitation grants."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from guests import services


@receiver(user_signed_up)
def _accept_invitation_after_sign_up(sender, request, user, **kwargs) -> None:
    token = request.session.pop(services.SESSION_KEY, "") if request is not None else ""
    invitation = services.invitation_for_token(token)
    if invitation is not None and invitation.state == "pending":
        consent = bool(request.session.pop(services.CONSENT_SESSION_KEY, False))
        services.invitation_accept(invitation=invitation, user=user, digest_consent=consent)
