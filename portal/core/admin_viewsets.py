"""What the apps' admin screens (``<app>/wagtail_hooks.py``) share.

The admin shows communities, memberships, guests, invitations, events and documents to
administrators; it does not edit them row by row. Their invariants (a community keeps a
lead, a guest has a sponsor and an end date, every change is in the activity stream or the
audit log) live in the services, so each screen is a listing with search and filters, an
inspect view, a link to the public page, and bulk actions that call the services.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, OuterRef, Q, QuerySet
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic import IndexView, InspectView, history
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.log_actions import registry as log_registry

from portal.core import principals
from portal.core.http import csv_cell

PublicUrl = Callable[[Any], "str | None"]


class LinkColumn(Column):
    """A link to the object's page on the site (``get_url`` returns ``None`` for none)."""

    cell_template_name = "portal/admin/link_cell.html"

    def __init__(self, name: str, *, get_url: PublicUrl, text: str, **kwargs: Any) -> None:
        super().__init__(name, label=kwargs.pop("label", _("On the site")), **kwargs)
        self._get_url = get_url
        self.text = text

    def get_cell_context_data(self, instance: Any, parent_context: dict) -> dict:
        context = super().get_cell_context_data(instance, parent_context)
        context["link_url"] = self._get_url(instance)
        context["value"] = self.text
        return context


class DateColumn(Column):
    """A date written out (``7 Mar 2027, 23:59`` / ``7 mars 2027, 23:59``, in the reader's
    zone), instead of Wagtail's relative "3 days ago", which says "Just now" of every date
    in the future (the end of a guest's access, an event's start)."""

    cell_template_name = "portal/admin/date_cell.html"

    def get_cell_context_data(self, instance: Any, parent_context: dict) -> dict:
        context = super().get_cell_context_data(instance, parent_context)
        value = context["value"]
        if isinstance(value, datetime.datetime):
            context["text"] = formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        elif isinstance(value, datetime.date):
            context["text"] = formats.date_format(value, "DATE_FORMAT")
        return context


class CsvSafeExportMixin:
    """Wagtail's CSV export with every cell through ``portal.core.http.csv_cell`` (its XLSX export
    already stores formula-like text as text). Every admin listing with ``list_export``
    uses an index view with this mixin (tests/portal/test_admin_viewsets.py checks it)."""

    def preprocess_field_value(self, field: str, value: Any, export_format: str) -> Any:
        value = super().preprocess_field_value(field, value, export_format)
        return csv_cell(value) if export_format == "csv" else value


class SafeIndexView(CsvSafeExportMixin, IndexView):
    """The admin listings' base view."""


class BulkActionIndexView(SafeIndexView):
    """A listing with a checkbox per row and the bulk actions registered for its model
    (the snippets listing does the same; generic model listings do not)."""

    template_name = "portal/admin/index_with_bulk_actions.html"

    @cached_property
    def columns(self) -> list:
        return [BulkActionsCheckboxColumn("bulk_actions", obj_type="item"), *super().columns]

    def _get_title_column(self, *args: Any, **kwargs: Any):
        # The checkbox's aria-describedby points at the title.
        return super()._get_title_column(
            *args, **kwargs, get_title_id=lambda instance: f"item_{instance.pk}_title"
        )


class PublicPageInspectView(InspectView):
    """The inspect view with a "View on the site" button."""

    public_url: PublicUrl | None = None

    @cached_property
    def header_buttons(self) -> list:
        url = self.public_url(self.object) if self.public_url else None
        if not url:
            return []
        return [HeaderButton(_("View on the site"), url=url, icon_name="link-external")]


def search_filter(queryset: QuerySet, fields: Iterable[str], query: str) -> QuerySet:
    """The listing's search, as Wagtail does it for models without a search index."""
    if not query:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": query})
    return queryset.filter(condition)


class ServiceBulkAction(BulkAction):
    """A bulk action that calls one service per selected row, as the acting administrator.

    Who may run it: Django's ``change`` permission on the model (never a guest); then the
    service asks the community policy for each row, and a refusal or a broken rule is
    reported for that row without undoing the others (each service is its own
    transaction). "Select all in listing" keeps the listing's search and filters.
    """

    template_name = "portal/admin/bulk_action_confirm.html"
    # Set by subclasses: the listing's filters and search fields, and the page's words.
    filterset_class: Any = None
    search_fields: tuple[str, ...] = ()
    question: str = ""  # "Archive these communities?"
    confirm_label: str = ""

    def check_perm(self, obj: Model) -> bool:
        user = self.request.user
        opts = self.model._meta
        return not principals.is_guest(user) and user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        )

    @classmethod
    def get_listing_queryset(cls, model: type[Model]) -> QuerySet:
        """The rows the listing shows (and the only ones the action may touch)."""
        return model._default_manager.all()

    @classmethod
    def get_queryset(cls, model: type[Model], object_ids: Iterable[Any]) -> list:
        return list(cls.get_listing_queryset(model).filter(pk__in=list(object_ids)))

    def get_all_objects_in_listing_query(self, parent_id: Any) -> QuerySet:
        queryset = self.get_listing_queryset(self.model)
        if self.filterset_class is not None:
            queryset = self.filterset_class(self.request.GET, queryset=queryset).qs
        queryset = search_filter(queryset, self.search_fields, self.request.GET.get("q", ""))
        return queryset.values_list("pk", flat=True)

    def get_context_data(self, **kwargs: Any) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(
            question=self.question,
            confirm_label=self.confirm_label,
            action_name=self.display_name,
        )
        return context

    def apply(self, obj: Model, **options: Any) -> None:
        """Call the service for one row (raise ``ValidationError`` or
        ``PermissionDenied`` to refuse it)."""
        raise NotImplementedError

    def get_execution_context(self) -> dict:
        data = self.cleaned_form.cleaned_data if self.cleaned_form else {}
        return {"action": self, **data}

    @classmethod
    def execute_action(cls, objects: list, action: ServiceBulkAction = None, **options: Any):
        done = 0
        for obj in objects:
            try:
                action.apply(obj, **options)
            except PermissionDenied:
                messages.error(
                    action.request, _("%(item)s: you may not do this here.") % {"item": obj}
                )
            except ValidationError as error:
                messages.error(
                    action.request,
                    _("%(item)s: %(reason)s") % {"item": obj, "reason": " ".join(error.messages)},
                )
            else:
                done += 1
        return done, 0

    def get_success_message(self, num_parent_objects: int, num_child_objects: int) -> str | None:
        return self.done_message(num_parent_objects) if num_parent_objects else None

    def done_message(self, count: int) -> str:
        raise NotImplementedError


# The "Communities" menu of the admin (communities/wagtail_hooks.py): the upper apps put
# their screens in it by setting ``menu_hook`` to this hook's name on their viewsets.
COMMUNITIES_MENU_HOOK = "register_communities_admin_menu_item"


class HistoryView(history.HistoryView):
    # Wagtail opens an object's history to those who may change it; here nobody may, and
    # the audit log (archived, extended, ended…) is what an administrator comes to read.
    any_permission_required = ["view"]

    def get_base_queryset(self) -> QuerySet:
        opts = self.model._meta
        # Services log the concrete row (a Membership, on the guests screen's GuestAccess).
        row = opts.concrete_model(pk=self.object.pk) if opts.proxy else self.object
        entries = log_registry.get_logs_for_instance(row)
        # Wagtail keeps the latest entry per (uuid, action) across all objects, which hides
        # every row of a bulk action but the last (one request, one uuid): group per object.
        latest = (
            entries.filter(uuid=OuterRef("uuid"), action=OuterRef("action"))
            .order_by("-timestamp", "-id")
            .values("id")[:1]
        )
        return self._annotate_queryset(entries.filter(Q(uuid__isnull=True) | Q(id=latest)))


class ListingViewSet(ModelViewSet):
    """A read-only screen: listing, inspect view, history; no add, edit, copy or delete
    (``ReadOnlyPolicy``, registered for the model in its app's ``ready()``, refuses them).
    Groups are offered the two permissions that mean something here: view, and change for
    the bulk actions."""

    history_view_class = HistoryView
    index_view_class = SafeIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    # Wagtail's reference index is for the "usage" of content (images, snippets); tracking
    # these rows would run an index update, with its queries, on every save of a community,
    # a membership, an event, a document … (bench/RESULTS.md: 3 ms per digest sent).
    add_to_reference_index = False
    form_fields = ()  # no add or edit view: ReadOnlyPolicy refuses them

    def get_permissions_to_register(self) -> QuerySet:
        opts = self.model._meta
        return Permission.objects.filter(
            # a proxy model (guests.GuestAccess) has its own content type and permissions
            content_type=ContentType.objects.get_for_model(self.model, for_concrete_model=False),
            codename__in=[get_permission_codename(action, opts) for action in ("view", "change")],
        )
