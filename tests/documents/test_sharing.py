"""A document shared with one outside reviewer: an explicit django-guardian grant that opens
that document and nothing else, shown on the document and in the person's access report."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from documents import selectors, services
from documents.models import DocumentUserObjectPermission
from tests.communities.conftest import add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(lead, project, name="charter.pdf"):
    return services.document_create(
        acting_user=lead, community=project, upload=SimpleUploadedFile(name, PDF)
    )


@pytest.fixture
def charter(lead, project):
    return upload(lead, project)


@pytest.fixture
def outsider():
    return GuestFactory(display_name="Olivia Outside", organisation="Heritage Foundation")


def test_a_share_opens_one_document_and_nothing_else(
    lead, project, charter, outsider, django_capture_on_commit_callbacks
):
    other = upload(lead, project, "budget.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_share(acting_user=lead, document=charter, user=outsider)
    assert selectors.document_get_for_user(user=outsider, pk=charter.pk) == charter
    assert selectors.version_get_for_user(user=outsider, pk=charter.current_version_id)
    with pytest.raises(Http404):
        selectors.document_get_for_user(user=outsider, pk=other.pk)
    with pytest.raises(Http404):
        selectors.library(user=outsider, community=project)
    # Told by e-mail, with the link, in their language.
    assert [m.to for m in mail.outbox] == [[outsider.email]]
    assert reverse("documents:detail", args=[charter.pk]) in mail.outbox[0].body
    # Audited.
    assert ModelLogEntry.objects.filter(action="documents.share", object_id=charter.pk).exists()


def test_unsharing_closes_it_at_once(lead, charter, outsider):
    services.document_share(acting_user=lead, document=charter, user=outsider)
    services.document_unshare(acting_user=lead, document=charter, user=outsider)
    outsider = type(outsider).objects.get(pk=outsider.pk)  # a fresh request
    with pytest.raises(Http404):
        selectors.document_get_for_user(user=outsider, pk=charter.pk)
    assert not DocumentUserObjectPermission.objects.exists()


def test_a_deactivated_account_loses_the_share(lead, charter, outsider):
    services.document_share(acting_user=lead, document=charter, user=outsider)
    outsider.is_active = False
    outsider.save(update_fields=["is_active"])
    assert not selectors.can_read(outsider, charter)


def test_only_the_author_or_a_lead_shares(lead, project, charter, outsider):
    colleague = UserFactory()
    add_member(project, lead, colleague)
    with pytest.raises(PermissionDenied):
        services.document_share(acting_user=colleague, document=charter, user=outsider)
    own = upload(colleague, project, "mine.pdf")
    services.document_share(acting_user=colleague, document=own, user=outsider)
    assert selectors.can_read(outsider, own)
    assert not selectors.can_read(outsider, charter)


def test_sharing_with_a_reader_of_the_community_is_refused(lead, charter, partner):
    with pytest.raises(ValidationError, match="can already read it"):
        services.document_share(acting_user=lead, document=charter, user=partner)
    assert not DocumentUserObjectPermission.objects.exists()


def test_the_outside_reviewer_reviews_the_shared_document(lead, charter, outsider):
    services.document_share(acting_user=lead, document=charter, user=outsider)
    review = services.review_request_create(
        acting_user=lead,
        document=charter,
        reviewers=[outsider],
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    assert [r.request for r in selectors.reviews_awaiting(user=outsider)] == [review]
    review = services.review_decide(acting_user=outsider, request=review, approve=True)
    assert review.status == "approved"


def test_a_reviewer_must_be_able_to_read_it(lead, charter, outsider):
    with pytest.raises(ValidationError, match="cannot read this document"):
        services.review_request_create(
            acting_user=lead,
            document=charter,
            reviewers=[outsider],
            due_on=timezone.localdate() + datetime.timedelta(days=3),
        )


def test_the_document_page_lists_the_share_and_stops_it(client, lead, charter, outsider):
    client.force_login(lead)
    url = reverse("documents:detail", args=[charter.pk])
    response = client.post(
        reverse("documents:share", args=[charter.pk]), {"email": outsider.email.upper()}
    )
    assert response.status_code == 302
    stop = reverse("documents:unshare", args=[charter.pk, outsider.pk])
    page = client.get(url).content.decode()
    assert stop in page and outsider.email in page
    client.post(stop)
    page = client.get(url).content.decode()
    assert stop not in page and outsider.email not in page
    assert "Only the community can read it." in page


def test_an_unknown_address_changes_nothing(client, lead, charter):
    client.force_login(lead)
    response = client.post(
        reverse("documents:share", args=[charter.pk]), {"email": "nobody@else.example"}, follow=True
    )
    assert "No account has this address" in response.content.decode()
    assert not DocumentUserObjectPermission.objects.exists()


def test_the_shared_reader_sees_a_note_not_the_library_link(
    client, lead, project, charter, outsider
):
    services.document_share(acting_user=lead, document=charter, user=outsider)
    client.force_login(outsider)
    page = client.get(reverse("documents:detail", args=[charter.pk])).content.decode()
    assert "This document was shared with you." in page
    assert reverse("documents:library", args=[project.slug]) not in page
    assert "Shared outside the community" not in page  # they cannot re-share it


def test_the_access_report_shows_the_share(client, lead, staff, project, charter, outsider):
    services.document_share(acting_user=lead, document=charter, user=outsider)
    report_url = reverse("guests:guest", args=[outsider.pk])
    for viewer in (outsider, lead, staff):
        client.force_login(viewer)
        page = client.get(report_url).content.decode()
        assert reverse("documents:detail", args=[charter.pk]) in page, viewer
    rows = list(csv.reader(io.StringIO(client.get(report_url + "?format=csv").content.decode())))
    assert rows[-1][3:6] == [project.name, "shared", "active"]
    assert rows[-1][-1].endswith(charter.title)
    # A lead of another community learns nothing about this guest.
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(report_url).status_code == 404


def test_the_share_panel_costs_a_fixed_number_of_queries(
    client, lead, charter, django_assert_max_num_queries
):
    for _ in range(3):
        services.document_share(acting_user=lead, document=charter, user=GuestFactory())
    client.force_login(lead)
    url = reverse("documents:detail", args=[charter.pk])
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for _ in range(6):
        services.document_share(acting_user=lead, document=charter, user=GuestFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_ending_a_guests_last_membership_keeps_an_account_that_still_has_a_share(
    lead, project, partner
):
    from communities import services as cs
    from guests import services as guest_services

    other = cs.community_create(acting_user=lead, name="Budget", visibility="private")
    budget = upload(lead, other, "budget.pdf")
    services.document_share(acting_user=lead, document=budget, user=partner)
    membership = partner.memberships.get(community=project)
    guest_services.guest_end(acting_user=lead, membership=membership)
    partner.refresh_from_db()
    assert partner.is_active
    assert selectors.can_read(partner, budget)
    services.document_unshare(acting_user=lead, document=budget, user=partner)
    guest_services.guest_end(acting_user=lead, membership=membership)
    partner.refresh_from_db()
    assert not partner.is_active


def test_the_access_report_export_never_hands_a_formula_to_a_spreadsheet(
    client, lead, project, charter, outsider
):
    outsider.display_name = "=1+2"
    outsider.organisation = "-2+3+cmd|' /C calc'!A0"
    outsider.save(update_fields=["display_name", "organisation"])
    services.document_share(acting_user=lead, document=charter, user=outsider)
    client.force_login(lead)
    report_url = reverse("guests:guest", args=[outsider.pk])
    rows = list(csv.reader(io.StringIO(client.get(report_url + "?format=csv").content.decode())))
    assert rows[-1][0] == "'=1+2"
    assert rows[-1][2] == "'-2+3+cmd|' /C calc'!A0"
