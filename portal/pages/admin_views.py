"""'Publish to community' in the Wagtail admin: a confirmation, then the page in the feed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Page

from communities import permissions
from portal.pages import services


def publish_to_community(request: HttpRequest, page_id: int) -> HttpResponse:
    page = get_object_or_404(Page, pk=page_id).specific
    if getattr(page, "community_id", None) is None or not permissions.can_publish_to_community(
        request.user, page
    ):
        raise Http404  # not a page this editor can push anywhere
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    if request.method == "POST":
        try:
            services.page_publish_to_community(acting_user=request.user, page=page)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("“%(page)s” is now in the feed of %(community)s and in its next digest.")
                % {"page": page.title, "community": page.community.name},
            )
        return redirect(edit_url)
    return render(
        request,
        "pages/admin/publish_to_community.html",
        {
            "page": page,
            "community": page.community,
            "edit_url": edit_url,
            "earlier": services.last_announcement(page),
            "preview_html": (
                services.announcement_preview_html(acting_user=request.user, page=page)
                if page.live
                else ""
            ),
        },
    )
