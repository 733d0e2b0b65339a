from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    """The floor: communities, memberships, the permission policy, the activity stream.
    It knows nothing of guests, events or documents."""

    name = "communities"
    verbose_name = _("Communities")

    def ready(self) -> None:
        from wagtail.permissions import register_permission_policy

        from communities import live, privacy, push, signals  # noqa: F401
        from communities.models import Community, DigestOutbox, Membership
        from communities.selectors import people_visible_to
        from portal.accounts.privacy import register
        from portal.accounts.selectors import register_people_visibility
        from portal.core.admin_permissions import NoAddPolicy, ReadOnlyPolicy

        live.register()  # the user, community and post topics of the live socket
        register(privacy.contribution)
        register(push.privacy_contribution)  # the person's devices (portal.push)
        register_people_visibility(people_visible_to)
        # The admin lists these; writes go through the services (see wagtail_hooks.py).
        for model in (Community, Membership):
            register_permission_policy(model, ReadOnlyPolicy(model), exact_class=True)
        register_permission_policy(DigestOutbox, NoAddPolicy(DigestOutbox), exact_class=True)
