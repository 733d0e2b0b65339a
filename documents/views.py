from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from communities import permissions
from communities import selectors as community_selectors
from documents import forms, selectors, services
from documents.app_settings import app_settings
from portal.core.files import MaxSizeUploadHandler, private_file_response
from portal.core.http import csv_response, not_found_on_denial, positive_int
from portal.core.pagination import keyset_page
from portal.core.views import flash_errors

LIBRARY_PAGE_SIZE = 50


@login_required
def recent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "documents/recent.html",
        {"documents": selectors.recent_documents(user=request.user)},
    )


@login_required
def library(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.VIEW
    )
    # A page at a time, with a cursor on the (community, -updated_at) index: a library of
    # 1,000 documents rendered whole took a second (bench/RESULTS.md, 2026-11-26).
    search = request.GET.get("q", "").strip()[:100]
    page = keyset_page(
        selectors.library(user=request.user, community=community, search=search),
        key="updated_at",
        cursor=request.GET.get("cursor"),
        limit=LIBRARY_PAGE_SIZE,
        descending=True,
    )
    can_upload = permissions.can(request.user, permissions.POST, community)
    return render(
        request,
        "documents/library.html",
        {
            "community": community,
            "documents": page.items,
            "next_cursor": page.next_cursor,
            "search": search,
            "can_upload": can_upload,
            "upload_form": forms.UploadForm() if can_upload else None,
        },
    )


def _limit_uploads(request: HttpRequest) -> None:
    # Before anything reads the body: the size is enforced while the upload streams.
    request.upload_handlers.insert(
        0, MaxSizeUploadHandler(request, limit=app_settings.MAX_UPLOAD_BYTES)
    )


def _too_large(request: HttpRequest, back: str) -> HttpResponse:
    messages.error(
        request,
        _("This file is larger than %(limit)s MB.")
        % {"limit": app_settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
    )
    response = redirect(back)
    response.status_code = 303
    return response


@csrf_exempt
@login_required
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    _limit_uploads(request)
    return _upload(request, slug)


@csrf_protect
def _upload(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.POST
    )
    back = f"/communities/{community.slug}/documents/"
    files = request.FILES.getlist("files")  # reading the body runs the handlers
    if getattr(request, "upload_too_large", False):
        return _too_large(request, back)
    if not files:
        messages.error(request, _("Choose at least one file."))
        return redirect(back)
    added = 0
    for upload_file in files:
        try:
            services.document_create(
                acting_user=request.user,
                community=community,
                upload=upload_file,
                title=request.POST.get("title", "") if len(files) == 1 else "",
                description=request.POST.get("description", "") if len(files) == 1 else "",
            )
            added += 1
        except ValidationError as exc:
            flash_errors(request, exc)
        except PermissionDenied:
            raise Http404 from None
    if added:
        messages.success(
            request,
            ngettext("%(count)s document added.", "%(count)s documents added.", added)
            % {"count": added},
        )
    return redirect(back)


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    can_upload = permissions.can(request.user, permissions.POST, document.community)
    panel = selectors.review_panel(user=request.user, document=document)
    flags = selectors.document_panel_flags(user=request.user, document=document)
    today = timezone.localdate()
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "versions": document.versions.select_related("uploaded_by"),
            "can_upload": can_upload,
            "can_delete": permissions.can_delete(request.user, document),
            "panel": panel,
            **flags,
            "today": today,
            "version_form": forms.VersionForm() if can_upload else None,
            "decision_form": forms.DecisionForm() if panel.my_reviewer else None,
            "comment_form": forms.CommentForm() if panel.can_comment else None,
            "request_form": (
                forms.ReviewRequestForm(candidates=panel.candidates, today=today)
                if panel.can_request
                else None
            ),
            "share_form": forms.ShareForm() if flags["can_share"] else None,
        },
    )


@csrf_exempt
@login_required
def version_upload(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    _limit_uploads(request)
    return _version_upload(request, pk)


@csrf_protect
def _version_upload(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    if not permissions.can(request.user, permissions.POST, document.community):
        raise Http404
    back = f"/documents/{document.pk}/"
    upload_file = request.FILES.get("file")
    if getattr(request, "upload_too_large", False):
        return _too_large(request, back)
    if upload_file is None:
        messages.error(request, _("Choose a file."))
        return redirect(back)
    try:
        version = services.version_add(
            acting_user=request.user,
            document=document,
            upload=upload_file,
            change_note=request.POST.get("change_note", ""),
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Version %(number)s added.") % {"number": version.number})
    return redirect(back)


@require_POST
@login_required
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    slug = document.community.slug
    try:
        services.document_delete(acting_user=request.user, document=document)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("documents:detail", pk=pk)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The document was deleted."))
    return redirect("documents:library", slug=slug)


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """Every download passes here: permission first, then the file as an inert
    attachment (inline only for the safe preview types), or a short-lived signed URL."""
    version = selectors.version_get_for_user(user=request.user, pk=pk)
    inline = version.content_type in app_settings.INLINE_TYPES and request.GET.get("preview")
    return private_file_response(
        version.file,
        name=version.original_name,
        content_type=version.content_type,
        inline=bool(inline),
    )


# --- Reviews --------------------------------------------------------------------------------


@require_POST
@login_required
@not_found_on_denial
def review_request(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    panel = selectors.review_panel(user=request.user, document=document)
    if not panel.can_request:
        raise Http404
    wanted = set(request.POST.getlist("reviewers"))
    reviewers = [person for person in panel.candidates if str(person.pk) in wanted]
    try:
        due_on = datetime.date.fromisoformat(request.POST.get("due_on", ""))
    except ValueError:
        messages.error(request, _("Choose a due date."))
        return redirect("documents:detail", pk=pk)
    try:
        services.review_request_create(
            acting_user=request.user,
            document=document,
            reviewers=reviewers,
            due_on=due_on,
            message=request.POST.get("message", ""),
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The review request was sent."))
    return redirect("documents:detail", pk=pk)


@require_POST
@login_required
@not_found_on_denial
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get_for_user(user=request.user, pk=pk)
    try:
        services.review_decide(
            acting_user=request.user,
            request=review,
            approve=request.POST.get("decision") == "approve",
            comment=request.POST.get("comment", ""),
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Your decision was recorded."))
    return redirect("documents:detail", pk=review.document_id)


@require_POST
@login_required
@not_found_on_denial
def review_comment(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get_for_user(user=request.user, pk=pk)
    parent_id = positive_int(request.POST.get("parent"))
    parent = review.comments.filter(pk=parent_id).first() if parent_id else None
    try:
        services.review_comment(
            acting_user=request.user,
            request=review,
            body=request.POST.get("body", ""),
            page=positive_int(request.POST.get("page")),
            parent=parent,
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect(reverse("documents:detail", args=[review.document_id]) + "#review")


@require_POST
@login_required
@not_found_on_denial
def review_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get_for_user(user=request.user, pk=pk)
    try:
        services.review_withdraw(acting_user=request.user, request=review)
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("documents:detail", pk=review.document_id)


@login_required
def review_trail(request: HttpRequest, pk: int) -> HttpResponse:
    """Who decided what on which version, when: printable, or CSV for the file."""
    review = selectors.review_get_for_user(user=request.user, pk=pk)
    events = review.events.select_related("actor", "version")
    if request.GET.get("format") == "csv":
        response, writer = csv_response(f"review-{review.pk}-trail.csv")
        writer.writerow(["when", "who", "what", "version", "comment"])
        for event in events:
            writer.writerow(
                [
                    timezone.localtime(event.created_at).isoformat(timespec="minutes"),
                    event.actor.name if event.actor else "",
                    event.get_kind_display(),
                    f"v{event.version.number}",
                    event.comment,
                ]
            )
        return response
    return render(request, "documents/trail.html", {"review": review, "events": events})


@login_required
def my_reviews(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "documents/my_reviews.html",
        {
            "awaiting": selectors.reviews_awaiting(user=request.user),
            "requested": selectors.reviews_requested_by(user=request.user),
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required
@not_found_on_denial
def share(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    try:
        person = services.document_share_with_address(
            acting_user=request.user, document=document, email=request.POST.get("email", "")
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("%(name)s can now read this document.") % {"name": person.name})
    return redirect("documents:detail", pk=pk)


@require_POST
@login_required
@not_found_on_denial
def unshare(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    person = next((p for p in selectors.shared_with(document=document) if p.pk == user_id), None)
    if person is None:
        raise Http404
    services.document_unshare(acting_user=request.user, document=document, user=person)
    messages.success(
        request, _("%(name)s can no longer read this document.") % {"name": person.name}
    )
    return redirect("documents:detail", pk=pk)
