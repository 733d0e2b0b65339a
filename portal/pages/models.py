from __future__ import annotations

from django.db import models
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager, PageViewRestriction
from wagtail.search import index

from communities import permissions
from portal.pages.blocks import BodyBlock, HomeBlock


def restricted_page_ids(request: HttpRequest | None) -> list[int]:
    """Pages hidden from this visitor by Wagtail's privacy settings (restrictions apply to
    the page and all below it)."""
    restrictions = PageViewRestriction.objects.select_related("page")
    hidden: list[int] = []
    for restriction in restrictions:
        if request is None or not restriction.accept_request(request):
            hidden.append(restriction.page_id)
    return hidden


class GuestVisibility(models.Model):
    """Editorial pages are for the organisation: a guest (external partner) sees a page only
    when an editor marks it visible to guests."""

    visible_to_guests = models.BooleanField(
        _("visible to guests"),
        default=False,
        help_text=_("External partners (guests) may read this page."),
    )

    settings_panels = [*Page.settings_panels, FieldPanel("visible_to_guests")]

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        if permissions.is_guest(request.user) and not self.visible_to_guests:
            if isinstance(self, HomePage):
                return redirect("communities:feed")  # a guest's home is their feed
            raise Http404
        return super().serve(request, *args, **kwargs)


class NewsPageManager(PageManager):
    def visible_to(self, request: HttpRequest | None):
        """Live news, newest first, without what the visitor may not see."""
        news = self.live()
        if request is not None and permissions.is_guest(request.user):
            news = news.filter(visible_to_guests=True)
        for restricted in Page.objects.filter(pk__in=restricted_page_ids(request)):
            news = news.not_descendant_of(restricted, inclusive=True)
        return news.order_by("-date", "-pk")


class HomePage(GuestVisibility, Page):
    body = StreamField(HomeBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("body")]
    subpage_types = ["pages.StandardPage", "pages.NewsIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


class StandardPage(GuestVisibility, Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=500)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    subpage_types = ["pages.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class NewsIndexPage(GuestVisibility, Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["pages.NewsPage"]
    parent_page_types = ["pages.HomePage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.visible_to(request).child_of(self)
        tag = request.GET.get("tag", "").strip()
        if tag:
            news = news.filter(tags__name__iexact=tag)
        context["tag"] = tag
        context["news"] = news.prefetch_related("tags")[:50]
        return context


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "pages.NewsPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class NewsPage(GuestVisibility, Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(_("introduction"), max_length=500)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name=_("tags"))

    objects = NewsPageManager()

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    parent_page_types = ["pages.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news page")
