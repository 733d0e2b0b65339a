from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
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
from portal.pages.dashboard import dashboard_for
from portal.pages.forms import CommunityScopedPageForm


def restricted_page_ids(request: HttpRequest | None) -> list[int]:
    """Pages hidden from this visitor by Wagtail's privacy settings (restrictions apply to
    the page and all below it)."""
    restrictions = PageViewRestriction.objects.select_related("page")
    hidden: list[int] = []
    for restriction in restrictions:
        if request is None or not restriction.accept_request(request):
            hidden.append(restriction.page_id)
    return hidden


def public_for_signed_out(page: Page, request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An editorial page as a signed-out visitor sees it is the same for every such visitor:
    ``Cache-Control: public`` lets the service worker keep it for reading offline (portal/pwa.py).
    Not a page behind Wagtail's privacy settings (a password, a group), nor anything a
    signed-in person sees (``private, no-store``: portal.core.middleware)."""
    if (
        not request.user.is_authenticated
        and response.status_code == 200
        and "Cache-Control" not in response
        and not page.get_view_restrictions().exists()
    ):
        patch_cache_control(response, public=True, max_age=0)
    return response


class GuestVisibility(models.Model):
    """Editorial pages are for the organisation: a guest (external partner) sees a page only
    when an editor marks it visible to guests, or when the page is scoped to a community the
    guest belongs to (``CommunityScope``). Who may read is the policy's answer
    (``permissions.can_read_page``)."""

    visible_to_guests = models.BooleanField(
        _("visible to guests"),
        default=False,
        help_text=_("External partners (guests) may read this page."),
    )

    settings_panels = [*Page.settings_panels, FieldPanel("visible_to_guests")]

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        if not permissions.can_read_page(request.user, self):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404  # a page one may not read does not exist
        return public_for_signed_out(self, request, super().serve(request, *args, **kwargs))


class CommunityScope(models.Model):
    """A page scoped to a community is read only by those who may read the community (its
    members, guests included; for an open community, every internal person), and is left out
    of every listing for the others."""

    community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        # A community with pages cannot be deleted by accident: its pages would become
        # public. Move or unscope them first (communities are archived, not deleted).
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only the people who may read this community may read the page."),
    )

    scope_panels = [FieldPanel("community")]
    base_form_class = CommunityScopedPageForm

    class Meta:
        abstract = True


class NewsPageManager(PageManager):
    def visible_to(self, request: HttpRequest | None):
        """Live news, newest first, without what the visitor may not see."""
        news = self.live().filter(permissions.readable_pages_q(getattr(request, "user", None)))
        for restricted in Page.objects.filter(pk__in=restricted_page_ids(request)):
            news = news.not_descendant_of(restricted, inclusive=True)
        return news.order_by("-date", "-pk")


class HomePage(GuestVisibility, Page):
    """The portal's front page: the editors' content (for guests only when marked visible to
    them) and, for a signed-in person, their own dashboard (``portal.home``, registered in
    ``portal.pages.dashboard``)."""

    body = StreamField(HomeBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("body")]
    subpage_types = ["pages.StandardPage", "pages.NewsIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def serve(self, request, *args, **kwargs):
        # everyone has a home
        return public_for_signed_out(self, request, Page.serve(self, request, *args, **kwargs))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["show_body"] = show_body = permissions.can_read_page(request.user, self)
        context["dashboard"] = dashboard_for(request)
        # The editors' own "latest news" block, when shown, stands for the dashboard's.
        context["news_in_body"] = show_body and any(
            block.block_type == "latest_news" for block in self.body
        )
        return context


class StandardPage(GuestVisibility, CommunityScope, Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=500)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    settings_panels = [*GuestVisibility.settings_panels, *CommunityScope.scope_panels]
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


class NewsPage(GuestVisibility, CommunityScope, Page):
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
    settings_panels = [*GuestVisibility.settings_panels, *CommunityScope.scope_panels]
    parent_page_types = ["pages.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news page")


class PageAnnouncement(models.Model):
    """A published page pushed into its community's feed: the post that carries it there
    (and so into the next digest). A page can be pushed again once it has been published
    again since."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    post = models.OneToOneField(
        "communities.Post", on_delete=models.CASCADE, related_name="announcement"
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("page published to a community")
        verbose_name_plural = _("pages published to communities")
        indexes = [models.Index(fields=["community", "created_at"], name="announcement_time")]

    def __str__(self) -> str:
        return f"Page {self.page_id} in {self.community_id}"
