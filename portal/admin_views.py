"""Administrators' screens in the Wagtail admin: the adoption report."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from communities import permissions
from communities.models import Community
from portal import adoption
from portal.core.http import csv_response
from portal.core.widgets import DateInput

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 220, 30


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Community) -> str:
        if obj.archived_at is not None:
            return gettext("%(name)s (archived)") % {"name": obj.name}
        return obj.name


def _report_communities():
    """Every community, archived ones too (their numbers stay worth reading on their own),
    after the active ones."""
    archived = ExpressionWrapper(Q(archived_at__isnull=False), output_field=BooleanField())
    return Community.objects.order_by(archived.asc(), "name")


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())
    community = CommunityChoiceField(
        label=_("Community"),
        queryset=_report_communities(),
        required=False,
        empty_label=_("The whole organisation"),
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


# Accounts counted, hence plural, and apart from the status "Active" of a membership.
SERIES = {
    "registered": pgettext_lazy("adoption: accounts", "Registered"),
    "connected": pgettext_lazy("adoption: accounts", "Connected"),
    "active": pgettext_lazy("adoption: accounts", "Active"),
}


def _chart(months: list[adoption.Month]) -> dict:
    """Coordinates for the server-rendered SVG of the adoption curve."""
    top = max([m.registered for m in months] + [1])
    step = (CHART_WIDTH - 2 * CHART_PAD) / max(len(months) - 1, 1)

    def y(value: int) -> float:
        return round(CHART_HEIGHT - CHART_PAD - value * (CHART_HEIGHT - 2 * CHART_PAD) / top, 1)

    def points(attr: str) -> str:
        return " ".join(
            f"{round(CHART_PAD + i * step, 1)},{y(getattr(m, attr))}" for i, m in enumerate(months)
        )

    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "top": top,
        "series": [
            {"name": SERIES["registered"], "points": points("registered"), "color": "#4a5561"},
            {"name": SERIES["connected"], "points": points("connected"), "color": "#0b5cad"},
            {"name": SERIES["active"], "points": points("active"), "color": "#1e6b34"},
        ],
        "labels": [
            {
                "x": round(CHART_PAD + i * step, 1),
                "text": formats.date_format(m.month, "SHORT_YEAR_MONTH_FORMAT"),
            }
            for i, m in enumerate(months)
        ],
        "baseline": CHART_HEIGHT - CHART_PAD,
    }


ROWS = [
    ("registered", _("Registered accounts")),
    ("connected", _("Connected during the period")),
    ("connection_rate", _("Connection rate (%)")),
    ("active", pgettext_lazy("adoption: accounts", "Active (posted, commented or liked)")),
    ("passive", _("Passive (connected, only read)")),
    ("enriched", pgettext_lazy("adoption: accounts", "Enriched profile (≥ 75 %)")),
    ("participation_rate", _("Participation rate (%)")),
    ("frequency", _("Contributions per active account")),
    ("posts", _("Posts")),
    ("comments", _("Comments")),
    ("likes", _("Likes")),
    ("communities_created", _("Communities created")),
    ("invitations_sent", _("Invitations sent")),
    ("invitations_accepted", _("Invitations accepted")),
]


def adoption_report(request: HttpRequest) -> HttpResponse:
    if not permissions.is_administrator(request.user):
        raise Http404
    today = timezone.localdate()
    form = PeriodForm(
        request.GET or None,
        initial={"start": today - datetime.timedelta(days=29), "end": today},
    )
    start, end, community = today - datetime.timedelta(days=29), today, None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        community = form.cleaned_data["community"]
    kpis = adoption.adoption(start=start, end=end, community=community)
    rows = [
        (key, label, [adoption.value(kpis, split, key) for split in adoption.SPLITS])
        for key, label in ROWS
    ]
    months = adoption.adoption_curve(today=end, community=community)
    if request.GET.get("format") == "csv":
        response, writer = csv_response(f"adoption-{start.isoformat()}-{end.isoformat()}.csv")
        writer.writerow(["kpi", "internal", "guests", "all"])
        for key, _label, values in rows:  # the page's "—" is an empty cell
            writer.writerow([key, *["" if v is None else v for v in values]])
        writer.writerow([])
        writer.writerow(["month", "registered", "connected", "active"])
        for month in months:
            writer.writerow(
                [month.month.strftime("%Y-%m"), month.registered, month.connected, month.active]
            )
        return response
    return render(
        request,
        "portal/adoption.html",
        {
            "form": form,
            "rows": rows,
            "definitions": adoption.DEFINITIONS.values(),
            "months": months,
            "chart": _chart(months),
            "series": SERIES,
            "start": start,
            "end": end,
            "community": community,
            "csv_query": request.GET.urlencode(),
        },
    )
