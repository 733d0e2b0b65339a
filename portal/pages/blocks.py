from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class LinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.CharBlock(
        label=_("or URL"),
        required=False,
        max_length=500,
        help_text=_("A site path such as /people/ or a full https:// address."),
        validators=[
            RegexValidator(
                r"^(/(?!/)|https?://)",
                _("Start with / for a page of this site, or with https://."),
            )
        ],
    )
    label = blocks.CharBlock(label=_("Button label"), max_length=60)

    class Meta:
        icon = "link"
        label = _("Link")


class HeroBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=400)
    image = ImageChooserBlock(label=_("Image"), required=False)

    class Meta:
        icon = "image"
        label = _("Hero")
        template = "pages/blocks/hero.html"


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=400)
    link = LinkBlock()

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "pages/blocks/call_to_action.html"


class ImageTextBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=200,
        required=False,
        help_text=_("Describe the image for people who cannot see it; empty if decorative."),
    )
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link", "ul", "ol"])
    image_on_right = blocks.BooleanBlock(label=_("Image on the right"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Image and text")
        template = "pages/blocks/image_text.html"


class LatestNewsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120, default=_("Latest news"))
    count = blocks.IntegerBlock(label=_("How many"), min_value=1, max_value=12, default=3)

    class Meta:
        icon = "list-ul"
        label = _("Latest news")
        template = "pages/blocks/latest_news.html"

    def get_context(self, value, parent_context=None):
        from portal.pages.models import NewsPage

        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        context["news"] = NewsPage.objects.visible_to(request)[: value["count"]]
        return context


RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr", "document-link"]


class BodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(label=_("Rich text"), features=RICH_TEXT_FEATURES)
    image_text = ImageTextBlock()
    call_to_action = CallToActionBlock()


class HomeBlock(blocks.StreamBlock):
    hero = HeroBlock()
    rich_text = blocks.RichTextBlock(label=_("Rich text"), features=RICH_TEXT_FEATURES)
    call_to_action = CallToActionBlock()
    image_text = ImageTextBlock()
    latest_news = LatestNewsBlock()
