from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Community documents, versions and reviews."""

    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from wagtail.permissions import register_permission_policy

        from communities.access import register_grant_provider
        from communities.digests import register_section_provider
        from communities.extensions import (
            register_activity_verb,
            register_membership_ended_hook,
            register_notification_email,
            register_notification_kind,
        )
        from documents import permissions
        from documents.digest import awaiting_review
        from documents.selectors import shared_documents_for
        from documents.services import (
            NOTIFICATION_KINDS,
            NOTIFICATION_REVIEW_REQUESTED,
            NOTIFICATION_TOPICS,
            VERBS,
            on_membership_ended,
            review_requested_email,
        )

        # Who may share, ask for a review, decide…: rules answered by the one policy.
        permissions.register()
        register_grant_provider(shared_documents_for)
        register_section_provider(awaiting_review)
        # A reviewer who leaves (or is removed, or erased) no longer holds the review up.
        register_membership_ended_hook(on_membership_ended)
        for verb, label in VERBS.items():
            register_activity_verb(verb, label)
        for kind, label in NOTIFICATION_KINDS.items():
            register_notification_kind(kind, label, NOTIFICATION_TOPICS[kind])
        register_notification_email(NOTIFICATION_REVIEW_REQUESTED, review_requested_email)

        from documents import privacy
        from documents.models import Document
        from portal.accounts.privacy import register
        from portal.core.admin_permissions import ReadOnlyPolicy

        register(privacy.contribution)
        # The admin lists them; writes go through the services (see wagtail_hooks.py).
        register_permission_policy(Document, ReadOnlyPolicy(Document), exact_class=True)
