"""The admin screens (issue 9): listings with search, filters and links to the site, bulk
actions that go through the services, and who may reach them."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from communities import services as cs
from communities.models import Activity, Community, Membership
from documents import services as documents
from events import services as events
from guests import services as guests
from guests.models import Invitation
from tests.communities.conftest import add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def today() -> datetime.date:
    return timezone.localdate()


def invite_guest(lead, community, **profile):
    person = GuestFactory(**profile)
    invitation, _token = guests.invitation_create(
        acting_user=lead, email=person.email, communities=[community]
    )
    guests.invitation_accept(invitation=invitation, user=person)
    return Membership.objects.get(user=person, community=community)


def add_event(lead, community, title="Steering committee"):
    start = timezone.now() + datetime.timedelta(days=7)
    schedule = events.Schedule(
        start=start, end=start + datetime.timedelta(hours=1), tz="Europe/Paris"
    )
    return events.event_create(
        acting_user=lead, community=community, title=title, schedule=schedule
    )


def add_document(lead, community, title="Graphic charter"):
    upload = SimpleUploadedFile("charter.pdf", PDF)
    return documents.document_create(
        acting_user=lead, community=community, upload=upload, title=title
    )


@pytest.fixture
def scene(lead, project):
    """One of each: the project (private), a partner invited into it, an event, a document
    and an invitation still pending."""
    paula = invite_guest(lead, project, display_name="Paula Partner", organisation="Funder")
    event = add_event(lead, project)
    document = add_document(lead, project)
    pending, _token = guests.invitation_create(
        acting_user=lead, email="olga@funder.example", communities=[project], name="Olga"
    )
    return {"guest": paula, "event": event, "document": document, "pending": pending}


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def bulk_url(app_label: str, model_name: str, action: str, *ids) -> str:
    query = "&".join(f"id={pk}" for pk in ids)
    return reverse("wagtail_bulk_action", args=[app_label, model_name, action]) + f"?{query}"


# --- Listings --------------------------------------------------------------------------------


def test_every_listing_searches_filters_and_links_to_the_site(admin_client, scene, project):
    guest, event, document = scene["guest"], scene["event"], scene["document"]
    cases = [
        (
            "admin_communities",
            {"q": "lakeside", "archived": "false", "visibility": "private"},
            reverse("communities:detail", args=[project.slug]),
        ),
        (
            "admin_memberships",
            {"q": "paula", "role": "guest", "status": "active"},
            reverse("communities:members", args=[project.slug]),
        ),
        (
            "admin_guests",
            {"q": "funder", "community": project.pk},
            reverse("guests:guest", args=[guest.user_id]),
        ),
        (
            "admin_invitations",
            {"q": "olga", "state": "pending"},
            reverse("guests:invitations"),
        ),
        (
            "admin_events",
            {"q": "steering", "status": "confirmed"},
            reverse("events:detail", args=[event.pk]),
        ),
        (
            "admin_documents",
            {"q": "charter", "community": project.pk},
            reverse("documents:detail", args=[document.pk]),
        ),
    ]
    for namespace, query, public_url in cases:
        page = admin_client.get(reverse(f"{namespace}:index"), query)
        assert page.status_code == 200, namespace
        assert f'href="{public_url}"' in page.text, namespace
        # a search that matches nothing leaves the row out
        miss = admin_client.get(reverse(f"{namespace}:index"), {**query, "q": "zzz-nothing"})
        assert f'href="{public_url}"' not in miss.text, namespace


def test_filters_narrow_the_listings(admin_client, scene, project, lead):
    url = reverse("admin_communities:index")
    assert project.name in admin_client.get(url, {"archived": "false"}).text
    assert project.name not in admin_client.get(url, {"archived": "true"}).text
    invitations = reverse("admin_invitations:index")
    assert "olga@funder.example" in admin_client.get(invitations, {"state": "pending"}).text
    assert "olga@funder.example" not in admin_client.get(invitations, {"state": "accepted"}).text
    guests_url = reverse("admin_guests:index")
    assert "Paula Partner" in admin_client.get(guests_url, {"status": "active"}).text
    assert "Paula Partner" not in admin_client.get(guests_url, {"status": "removed"}).text
    # the guests screen lists guest memberships only: the lead is there as the sponsor only
    assert reverse("guests:guest", args=[lead.pk]) not in admin_client.get(guests_url).text


def test_listings_export_as_csv(admin_client, scene, project):
    communities = admin_client.get(reverse("admin_communities:index"), {"export": "csv"})
    assert communities.status_code == 200
    rows = b"".join(communities.streaming_content).decode().splitlines()
    assert rows[0].startswith("Name,")
    assert any(row.startswith("Lakeside Trails,") for row in rows)
    guests_csv = admin_client.get(reverse("admin_guests:index"), {"export": "csv"})
    assert "Paula Partner" in b"".join(guests_csv.streaming_content).decode()


def test_listing_exports_never_hand_a_formula_to_a_spreadsheet(admin_client, lead, project):
    invite_guest(lead, project, display_name="=HYPERLINK(1)", organisation="+1")
    guests.invitation_create(
        acting_user=lead,
        email="olga@funder.example",
        communities=[project],
        name="@SUM(A1)",
        organisation="-1-1",
    )
    guests_csv = admin_client.get(reverse("admin_guests:index"), {"export": "csv"})
    text = b"".join(guests_csv.streaming_content).decode()
    assert "'=HYPERLINK(1)" in text
    invitations_csv = admin_client.get(reverse("admin_invitations:index"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(invitations_csv.streaming_content).decode())))
    olga = next(row for row in rows if row[0] == "olga@funder.example")
    assert olga[1:3] == ["'@SUM(A1)", "'-1-1"]


def test_every_admin_export_goes_through_the_formula_guard():
    from wagtail.admin.viewsets import viewsets

    from portal.core.admin_viewsets import CsvSafeExportMixin

    reverse("wagtailadmin_home")  # the admin's URLs register the viewsets
    ours = ("portal.", "communities.", "guests.", "events.", "documents.", "integrations.")
    exporting = [
        v
        for v in viewsets.viewsets
        if type(v).__module__.startswith(ours) and getattr(v, "list_export", None)
    ]
    assert len(exporting) >= 6
    for viewset in exporting:
        assert issubclass(viewset.index_view_class, CsvSafeExportMixin), viewset


def test_inspect_views_link_to_the_public_page(admin_client, scene, project):
    guest, event, document = scene["guest"], scene["event"], scene["document"]
    for namespace, pk, public_url in [
        ("admin_communities", project.pk, reverse("communities:detail", args=[project.slug])),
        ("admin_guests", guest.pk, reverse("guests:guest", args=[guest.user_id])),
        ("admin_events", event.pk, reverse("events:detail", args=[event.pk])),
        ("admin_documents", document.pk, reverse("documents:detail", args=[document.pk])),
    ]:
        page = admin_client.get(reverse(f"{namespace}:inspect", args=[pk]))
        assert page.status_code == 200 and f'href="{public_url}"' in page.text, namespace


def test_history_pages_render(admin_client, scene, project):
    cs.community_archive(acting_user=project.created_by, community=project)
    page = admin_client.get(reverse("admin_communities:history", args=[project.pk]))
    assert page.status_code == 200 and "Community archived" in page.text
    for namespace, pk in [
        ("admin_guests", scene["guest"].pk),
        ("admin_invitations", scene["pending"].pk),
        ("admin_events", scene["event"].pk),
        ("admin_documents", scene["document"].pk),
    ]:
        assert admin_client.get(reverse(f"{namespace}:history", args=[pk])).status_code == 200


def test_nobody_adds_edits_or_deletes_rows_from_the_admin(admin_client, scene, project):
    """Services keep these rows consistent (a lead per community, a sponsor per guest…):
    even an administrator only looks, and acts through the bulk actions."""
    for namespace, pk in [
        ("admin_communities", project.pk),
        ("admin_memberships", scene["guest"].pk),
        ("admin_guests", scene["guest"].pk),
        ("admin_invitations", scene["pending"].pk),
        ("admin_events", scene["event"].pk),
        ("admin_documents", scene["document"].pk),
    ]:
        for view, args in [("add", []), ("edit", [pk]), ("delete", [pk])]:
            response = admin_client.get(reverse(f"{namespace}:{view}", args=args))
            assert response.status_code == 302, (namespace, view)  # to the dashboard
    assert Community.objects.filter(pk=project.pk).exists()


# --- Bulk actions ------------------------------------------------------------------------------


def test_archive_communities_in_bulk_through_the_service(admin_client, lead, project):
    theme = cs.community_create(acting_user=lead, name="Trail signs", kind="theme")
    general = cs.general_community()
    url = bulk_url("communities", "community", "archive", project.pk, theme.pk, general.pk)
    confirm = admin_client.get(url)
    assert confirm.status_code == 200 and "Archive these communities?" in confirm.text
    done = admin_client.post(url, follow=True)
    assert "2 communities archived." in done.text
    assert "The general community cannot be archived." in done.text
    assert set(Community.objects.filter(archived_at__isnull=False)) == {project, theme}
    assert Activity.objects.filter(verb=Activity.Verb.COMMUNITY_ARCHIVED).count() == 2
    assert ModelLogEntry.objects.filter(action="communities.archive").count() == 2

    restore = bulk_url("communities", "community", "restore", project.pk)
    assert "1 community restored." in admin_client.post(restore, follow=True).text
    project.refresh_from_db()
    assert not project.is_archived
    assert ModelLogEntry.objects.filter(action="communities.restore").count() == 1


def test_select_all_in_listing_keeps_the_listing_filters(admin_client, lead, project):
    theme = cs.community_create(acting_user=lead, name="Trail signs", kind="theme")
    url = reverse("wagtail_bulk_action", args=["communities", "community", "archive"])
    admin_client.post(url + "?id=all&kind=theme")
    assert list(Community.objects.filter(archived_at__isnull=False)) == [theme]


def test_extend_guests_in_bulk(admin_client, lead, project):
    first = invite_guest(lead, project)
    second = invite_guest(lead, project)
    until = today() + datetime.timedelta(days=200)
    url = bulk_url("guests", "guestaccess", "extend", first.pk, second.pk)
    assert "New end date" in admin_client.get(url).text
    done = admin_client.post(url, {"until": until.isoformat()}, follow=True)
    assert "2 guest accesses extended." in done.text
    for membership in (first, second):
        membership.refresh_from_db()
        assert timezone.localdate(membership.expires_at) == until
    assert ModelLogEntry.objects.filter(action=cs.LOG_EXTEND).count() == 2
    history = admin_client.get(reverse("admin_guests:history", args=[first.pk]))
    assert "Guest access extended" in history.text
    # and each row is in the site history report
    report = admin_client.get(reverse("wagtailadmin_reports:site_history"))
    assert report.text.count("Guest access extended") == 2


def test_extending_to_a_past_date_is_refused_and_changes_nothing(admin_client, lead, project):
    membership = invite_guest(lead, project)
    before = membership.expires_at
    url = bulk_url("guests", "guestaccess", "extend", membership.pk)
    yesterday = today() - datetime.timedelta(days=1)
    page = admin_client.post(url, {"until": yesterday.isoformat()})
    assert page.status_code == 200 and "Choose a date in the future." in page.text
    membership.refresh_from_db()
    assert membership.expires_at == before
    assert not ModelLogEntry.objects.filter(action=cs.LOG_EXTEND).exists()
    # no date at all: the same
    assert admin_client.post(url, {"until": ""}).status_code == 200
    assert not ModelLogEntry.objects.filter(action=cs.LOG_EXTEND).exists()


def test_end_guests_in_bulk_touches_guests_only(admin_client, lead, project):
    membership = invite_guest(lead, project)
    lead_membership = Membership.objects.get(user=lead, community=project)
    url = bulk_url("guests", "guestaccess", "end", membership.pk, lead_membership.pk)
    done = admin_client.post(url, follow=True)
    assert "1 guest access ended." in done.text
    membership.refresh_from_db()
    lead_membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED
    assert lead_membership.status == Membership.Status.ACTIVE
    assert not membership.user.__class__.objects.get(pk=membership.user_id).is_active
    assert ModelLogEntry.objects.filter(action=cs.LOG_END, data__reason="ended").count() == 1


def test_revoke_invitations_in_bulk(admin_client, scene):
    accepted = Invitation.objects.get(accepted_at__isnull=False)
    url = bulk_url("guests", "invitation", "revoke", scene["pending"].pk, accepted.pk)
    done = admin_client.post(url, follow=True)
    assert "1 invitation revoked." in done.text
    assert "This invitation was accepted: end the access instead." in done.text
    assert scene["pending"].__class__.objects.get(pk=scene["pending"].pk).state == "revoked"
    assert ModelLogEntry.objects.filter(action="guests.revoke").count() == 1


# --- Query budgets ----------------------------------------------------------------------------


def _rows(kind: str, lead, project, n: int, start: int) -> None:
    for i in range(start, start + n):
        if kind == "admin_communities":
            cs.community_create(acting_user=lead, name=f"Community {i}")
        elif kind == "admin_memberships":
            add_member(project, lead, UserFactory())
        elif kind == "admin_guests":
            invite_guest(lead, project)
        elif kind == "admin_invitations":
            guests.invitation_create(
                acting_user=lead, email=f"p{i}@funder.example", communities=[project]
            )
        elif kind == "admin_events":
            add_event(lead, project, title=f"Event {i}")
        elif kind == "admin_documents":
            add_document(lead, project, title=f"Document {i}")


@pytest.mark.parametrize(
    "namespace",
    [
        "admin_communities",
        "admin_memberships",
        "admin_guests",
        "admin_invitations",
        "admin_events",
        "admin_documents",
    ],
)
def test_listing_cost_does_not_grow_with_rows(
    namespace, admin_client, lead, project, django_assert_max_num_queries
):
    url = reverse(f"{namespace}:index")

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    _rows(namespace, lead, project, 3, 0)
    small = cost()
    _rows(namespace, lead, project, 27, 3)
    with django_assert_max_num_queries(30):
        assert admin_client.get(url).status_code == 200
    assert cost() == small


# --- Who reaches the admin ----------------------------------------------------------------------


ADMIN_ACCESS = ("wagtailadmin", "access_admin")


def grant(user, *perms: tuple[str, str]) -> None:
    for app_label, codename in perms:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(reverse("admin_communities:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_internal_members_without_permissions_are_refused(client, member):
    client.force_login(member)
    response = client.get(reverse("admin_communities:index"))
    assert response.status_code == 403  # "no access", not the sign-in page (a loop)
    # with access to the admin but no permission on communities: sent back to the dashboard
    grant(member, ADMIN_ACCESS)
    response = client.get(reverse("admin_communities:index"))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


@pytest.mark.parametrize("how", ["editors group", "direct grant"])
def test_guests_never_reach_the_admin(client, guest, how):
    if how == "editors group":
        guest.groups.add(Group.objects.get(name="Editors"))
    else:
        grant(
            guest, ADMIN_ACCESS, ("communities", "view_community"), ("guests", "view_guestaccess")
        )
    client.force_login(guest)
    for url in (
        reverse("wagtailadmin_home"),
        reverse("admin_communities:index"),
        reverse("admin_guests:index"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url


def test_staff_with_model_permissions_see_that_screen_and_act_only_where_they_may(
    client, lead, project
):
    """Django permissions open the screens; the community policy still decides each row."""
    officer = UserFactory(display_name="Olivia Officer")
    grant(
        officer,
        ADMIN_ACCESS,
        ("communities", "view_community"),
        ("communities", "change_community"),
    )
    client.force_login(officer)
    assert client.get(reverse("admin_communities:index")).status_code == 200
    assert client.get(reverse("admin_guests:index")).status_code == 302
    menu = client.get(reverse("wagtailadmin_home")).text
    assert reverse("admin_communities:index") in menu
    assert reverse("admin_guests:index") not in menu
    done = client.post(bulk_url("communities", "community", "archive", project.pk), follow=True)
    assert "you may not do this here" in done.text
    project.refresh_from_db()
    assert not project.is_archived


def test_administrators_see_every_screen_in_the_communities_menu(admin_client):
    home = admin_client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    for namespace in (
        "admin_communities",
        "admin_memberships",
        "admin_guests",
        "admin_invitations",
        "admin_events",
        "admin_documents",
        "digests",
    ):
        assert reverse(f"{namespace}:index") in home.text, namespace


def test_groups_are_offered_view_and_change_only():
    from wagtail import hooks

    offered = {
        (p.content_type.app_label, p.codename)
        for fn in hooks.get_hooks("register_permissions")
        for p in fn()
    }
    assert ("guests", "view_guestaccess") in offered
    assert ("guests", "change_guestaccess") in offered
    assert ("communities", "change_community") in offered
    assert ("communities", "delete_community") not in offered
    assert ("events", "add_event") not in offered


def test_saving_rows_shown_in_the_admin_does_not_update_wagtails_reference_index(
    admin_client, lead, django_assert_num_queries
):
    """The admin screens must not make Wagtail track our rows: its reference index would be
    updated (a task, its queries) on every save of a community, a membership, a digest …"""
    from wagtail.models import Page, ReferenceIndex

    assert admin_client.get(reverse("wagtailadmin_home")).status_code == 200  # hooks loaded
    ours = ("communities", "documents", "events", "guests", "integrations", "accounts")
    tracked = {
        model._meta.label
        for model in ReferenceIndex.tracked_models
        if model._meta.app_label in ours and not issubclass(model, Page)
    }
    assert tracked == set()
    community = cs.community_create(acting_user=lead, name="Indexed?", visibility="open")
    with django_assert_num_queries(1):  # the UPDATE alone
        community.save(update_fields=["name"])
    assert not ReferenceIndex.objects.filter(object_id=str(community.pk)).exists()
