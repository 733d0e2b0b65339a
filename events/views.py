"""Calendar pages: parse, ask the selectors and the policy, call one service, render.

Times are shown in the viewer's time zone (the middleware activates their profile's)."""

from __future__ import annotations

import calendar as pycalendar
import datetime
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities import permissions
from communities import selectors as community_selectors
from events import ical, selectors, services
from events.app_settings import app_settings
from events.forms import EventForm, ImportForm, OccurrenceForm, RSVPForm, schedule_initial
from events.models import Event
from portal.core.fragments import render_many
from portal.core.http import not_found_on_denial
from portal.core.tokens import token_hash
from portal.core.views import flash_errors, form_status, form_submit

ICS_TYPE = "text/calendar; charset=utf-8"


# --- Agendas ----------------------------------------------------------------------------


def _month(request: HttpRequest) -> tuple[datetime.date, datetime.datetime, datetime.datetime]:
    """The month asked for (``?month=2026-03``, this month by default) and its bounds in
    the viewer's time zone."""
    today = timezone.localdate()
    first = today.replace(day=1)
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        if 1900 <= year <= 2200 and 1 <= month <= 12:
            first = datetime.date(year, month, 1)
    except ValueError:
        pass
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time(0), tzinfo=zone)
    end = datetime.datetime.combine(following, datetime.time(0), tzinfo=zone)
    return first, start, end


def _weeks(first: datetime.date, items: list[selectors.Item]) -> list[list[dict]]:
    """The month grid: weeks from Monday, each day with its occurrences (local dates)."""
    by_day: dict[datetime.date, list[selectors.Item]] = {}
    zone = timezone.get_current_timezone()
    one_second = datetime.timedelta(seconds=1)
    for item in items:
        day = item.start.astimezone(zone).date()
        last = max(item.start, item.end - one_second).astimezone(zone).date()
        last = min(last, day + datetime.timedelta(days=42))  # a long event spans the grid
        while day <= last:
            by_day.setdefault(day, []).append(item)
            day += datetime.timedelta(days=1)
    today = timezone.localdate()
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append(
            [
                {
                    "date": day,
                    "in_month": day.month == first.month,
                    "today": day == today,
                    "items": by_day.get(day, []),
                }
                for day in week
            ]
        )
    return weeks


def _agenda_context(request: HttpRequest, community=None) -> dict[str, Any]:
    first, start, end = _month(request)
    items = selectors.agenda(user=request.user, start=start, end=end, community=community)
    answers = selectors.my_answers(user=request.user, items=items)
    for item in items:
        item.my_answer = answers.get((item.event.pk, item.key))
    view = "month" if request.GET.get("view") == "month" else "list"
    if view == "list":
        _attach_list_html(items, show_community=community is None)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return {
        "items": items,
        "weeks": _weeks(first, items) if view == "month" else None,
        "view": view,
        "month": first,
        "previous_month": previous.strftime("%Y-%m"),
        "next_month": following.strftime("%Y-%m"),
        "previous": previous,
        "following": following,
        "this_month": first.strftime("%Y-%m"),
        "weekdays": [datetime.date(2024, 1, day) for day in range(1, 8)],  # Monday first
    }


def _attach_list_html(items: list[selectors.Item], *, show_community: bool) -> None:
    """Each agenda line's HTML, cached by what it shows (``portal.core.fragments``): a busy
    month lists hundreds of occurrences, which were most of the page's time to render."""
    htmls = render_many(
        items,
        templates=("events/_list_item.html",),
        shows=lambda item: (
            item.event.pk,
            item.key,
            item.start,
            item.end,
            item.title,
            item.location,
            item.cancelled,
            item.event.all_day,
            item.event.is_recurring,
            item.event.community.name if show_community else None,
            item.my_answer,
        ),
        context=lambda item: {"item": item, "show_community": show_community},
    )
    for item, html in zip(items, htmls, strict=True):
        item.html = mark_safe(html)  # noqa: S308 (our own template's output)


@login_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    """My agenda: every community I belong to."""
    return render(request, "events/my_calendar.html", _agenda_context(request))


@login_required
def community_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.VIEW
    )
    context = _agenda_context(request, community)
    context.update(
        community=community,
        can_add=permissions.can(request.user, permissions.ADD_EVENT, community),
        can_import=permissions.can(request.user, permissions.MANAGE_EVENTS, community),
    )
    return render(request, "events/community_calendar.html", context)


# --- Events -----------------------------------------------------------------------------


def _default_initial(request: HttpRequest) -> dict[str, Any]:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return {
        "tz": getattr(request.user, "timezone", "") or timezone.get_current_timezone_name(),
        "start_date": tomorrow,
        "start_time": datetime.time(10, 0),
        "end_time": datetime.time(11, 0),
        "interval": 1,
    }


@login_required
@not_found_on_denial
def event_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.ADD_EVENT
    )
    form = EventForm(request.POST or None, initial=_default_initial(request))
    done = form_submit(
        request,
        form,
        lambda _data: services.event_create(
            acting_user=request.user, community=community, **form.service_kwargs()
        ),
    )
    if done.ok:
        messages.success(request, _("The event is in the calendar."))
        return redirect("events:detail", pk=done.result.pk)
    return render(
        request,
        "events/form.html",
        {"form": form, "community": community, "event": None},
        status=form_status(request),
    )


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    key = selectors.parse_key(request.GET.get("at"))
    item = selectors.occurrence_for(event, key) if key else selectors.next_occurrence(event)
    return render(request, "events/detail.html", _detail_context(request, event, item))


def _detail_context(request: HttpRequest, event, item) -> dict[str, Any]:
    return {
        "event": event,
        "item": item,
        "community": event.community,
        "attendance": selectors.attendance(user=request.user, event=event, key=item.key),
        "can_change": permissions.can_change_event(request.user, event),
    }


@login_required
@not_found_on_denial
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole event or series; with ``?at=`` one occurrence of a series."""
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    if not permissions.can_change_event(request.user, event) or event.is_cancelled:
        raise Http404
    key = selectors.parse_key(request.GET.get("at"))
    if key is not None and event.is_recurring:
        return _occurrence_edit(request, event, selectors.occurrence_for(event, key))
    initial = {
        **schedule_initial(start=event.start, end=event.end, tz=event.tz, all_day=event.all_day),
        "title": event.title,
        "description": event.description,
        "location": event.location,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "freq": event.freq,
        "interval": event.interval,
        "count": event.count,
        "until": event.until.astimezone(zoneinfo.ZoneInfo(event.tz)).date()
        if event.until
        else None,
    }
    form = EventForm(request.POST or None, initial=initial)
    done = form_submit(
        request,
        form,
        lambda _data: services.event_update(
            acting_user=request.user, event=event, **form.service_kwargs()
        ),
    )
    if done.ok:
        messages.success(request, _("The event was changed."))
        return redirect("events:detail", pk=event.pk)
    return render(
        request,
        "events/form.html",
        {"form": form, "community": event.community, "event": event},
        status=form_status(request),
    )


def _occurrence_edit(request: HttpRequest, event, item) -> HttpResponse:
    initial = {
        **schedule_initial(start=item.start, end=item.end, tz=event.tz, all_day=event.all_day),
        "title": item.title,
        "location": item.location,
        "description": event.description,
    }
    form = OccurrenceForm(request.POST or None, initial=initial)
    done = form_submit(
        request,
        form,
        lambda data: services.occurrence_update(
            acting_user=request.user,
            event=event,
            original_start=item.key,
            schedule=form.schedule,
            title=data["title"],
            description=data.get("description", ""),
            location=data.get("location", ""),
        ),
    )
    if done.ok:
        messages.success(request, _("This occurrence was changed."))
        return redirect(f"{reverse('events:detail', args=[event.pk])}?at={item.key_param}")
    return render(
        request,
        "events/occurrence_form.html",
        {"form": form, "community": event.community, "event": event, "item": item},
        status=form_status(request),
    )


@require_POST
@login_required
@not_found_on_denial
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    key = selectors.parse_key(request.POST.get("at"))
    try:
        services.event_cancel(acting_user=request.user, event=event, occurrence_start=key)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        if key:
            messages.success(request, _("This occurrence is cancelled."))
        else:
            messages.success(request, _("The event is cancelled."))
    url = reverse("events:detail", args=[event.pk])
    return redirect(f"{url}?at={key.strftime('%Y%m%dT%H%M%SZ')}" if key else url)


@require_POST
@login_required
@not_found_on_denial
def event_rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    form = RSVPForm(request.POST)
    key = selectors.parse_key(request.POST.get("occurrence"))
    item = selectors.occurrence_for(event, key) if key else selectors.next_occurrence(event)
    error = None
    if not form.is_valid():
        error = _("Answer yes, maybe or no.")
    else:
        try:
            services.rsvp_set(
                acting_user=request.user,
                event=event,
                answer=form.cleaned_data["answer"],
                occurrence_start=item.key,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if request.htmx:
        context = _detail_context(request, event, item)
        context["rsvp_error"] = error
        return render(request, "events/_rsvp.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your answer is saved."))
    return redirect(f"{reverse('events:detail', args=[event.pk])}?at={item.key_param}")


@require_POST
@login_required
@not_found_on_denial
def event_invite(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    count = services.event_invite_members(acting_user=request.user, event=event)
    messages.success(request, _("%(count)s members and guests were invited.") % {"count": count})
    return redirect("events:detail", pk=event.pk)


@login_required
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    body = selectors.calendar_bytes(rows=selectors.rows_of([event]), events=[event])
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


# --- Subscription feeds -----------------------------------------------------------------


FEED_URL_SESSION_KEY = "events_new_feed_url"


def _feed_url(request: HttpRequest, feed, token: str) -> str:
    return request.build_absolute_uri(reverse("events:feed", args=[feed.pk, token]))


@login_required
@not_found_on_denial
def feeds(request: HttpRequest) -> HttpResponse:
    """My subscription feeds; a new one (all my communities, or one of them)."""
    if request.method == "POST":
        slug = request.POST.get("community", "")
        community = None
        if slug:
            community = community_selectors.community_get_for_user(
                user=request.user, slug=slug, perm=permissions.VIEW
            )
        feed, token = services.feed_create(acting_user=request.user, community=community)
        request.session[FEED_URL_SESSION_KEY] = [feed.pk, _feed_url(request, feed, token)]
        messages.success(request, _("Your feed is ready: copy its address now, it is shown once."))
        return redirect("events:feeds")
    new = request.session.pop(FEED_URL_SESSION_KEY, None)
    return render(
        request,
        "events/feeds.html",
        {
            "feeds": selectors.feeds_of(user=request.user),
            "new_feed": {"pk": new[0], "url": new[1]} if new else None,
            "communities": community_selectors.community_list_visible_to(user=request.user).filter(
                pk__in=list(permissions.active_roles(request.user))
            ),
        },
    )


@require_POST
@login_required
@not_found_on_denial
def feed_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    feed = selectors.feed_get_for_owner(user=request.user, pk=pk)
    token = services.feed_rotate(acting_user=request.user, feed=feed)
    request.session[FEED_URL_SESSION_KEY] = [feed.pk, _feed_url(request, feed, token)]
    messages.success(request, _("New address: the old one no longer works."))
    return redirect("events:feeds")


@require_POST
@login_required
@not_found_on_denial
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    feed = selectors.feed_get_for_owner(user=request.user, pk=pk)
    services.feed_revoke(acting_user=request.user, feed=feed)
    messages.success(request, _("The feed is revoked: its address no longer works."))
    return redirect("events:feeds")


def feed(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """A calendar application fetching a private feed: no session, the token is the key.
    The owner's access is checked on every fetch; 304 when nothing changed."""
    if request.method not in ("GET", "HEAD"):
        raise Http404
    the_feed = selectors.feed_get_by_token(pk=pk, token_hash=token_hash(token))
    rows = selectors.feed_rows(feed=the_feed)
    etag, latest = selectors.feed_version(rows=rows)
    quoted = quote_etag(etag)
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        not_modified = quoted in [tag.strip() for tag in if_none_match.split(",")]
    else:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        not_modified = bool(latest and since and int(latest.timestamp()) <= since)
    if not_modified:
        response: HttpResponse = HttpResponseNotModified()
    else:
        name = the_feed.community.name if the_feed.community else _("My communities")
        body = selectors.feed_bytes(rows=rows, etag=etag, name=f"Parvis · {name}")
        response = HttpResponse(body, content_type=ICS_TYPE)
        response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    services.feed_touch(feed=the_feed)
    response["ETag"] = quoted
    if latest:
        response["Last-Modified"] = http_date(latest.timestamp())
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- Import -----------------------------------------------------------------------------


@login_required
@not_found_on_denial
def import_upload(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.MANAGE_EVENTS
    )
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "community": community}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > app_settings.IMPORT_MAX_BYTES:
            form.add_error(
                "file",
                _("The file is larger than %(limit)s KB.")
                % {"limit": app_settings.IMPORT_MAX_BYTES // 1024},
            )
        else:
            try:
                pending, found = services.import_upload(
                    acting_user=request.user,
                    community=community,
                    file_name=upload.name or "calendar.ics",
                    data=upload.read(),
                )
            except ical.ImportRefused as exc:
                form.add_error("file", str(exc))
            else:
                known = selectors.known_uids(community=community, uids=[f.uid for f in found])
                labels = dict(Event.Frequency.choices)
                for item in found:
                    item.freq_label = labels.get(item.freq, "")
                context.update(pending=pending, found=found, known=known)
                return render(request, "events/import_preview.html", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "events/import.html", context, status=status)


@require_POST
@login_required
@not_found_on_denial
def import_confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = community_selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.MANAGE_EVENTS
    )
    pending = selectors.import_get_for_user(user=request.user, community=community, pk=pk)
    try:
        created, updated = services.import_confirm(acting_user=request.user, pending=pending)
    except (ValidationError, ical.ImportRefused) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("Imported: %(created)s new events, %(updated)s updated.")
            % {"created": created, "updated": updated},
        )
    return redirect("events:community", slug=community.slug)
