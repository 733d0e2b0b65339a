"""Demo data for `make run`: a believable organisation (a regional tourism board) with staff,
editors, a partner guest, and an editorial home page with news.

Idempotent: every object is looked up by a natural key first, so running the seed twice
changes nothing. Later features add their part of the story with a function here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from portal.accounts import services as account_services
from portal.pages.models import HomePage, NewsIndexPage, NewsPage, StandardPage

User = get_user_model()

DEMO_PASSWORD = "parvis-demo"  # noqa: S105 - printed on purpose: demo accounts only


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    password: str = DEMO_PASSWORD


# Not in any community: the graphic charter alone is shared with her (a django-guardian grant).
OUTSIDE_REVIEWER = "helene.fabre@heritage-foundation.example"

PEOPLE = [
    # email, display name, organisation, job title, location, skills, extra
    (
        "admin@parvis.example",
        "Alex Admin",
        "Parvis Tourism Board",
        "Platform administrator",
        "Lyon",
        ["administration"],
        {"is_staff": True, "is_superuser": True},
    ),
    (
        "claire.dubois@parvis.example",
        "Claire Dubois",
        "Parvis Tourism Board",
        "Communications editor",
        "Lyon",
        ["writing", "graphic charter"],
        {"group": "Editors"},
    ),
    (
        "marc.lefevre@parvis.example",
        "Marc Lefèvre",
        "Parvis Tourism Board",
        "Head of communications",
        "Lyon",
        ["editorial", "press"],
        {"group": "Moderators"},
    ),
    (
        "camille.martin@parvis.example",
        "Camille Martin",
        "Parvis Tourism Board",
        "Project lead, Lakeside Trails",
        "Annecy",
        ["project management", "tourism", "funding"],
        {
            "phone": "+33 4 50 00 00 01",
            "bio": "I run the Lakeside Trails project with our funders.",
        },
    ),
    (
        "hugo.bernard@parvis.example",
        "Hugo Bernard",
        "Parvis Tourism Board",
        "Site referent",
        "Chambéry",
        ["events", "tourism"],
        {},
    ),
    (
        "ines.moreau@parvis.example",
        "Inès Moreau",
        "Parvis Tourism Board",
        "Digital marketing",
        "Lyon",
        ["social media", "web visibility"],
        {},
    ),
    (
        "louis.garnier@parvis.example",
        "Louis Garnier",
        "Parvis Tourism Board",
        "Sales manager",
        "Grenoble",
        ["sales", "CRM"],
        {},
    ),
    (
        "sarah.petit@parvis.example",
        "Sarah Petit",
        "Parvis Tourism Board",
        "Newcomer, visitor services",
        "Annecy",
        [],
        {},
    ),
    (
        "julie.roux@funder-region.example",
        "Julie Roux",
        "Région Auvergne-Rhône-Alpes",
        "Funding officer",
        "Lyon",
        ["funding"],
        {"is_external": True},
    ),
    (
        OUTSIDE_REVIEWER,
        "Hélène Fabre",
        "Fondation du patrimoine",
        "Heritage advisor",
        "Annecy",
        ["heritage"],
        {"is_external": True},
    ),
]

LOGINS = [
    Login("administrator", "admin@parvis.example"),
    Login("editor", "claire.dubois@parvis.example"),
    Login("internal member", "camille.martin@parvis.example"),
    Login("guest (external partner)", "julie.roux@funder-region.example"),
]


def seed_people() -> None:
    for email, name, organisation, job, location, skills, extra in PEOPLE:
        if User.objects.filter(email=email).exists():
            continue
        extra = dict(extra)
        group = extra.pop("group", None)
        user = account_services.user_create(
            email=email,
            password=DEMO_PASSWORD,
            display_name=name,
            organisation=organisation,
            job_title=job,
            location=location,
            skills=skills,
            **extra,
        )
        if group:
            user.groups.add(Group.objects.get(name=group))


def _publish(page: Page) -> Page:
    page.save_revision().publish()
    return page


def seed_pages() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's first migration leaves a placeholder "Welcome" page at /home/.
        for placeholder in root.get_children().filter(slug="home"):
            if placeholder.specific_class is Page:
                placeholder.delete()
        home = HomePage(title="Welcome to Parvis", slug="home", body=_home_body())
        root.add_child(instance=home)
        _publish(home)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
        else:
            site.root_page = home
            site.site_name = "Parvis"
            site.save()
    if not NewsIndexPage.objects.exists():
        news_index = NewsIndexPage(
            title="News", slug="news", intro="What is happening at the board and with partners."
        )
        home.add_child(instance=news_index)
        _publish(news_index)
        for days_ago, title, intro, tags in NEWS:
            news = NewsPage(
                title=title,
                intro=intro,
                date=datetime.date.today() - datetime.timedelta(days=days_ago),
                body=[("rich_text", f"<p>{intro}</p>")],
            )
            news_index.add_child(instance=news)
            news.tags.add(*tags)
            _publish(news)
    if not StandardPage.objects.filter(slug="help").exists():
        help_page = StandardPage(
            title="Help",
            slug="help",
            intro="How to find your way around Parvis.",
            body=[
                (
                    "rich_text",
                    "<h2>Signing in</h2><p>Use your work e-mail address. Partners receive an "
                    "invitation from a community lead.</p><h2>Your profile</h2><p>Complete "
                    "your profile so colleagues and partners know who you are.</p>",
                )
            ],
        )
        help_page.visible_to_guests = True  # partners need help too
        home.add_child(instance=help_page)
        _publish(help_page)
    if not StandardPage.objects.filter(slug="staff-handbook").exists():
        handbook = StandardPage(
            title="Staff handbook",
            slug="staff-handbook",
            intro="For signed-in people only: Wagtail's privacy setting hides it from visitors.",
            body=[("rich_text", "<p>Holidays, expenses and who to call.</p>")],
        )
        home.add_child(instance=handbook)
        _publish(handbook)
        PageViewRestriction.objects.create(
            page=handbook, restriction_type=PageViewRestriction.LOGIN
        )
    return home


def _home_body() -> list[tuple[str, object]]:
    return [
        (
            "hero",
            {
                "heading": "Welcome to Parvis",
                "text": "The open square where the tourism board and its partners work "
                "together: groups, documents for review, a shared agenda, and a digest "
                "instead of mail threads.",
                "image": None,
            },
        ),
        ("latest_news", {"heading": "Latest news", "count": 3}),
        (
            "call_to_action",
            {
                "title": "New here?",
                "text": "Complete your profile and find the people you will work with.",
                "link": {
                    "page": None,
                    "url": "/people/",  # a site path: right on any host and port
                    "label": "Find people",
                },
            },
        ),
    ]


NEWS = [
    (
        2,
        "Lakeside Trails: funders' steering committee",
        "The spring steering committee will review the trail signage and the graphic charter.",
        ["project", "funding"],
    ),
    (
        9,
        "Welcome to our new colleagues",
        "Five newcomers joined the visitor services this month. Say hello!",
        ["newcomer"],
    ),
    (
        20,
        "Summer season campaign launched",
        "The summer campaign goes live across our partners' sites.",
        ["marketing"],
    ),
]


COMMUNITIES = [
    # slug, name, kind, visibility, lead, members, description
    (
        "lakeside-trails",
        "Lakeside Trails",
        "project",
        "private",
        "camille.martin@parvis.example",
        ["hugo.bernard@parvis.example", "claire.dubois@parvis.example"],
        "The partner space of the Lakeside Trails project: news, documents and the agenda "
        "shared with our funders and suppliers.",
    ),
    (
        "annecy-office",
        "Annecy office",
        "location",
        "open",
        "camille.martin@parvis.example",
        ["sarah.petit@parvis.example"],
        "Everything about life at the Annecy office.",
    ),
    (
        "sustainable-tourism",
        "Sustainable tourism",
        "theme",
        "open",
        "ines.moreau@parvis.example",
        ["camille.martin@parvis.example", "hugo.bernard@parvis.example"],
        "Ideas, studies and good practice for a lighter footprint.",
    ),
    (
        "sales",
        "Sales",
        "function",
        "private",
        "louis.garnier@parvis.example",
        ["marc.lefevre@parvis.example"],
        "Deals, partners and the sales pipeline.",
    ),
    (
        "board",
        "Board of directors",
        "project",
        "secret",
        "admin@parvis.example",
        ["marc.lefevre@parvis.example"],
        "Board preparation. Invitation only.",
    ),
]

POSTS = [
    # community slug, author, body, [(commenter, comment)], [likers]
    (
        "general",
        "sarah.petit@parvis.example",
        "Hello everyone! I joined the visitor services in Annecy this week. #newcomer",
        [("camille.martin@parvis.example", "Welcome Sarah! Come and see us at the office.")],
        ["camille.martin@parvis.example", "hugo.bernard@parvis.example"],
    ),
    (
        "sustainable-tourism",
        "ines.moreau@parvis.example",
        "Our visitor survey is out: **62%** of visitors would take the train if the last mile "
        "were easy. #mobility #survey",
        [
            ("hugo.bernard@parvis.example", "Could we test shuttle bikes at Chambéry station?"),
            ("camille.martin@parvis.example", "Lakeside Trails could pilot it. #mobility"),
        ],
        ["camille.martin@parvis.example"],
    ),
    (
        "lakeside-trails",
        "camille.martin@parvis.example",
        "The steering committee is confirmed for next month. The graphic charter draft "
        "follows; @**Julie Roux** your remarks are welcome. #steering",
        [("julie.roux@funder-region.example", "Thank you, I will share it with the Region.")],
        ["hugo.bernard@parvis.example"],
    ),
]


JULIE = "julie.roux@funder-region.example"
# Partners invited into the project space: (email, name, organisation, accepts now)
PARTNERS = [
    ("marc.blanc@signs-supplier.example", "Marc Blanc", "Alpine Signs (supplier)", True),
    ("nadia.haddad@funder-dept.example", "Nadia Haddad", "Département de la Savoie", False),
]


def seed_partner_space(community, *, lead, guest) -> None:
    """The paper's story: the funders' and suppliers' guests of a project space."""
    from guests import services as guest_services

    invitation, _token = guest_services.invitation_create(
        acting_user=lead,
        email=guest.email,
        name=guest.display_name,
        organisation=guest.organisation,
        communities=[community],
        message="Welcome!",
    )
    guest_services.invitation_accept(invitation=invitation, user=guest)
    for email, name, organisation, accepts in PARTNERS:
        invitation, _token = guest_services.invitation_create(
            acting_user=lead,
            email=email,
            name=name,
            organisation=organisation,
            communities=[community],
        )
        if accepts:
            partner = account_services.user_create(
                email=email,
                password=DEMO_PASSWORD,
                display_name=name,
                organisation=organisation,
                is_external=True,
            )
            guest_services.invitation_accept(invitation=invitation, user=partner)


CHARTER_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def seed_documents(community, *, lead) -> None:
    """The graphic charter, in two versions, in the partner space's library, also shared with
    one outside reviewer."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services as document_services

    document = document_services.document_create(
        acting_user=lead,
        community=community,
        upload=SimpleUploadedFile("graphic-charter-v1.pdf", CHARTER_PDF),
        title="Graphic charter",
        description="The Lakeside Trails signage and print charter, for the partners' remarks.",
    )
    document_services.version_add(
        acting_user=lead,
        document=document,
        upload=SimpleUploadedFile("graphic-charter-v2.pdf", CHARTER_PDF + b"% v2\n"),
        change_note="Colours adjusted after the Region's first remarks",
    )
    document_services.document_share(
        acting_user=lead, document=document, user=User.objects.get(email=OUTSIDE_REVIEWER)
    )


CHARTER_REVIEW_MESSAGE = "Your remarks on the charter, please: colours and the logo on the signs."


def seed_charter_review() -> None:
    """The charter's second version out for review, addressed to Julie (the README's story:
    a guest requests changes on it). Once: a demo whose charter was ever reviewed keeps its
    history."""
    from documents import services as document_services
    from documents.models import Document, ReviewRequest

    charter = (
        Document.objects.filter(community__slug="lakeside-trails", title="Graphic charter")
        .select_related("community", "created_by", "current_version")
        .first()
    )
    if charter is None or ReviewRequest.objects.filter(document=charter).exists():
        return
    document_services.review_request_create(
        acting_user=charter.created_by,
        document=charter,
        reviewers=[User.objects.get(email=JULIE)],
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        message=CHARTER_REVIEW_MESSAGE,
    )


# Each demo community's face: its colour and, for some, a cover drawn by draw_cover (the
# others show their colour band, as a community whose lead never chose a picture does).
FACES = {
    "lakeside-trails": ("teal", ("#0e6b6b", "#7cc7c0", "#f4e7c5")),
    "annecy-office": ("blue", ("#1f4f8a", "#9cc3ea", "#ffffff")),
    "sustainable-tourism": ("green", ("#2e6b30", "#b5dba0", "#f3f7e8")),
    "sales": ("amber", None),
    "board": ("purple", None),
}


def draw_cover(colours: tuple[str, str, str], *, seed: int) -> bytes:
    """A 1200 x 400 JPEG: a sky gradient and three ridges of hills (a lake's horizon), the
    same bytes for the same arguments, drawn in a few milliseconds."""
    import io
    import random

    from PIL import Image, ImageDraw

    dark, light, sky = (tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in colours)
    width, height = 1200, 400
    mask = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), light), Image.new("RGB", (width, height), sky), mask
    )
    draw = ImageDraw.Draw(image)
    rng = random.Random(seed)  # noqa: S311 (a drawing, not a secret)
    for layer in range(3):
        t = (layer + 1) / 3
        colour = tuple(round(a + (b - a) * t) for a, b in zip(light, dark, strict=True))
        base = 170 + layer * 70
        points = [(0, height)]
        for x in range(0, width + 100, 100):
            points.append((x, base - rng.randint(0, 90 - layer * 20)))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


def seed_communities() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from communities import services as community_services
    from communities.models import Community, Post

    users = {u.email: u for u in User.objects.all()}
    for slug, name, kind, visibility, lead, members, description in COMMUNITIES:
        if Community.objects.filter(slug=slug).exists():
            continue
        color, colours = FACES.get(slug, ("", None))
        cover = None
        if colours is not None:
            data = draw_cover(colours, seed=len(slug))
            cover = SimpleUploadedFile(f"{slug}.jpg", data, "image/jpeg")
        community = community_services.community_create(
            acting_user=users[lead],
            name=name,
            kind=kind,
            visibility=visibility,
            description=description,
            color=color,
            cover=cover,
        )
        community.slug = slug
        community.save(update_fields=["slug"])
        for email in members:
            membership = community_services.membership_invite(
                acting_user=users[lead], community=community, user=users[email]
            )
            community_services.membership_accept(acting_user=users[email], membership=membership)
        if slug == "lakeside-trails":
            seed_partner_space(community, lead=users[lead], guest=users[JULIE])
            seed_documents(community, lead=users[lead])
    for slug, author, body, comments, likers in POSTS:
        community = Community.objects.get(slug=slug)
        if Post.objects.filter(community=community, body=body).exists():
            continue
        post = community_services.post_create(
            acting_user=users[author], community=community, body=body
        )
        for commenter, text in comments:
            community_services.comment_create(acting_user=users[commenter], post=post, body=text)
        for liker in likers:
            community_services.post_like_toggle(acting_user=users[liker], post=post)


STEERING_UID = "steering-committee@lakeside-trails.parvis"
LAUNCH_UID = "trail-launch@lakeside-trails.parvis"


def _spring_year(today: datetime.date) -> int:
    """The year of the next spring clock change (last Sunday of March) still to come."""
    # From mid-March on, a monthly series on the 15th would start after this year's change.
    return today.year if today < datetime.date(today.year, 3, 15) else today.year + 1


def seed_events() -> None:
    """Journey 4: the project agenda of Lakeside Trails. A monthly steering committee at
    10:00 Paris time running across the next spring clock change, a one-off launch after
    it, and the guests' answers."""
    import zoneinfo

    from django.utils import timezone

    from communities.models import Community
    from events import services as event_services
    from events.models import Event

    community = Community.objects.filter(slug="lakeside-trails").first()
    if community is None or Event.objects.filter(community=community, uid=STEERING_UID).exists():
        return
    camille, marc_blanc = "camille.martin@parvis.example", PARTNERS[0][0]
    users = {u.email: u for u in User.objects.filter(email__in=[camille, JULIE, marc_blanc])}
    lead, julie, marc = users[camille], users[JULIE], users.get(marc_blanc)
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    today = timezone.localdate()
    year = _spring_year(today)
    first = today.replace(day=15)
    if today.day >= 15:
        first = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=15)
    # Every month from now until April of the spring year: the series crosses the change.
    months = (year - first.year) * 12 + 4 - first.month + 1
    steering = event_services.event_create(
        acting_user=lead,
        community=community,
        title="Steering committee",
        description="Monthly steering committee of the Lakeside Trails project: progress, "
        "budget, decisions. Funders and suppliers are welcome.",
        location="Town hall, room 2",
        online_url="https://meet.example.org/lakeside-steering",
        schedule=event_services.Schedule(
            start=datetime.datetime.combine(first, datetime.time(10), tzinfo=paris),
            end=datetime.datetime.combine(first, datetime.time(12), tzinfo=paris),
            tz="Europe/Paris",
        ),
        freq="monthly",
        count=max(2, min(months, 13)),
    )
    Event.objects.filter(pk=steering.pk).update(uid=STEERING_UID)
    launch_day = datetime.date(year, 4, 10)
    launch = event_services.event_create(
        acting_user=lead,
        community=community,
        title="Lakeside Trails launch",
        description="Opening of the first trail with the partners and the press.",
        location="Lakeside trailhead car park",
        capacity=80,
        schedule=event_services.Schedule(
            start=datetime.datetime.combine(launch_day, datetime.time(11), tzinfo=paris),
            end=datetime.datetime.combine(launch_day, datetime.time(13), tzinfo=paris),
            tz="Europe/Paris",
        ),
    )
    Event.objects.filter(pk=launch.pk).update(uid=LAUNCH_UID)
    steering.refresh_from_db()
    event_services.rsvp_set(acting_user=julie, event=steering, answer="yes")
    event_services.rsvp_set(acting_user=julie, event=launch, answer="yes")
    if marc is not None:
        event_services.rsvp_set(acting_user=marc, event=launch, answer="maybe")


DEMO_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Slow travel notes</title>
<link>https://blog.example.org/</link><description>An expert's blog</description>
<item><title>Rail and trail: a car-free weekend around the lake</title>
<link>https://blog.example.org/2026/rail-and-trail</link><guid>demo-blog-2</guid>
<description>&lt;p&gt;Train to Annecy, bike along the shore, walk the trails.&lt;/p&gt;
</description>
</item>
<item><title>Counting visitors without cameras</title>
<link>https://blog.example.org/2026/counting-visitors</link><guid>demo-blog-1</guid>
<description>Eco-counters on the trails, and what they tell us.</description></item>
</channel></rss>"""


def seed_integrations() -> None:
    """Journey 6: the CRM posts a signed deal into Sales through a webhook; an expert's blog
    feeds Sustainable tourism. Nothing is fetched: the demo feed's entries are read from
    the bytes above and the feed stays paused (a lead resumes it to read the real address)."""
    from communities.models import Community
    from integrations import services as integration_services
    from integrations.models import Feed, Webhook

    sales = Community.objects.get(slug="sales")
    if not Webhook.objects.filter(community=sales, name="CRM").exists():
        webhook, _token = integration_services.webhook_create(
            acting_user=sales.created_by, community=sales, name="CRM"
        )
        integration_services.webhook_post(
            webhook=webhook,
            title="Deal signed: Lakeside Hotel group",
            text="3-year partnership for the trail shuttle, 48 k€ a year. Owner: Louis Garnier.",
            url="https://crm.example/deals/1042",
        )
    theme = Community.objects.get(slug="sustainable-tourism")
    if not Feed.objects.filter(community=theme).exists():
        feed = integration_services.feed_create(
            acting_user=theme.created_by,
            community=theme,
            name="Slow travel notes (blog)",
            url="https://blog.example.org/feed.xml",
        )
        integration_services.feed_ingest(feed=feed, content=DEMO_FEED)
        integration_services.feed_set_paused(acting_user=theme.created_by, feed=feed, paused=True)


@transaction.atomic
def seed_connections() -> None:
    """Six months of daily connection records, so that the adoption report's curve has a
    shape: the curiosity peak, a dip, then growth (the white paper's curve). The demo's
    people joined before that; the same rows every time, existing ones left alone."""
    from portal.accounts.models import Connection

    today = timezone.localdate()
    people = list(User.objects.filter(email__in=[p[0] for p in PEOPLE]).order_by("email"))
    share_per_month = [0.3, 0.9, 0.5, 0.6, 0.8, 1.0]  # of the people, oldest month first
    first_index = today.year * 12 + today.month - 1 - (len(share_per_month) - 1)
    joined = timezone.make_aware(
        datetime.datetime(first_index // 12, first_index % 12 + 1, 1) - datetime.timedelta(days=20)
    )
    User.objects.filter(pk__in=[p.pk for p in people], date_joined__gt=joined).update(
        date_joined=joined
    )
    rows = []
    for offset, share in enumerate(share_per_month):
        index = first_index + offset
        month_start = datetime.date(index // 12, index % 12 + 1, 1)
        for n, person in enumerate(people[: max(1, round(share * len(people)))]):
            for visit in range(1 + n % 3):
                day = month_start + datetime.timedelta(days=(7 * visit + n) % 27)
                if day <= today:
                    rows.append(Connection(user=person, day=day))
    Connection.objects.bulk_create(rows, ignore_conflicts=True)


SCOPED_NEWS_SLUG = "lakeside-trails-the-route-is-chosen"


def seed_community_news() -> None:
    """A news page scoped to Lakeside Trails (its members and guests only), which the
    administrator pushed into the community's feed and next digest."""
    from communities.models import Community
    from portal.pages.services import page_publish_to_community

    if NewsPage.objects.filter(slug=SCOPED_NEWS_SLUG).exists():
        return
    community = Community.objects.get(slug="lakeside-trails")
    news = NewsPage(
        title="Lakeside Trails: the route is chosen",
        slug=SCOPED_NEWS_SLUG,
        intro="The steering committee chose the northern route. Partners: the signage "
        "quotes are due before the launch.",
        date=datetime.date.today() - datetime.timedelta(days=1),
        body=[("rich_text", "<p>The northern route keeps the trail off the main road.</p>")],
        community=community,
    )
    NewsIndexPage.objects.get().add_child(instance=news)
    news.tags.add("project")
    _publish(news)
    page_publish_to_community(acting_user=User.objects.get(email="admin@parvis.example"), page=news)


CAMILLE = "camille.martin@parvis.example"
HUGO = "hugo.bernard@parvis.example"
CLAIRE = "claire.dubois@parvis.example"
GROUP_TITLE = "Launch day preparation"
# (author, body): Julie writes last, so she has read everything when the demo starts and
# Camille has one unread conversation (Julie's answer).
DIRECT_MESSAGES = [
    (CAMILLE, "Hello Julie, thank you for the Region's remarks on the charter."),
    (
        CAMILLE,
        "@**Julie Roux** could you confirm the co-funding amount before the steering "
        "committee? I will put it in the minutes.",
    ),
    (JULIE, "Yes: 40% of the signage, as agreed. The letter follows by post."),
]
GROUP_MESSAGES = [
    (CAMILLE, "Launch day: who takes the press, who takes the partners' welcome?"),
    (HUGO, "I can welcome the partners at the trailhead from 10:30."),
    (CLAIRE, "I will take the press. The kit is in the library by Friday."),
]
CHAT_MESSAGES = [
    (HUGO, "The new trail markers are up on the first two kilometres. **Photos** on Monday."),
    (CAMILLE, "Great work! Partners, the launch invitation goes out this week."),
    (JULIE, "Thank you, the Region's communication team will share it."),
]


def seed_conversations() -> None:
    """Issue 18: a direct conversation Camille ↔ Julie (one message mentions Julie), a group
    conversation of the launch team, and the Lakeside Trails chat (on by default for a project
    community). Each is filled once: a conversation that already has messages is left as
    it is."""
    from communities.models import Community
    from conversations import services as conversation_services
    from conversations.models import Conversation, Message

    community = Community.objects.filter(slug="lakeside-trails").first()
    if community is None:
        return
    users = {u.email: u for u in User.objects.filter(email__in=[CAMILLE, HUGO, CLAIRE, JULIE])}

    def fill(conversation, messages) -> None:
        if Message.objects.filter(conversation=conversation).exists():
            return
        for email, body in messages:
            conversation_services.message_send(
                acting_user=users[email], conversation=conversation, body=body
            )

    direct = conversation_services.conversation_start(
        acting_user=users[CAMILLE], people=[users[JULIE]]
    )
    fill(direct, DIRECT_MESSAGES)
    group = Conversation.objects.filter(kind=Conversation.Kind.GROUP, title=GROUP_TITLE).first()
    if group is None:
        group = conversation_services.conversation_start(
            acting_user=users[CAMILLE], people=[users[HUGO], users[CLAIRE]], title=GROUP_TITLE
        )
    fill(group, GROUP_MESSAGES)
    chat = conversation_services.community_chat_ensure(community=community)
    if chat.is_enabled:
        fill(chat, CHAT_MESSAGES)


def seed() -> list[Login]:
    seed_people()
    seed_pages()
    seed_communities()
    seed_charter_review()
    seed_community_news()
    seed_events()
    seed_integrations()
    seed_connections()
    seed_conversations()
    return LOGINS
