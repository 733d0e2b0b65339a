from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from communities import permissions
from communities import selectors as community_selectors
from communities.models import Membership
from communities.views import confirmation, what_ends
from guests import selectors, services
from guests.bulk import bulk_confirm as confirm_bulk
from guests.bulk import bulk_prepare, rows_for_display
from guests.forms import ExtendForm, InvitationForm
from guests.models import BulkInvitation
from portal.core.http import csv_response
from portal.core.views import flash_errors, form_status, form_submit

SESSION_KEY = services.SESSION_KEY


@login_required
def invite(request: HttpRequest) -> HttpResponse:
    communities = selectors.communities_led_by(request.user)
    if not communities.exists():
        raise Http404
    sponsors = community_selectors.people_visible_to(request.user).filter(is_external=False)
    initial = {"role": "guest", "sponsor": request.user.pk}
    if request.GET.get("community"):
        initial["communities"] = communities.filter(slug=request.GET["community"])
    form = InvitationForm(
        request.POST or None, communities=communities, sponsors=sponsors, initial=initial
    )
    if "preview" in request.POST:
        # The e-mail the person will receive, shown under the form: nothing is sent.
        try:
            preview = form_submit(
                request,
                form,
                lambda data: services.invitation_preview(acting_user=request.user, **data),
            )
        except PermissionDenied:
            raise Http404 from None
        if preview.ok:
            context = {"form": form, "preview": preview.result}
            return render(request, "guests/invite.html", context)
        return render(request, "guests/invite.html", {"form": form}, status=400)
    try:
        done = form_submit(
            request,
            form,
            lambda data: services.invitation_create(acting_user=request.user, **data),
            error_field="email",
        )
    except PermissionDenied:
        raise Http404 from None
    if done.ok:
        email = form.cleaned_data["email"]
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
        return redirect("guests:invitations")
    return render(request, "guests/invite.html", {"form": form}, status=form_status(request))


@login_required
def invitations(request: HttpRequest) -> HttpResponse:
    if not selectors.communities_led_by(request.user).exists():
        raise Http404
    items = list(selectors.invitations_managed_by(request.user)[:200])
    for item in items:  # an accepted guest invitation links to the guest's access report
        item.shows_guest_access = permissions.is_guest_account(item.accepted_by)
    return render(request, "guests/invitations.html", {"invitations": items})


@require_POST
@login_required
def invitation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    invitation = selectors.invitation_get_for_manager(user=request.user, pk=pk)
    try:
        if action == "resend":
            services.invitation_resend(acting_user=request.user, invitation=invitation)
            messages.success(request, _("A new link was sent."))
        elif action == "revoke":
            services.invitation_revoke(acting_user=request.user, invitation=invitation)
            messages.success(request, _("The invitation was revoked."))
        else:
            raise Http404
    except ValidationError as exc:
        flash_errors(request, exc)
    except PermissionDenied:
        raise Http404 from None
    return redirect("guests:invitations")


def _consent(request: HttpRequest) -> bool:
    """The acceptance page's "send me digests" box (unticked unless the guest ticks it)."""
    return request.POST.get("digests") == "on"


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation e-mail. Works once, for the invited address only."""
    invitation = services.invitation_for_token(token)
    state = "invalid" if invitation is None or invitation.state == "revoked" else invitation.state
    context = {"invitation": invitation, "state": state}
    if state != "pending":
        return render(
            request, "guests/accept.html", context, status=404 if state == "invalid" else 410
        )
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email:
            context["state"] = "other_account"
            return render(request, "guests/accept.html", context, status=403)
        if request.method == "POST":
            try:
                memberships = services.invitation_accept(
                    invitation=invitation, user=user, digest_consent=_consent(request)
                )
            except (ValidationError, PermissionDenied) as exc:
                context["state"] = "refused"
                context["reason"] = " ".join(getattr(exc, "messages", []))
                return render(request, "guests/accept.html", context, status=409)
            messages.success(request, _("Welcome! You now have access to the community."))
            if memberships:
                return redirect("communities:detail", slug=memberships[0].community.slug)
            return redirect("communities:list")
        return render(request, "guests/accept.html", context)
    existing = get_user_model().objects.filter(email__iexact=invitation.email).first()
    if existing is not None and not existing.is_active and request.method == "POST":
        # A former guest, deactivated when their access ended: the link (sent to their
        # address) brings the account back; then they sign in as usual.
        try:
            memberships = services.invitation_accept(
                invitation=invitation, user=existing, digest_consent=_consent(request)
            )
        except (ValidationError, PermissionDenied) as exc:
            context["state"] = "refused"
            context["reason"] = " ".join(getattr(exc, "messages", []))
            return render(request, "guests/accept.html", context, status=409)
        messages.success(request, _("Your access is back. Sign in to continue."))
        first = memberships[0].community.slug if memberships else None
        target = reverse("communities:detail", args=[first]) if first else "/"
        return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
    if existing is not None:
        context["state"] = "sign_in" if existing.is_active else "reactivate"
        context["login_url"] = f"{reverse('account_login')}?next={request.path}"
        return render(request, "guests/accept.html", context)
    # A new person: allauth's sign-up, open for this address only, already verified.
    request.session[SESSION_KEY] = token
    get_adapter(request).stash_verified_email(request, invitation.email)
    first = invitation.communities.order_by("name").first()
    next_url = reverse("communities:detail", args=[first.slug]) if first else "/"
    return redirect(
        f"{reverse('account_signup')}?{urlencode({'email': invitation.email, 'next': next_url})}"
    )


@login_required
def guest_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.guest_report(viewer=request.user, guest_id=pk)
    if request.GET.get("format") == "csv":
        response, writer = csv_response(f"access-{report.guest.pk}.csv")
        writer.writerow(
            [
                "guest",
                "email",
                "organisation",
                "community",
                "role",
                "status",
                "since",
                "sponsor",
                "ends",
                "shared object",
            ]
        )
        for m in report.memberships:
            sponsorship = getattr(m, "sponsorship", None)
            writer.writerow(
                [
                    report.guest.name,
                    report.guest.email,
                    report.guest.organisation,
                    m.community.name,
                    m.role,
                    m.state_label,
                    m.joined_at.date().isoformat() if m.joined_at else "",
                    sponsorship.sponsor.name if sponsorship and sponsorship.sponsor else "",
                    timezone.localdate(m.access_ends).isoformat() if m.access_ends else "",
                    "",
                ]
            )
        for grant in report.grants:
            writer.writerow(
                [
                    report.guest.name,
                    report.guest.email,
                    report.guest.organisation,
                    grant.community.name if grant.community else "",
                    "shared" if grant.opens_access else "feed",
                    "active",
                    "",
                    "",
                    "",
                    f"{grant.kind}: {grant.title}",
                ]
            )
        return response
    return render(
        request,
        "guests/guest_report.html",
        {"report": report, "now": timezone.now(), "extend_form": ExtendForm()},
    )


@login_required
def my_access(request: HttpRequest) -> HttpResponse:
    if not permissions.is_guest(request.user):
        raise Http404
    return redirect("guests:guest", pk=request.user.pk)


@require_http_methods(["GET", "POST"])
@login_required
def guest_access(request: HttpRequest, pk: int, membership_id: int, action: str) -> HttpResponse:
    report = selectors.guest_report(viewer=request.user, guest_id=pk)
    membership = next((m for m in report.memberships if m.pk == membership_id), None)
    allowed = report.extendable if action == "extend" else report.manageable
    if membership is None or membership.pk not in allowed:
        raise Http404
    if request.method == "GET":
        if action != "end" or membership.status != Membership.Status.ACTIVE:
            raise Http404  # only ending the access asks first
        names = {"person": report.guest.name, "community": membership.community.name}
        return confirmation(
            request,
            title=_("End the access of %(person)s to %(community)s now?") % names,
            consequences=[
                *what_ends(yours=False, guest=True),
                _(
                    "If it was their last access, their account closes until someone "
                    "invites them again."
                ),
            ],
            submit_label=_("End access now"),
            cancel_url=reverse("guests:guest", args=[pk]),
        )
    try:
        if action == "extend":
            form = ExtendForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a valid date."))
                return redirect("guests:guest", pk=pk)
            services.guest_extend(
                acting_user=request.user, membership=membership, until=form.cleaned_data["until"]
            )
            messages.success(request, _("Access extended."))
        elif action == "end":
            services.guest_end(acting_user=request.user, membership=membership)
            messages.success(request, _("Access ended."))
        else:
            raise Http404
    except ValidationError as exc:
        flash_errors(request, exc)
    except PermissionDenied:
        raise Http404 from None
    return redirect("guests:guest", pk=pk)


@login_required
def community_guests(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.REVIEW_ACCESS
    )
    guests = selectors.community_guests(viewer=request.user, community=community)
    return render(
        request,
        "guests/community_guests.html",
        {
            "community": community,
            "guests": guests,
            "can_invite": permissions.can(request.user, permissions.MANAGE_MEMBERS, community),
            "now": timezone.now(),
            "Status": Membership.Status,
        },
    )


@login_required
def bulk_upload(request: HttpRequest) -> HttpResponse:
    if not selectors.communities_led_by(request.user).exists():
        raise Http404
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a CSV file.")
        elif upload.size > 5 * 1024 * 1024:
            error = _("This file is larger than 5 MB.")
        else:
            try:
                bulk = bulk_prepare(
                    acting_user=request.user, data=upload.read(), file_name=upload.name
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect("guests:bulk", pk=bulk.pk)
    return render(
        request, "guests/bulk_upload.html", {"error": error}, status=400 if error else 200
    )


@login_required
def bulk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulk = BulkInvitation.objects.filter(pk=pk, created_by=request.user).first()
    if bulk is None:
        raise Http404
    context = {
        "bulk": bulk,
        "rows": rows_for_display(bulk),
        "valid": len(bulk.valid_rows),
        "invalid": len(bulk.invalid_rows),
    }
    if request.htmx:
        return render(request, "guests/_bulk_rows.html", context)
    return render(request, "guests/bulk_detail.html", context)


@require_POST
@login_required
def bulk_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    bulk = BulkInvitation.objects.filter(pk=pk, created_by=request.user).first()
    if bulk is None:
        raise Http404
    try:
        confirm_bulk(acting_user=request.user, bulk=bulk)
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("guests:bulk", pk=pk)
