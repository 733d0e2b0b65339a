"""Writes on editorial pages that reach the communities."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from communities import permissions
from communities import services as community_services
from portal.pages.models import PageAnnouncement


def announcement_body(page: Any) -> str:
    """The post's Markdown: the page's title as a link, then its introduction."""
    title = page.title.replace("[", "(").replace("]", ")")
    intro = (getattr(page, "intro", "") or getattr(page, "search_description", "")).strip()
    return f"**[{title}]({page.url})**" + (f"\n\n{intro}" if intro else "")


def announcement_preview_html(*, acting_user: Any, page: Any) -> str:
    """The post as the community's feed will show it (rendered and sanitised HTML)."""
    return community_services.body_preview_html(
        acting_user=acting_user, community=page.community, body=announcement_body(page)
    )


def last_announcement(page: Any) -> PageAnnouncement | None:
    return PageAnnouncement.objects.filter(page=page.pk).order_by("-created_at").first()


@transaction.atomic
def page_publish_to_community(*, acting_user: Any, page: Any) -> PageAnnouncement:
    """Push a live page scoped to a community into that community's feed, so its members
    see it there and in their next digest. Refused, with the reason, for a draft, an
    unscoped page, an archived community, or a page already pushed since it was last
    published."""
    page = page.specific
    if not page.live:
        raise ValidationError(_("Publish the page first: only a live page can be shared."))
    if getattr(page, "community_id", None) is None:
        raise ValidationError(
            _("This page is not scoped to a community. Choose one in its settings first.")
        )
    if page.community.archived_at is not None:
        raise ValidationError(_("The community is archived."))
    if not permissions.can_publish_to_community(acting_user, page):
        raise PermissionDenied
    earlier = last_announcement(page)
    if earlier is not None and (
        page.last_published_at is None or page.last_published_at <= earlier.created_at
    ):
        raise ValidationError(
            _("This page is already in the community's feed. Publish a change to share it again.")
        )
    post = community_services.post_create_for_page(
        acting_user=acting_user, page=page, body=announcement_body(page)
    )
    announcement = PageAnnouncement.objects.create(
        page=page, post=post, community=page.community, published_by=acting_user
    )
    log(instance=page, action="pages.publish_to_community", user=acting_user)
    return announcement
