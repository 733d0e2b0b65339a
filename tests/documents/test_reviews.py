import csv
import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from communities.notifications import choices_set
from documents import services
from documents.models import DocumentVersion, ReviewComment, ReviewRequest
from tests.communities.conftest import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
FRIDAY = timezone.localdate() + datetime.timedelta(days=4)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def charter(lead, project):
    return services.document_create(
        acting_user=lead, community=project, upload=SimpleUploadedFile("charter.pdf", PDF)
    )


def ask(lead, charter, *reviewers):
    return services.review_request_create(
        acting_user=lead, document=charter, reviewers=reviewers, due_on=FRIDAY, message="By Friday"
    )


def test_the_charter_journey(lead, project, partner, charter, django_capture_on_commit_callbacks):
    funder2 = UserFactory(display_name="Second reviewer")
    add_member(project, lead, funder2)
    # Both chose e-mail for review requests (by default a daily-digest reader finds them in
    # the digest; tests/communities/test_preference_matrix.py).
    for person in (partner, funder2):
        choices_set(acting_user=person, choices={"review.request": "email"})
    with django_capture_on_commit_callbacks(execute=True):
        review = ask(lead, charter, partner, funder2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([partner.email, funder2.email])
    assert "By Friday" in mail.outbox[0].body
    review = services.review_decide(
        acting_user=partner, request=review, approve=False, comment="Logo too small"
    )
    assert review.status == "changes_requested"
    with pytest.raises(ValidationError, match="Say what should change"):
        services.review_decide(acting_user=funder2, request=review, approve=False)

    v2 = services.version_add(
        acting_user=lead,
        document=charter,
        upload=SimpleUploadedFile("charter-v2.pdf", PDF + b"%v2"),
        change_note="Bigger logo",
    )
    review.refresh_from_db()
    assert (review.status, review.version) == ("open", v2)
    assert set(review.reviewers.values_list("decision", flat=True)) == {"pending"}
    # the earlier remark stays attached to the earlier version
    assert ReviewComment.objects.get(body="Logo too small").version.number == 1

    services.review_decide(acting_user=partner, request=review, approve=True)
    review = services.review_decide(acting_user=funder2, request=review, approve=True)
    assert review.status == "approved"
    v2.refresh_from_db()
    assert v2.is_locked
    with pytest.raises(ValidationError, match="closed"):
        services.review_decide(acting_user=partner, request=review, approve=False, comment="late")
    with pytest.raises(ValidationError, match="locked"):
        services.document_delete(acting_user=lead, document=charter)
    kinds = list(review.events.values_list("kind", flat=True))
    assert kinds == [
        "requested",
        "changes_requested",
        "new_version",
        "approved",
        "approved",
        "completed",
    ]


def test_refusals_change_nothing(lead, project, partner, charter):
    outsider = UserFactory()
    with pytest.raises(ValidationError, match="cannot read"):
        ask(lead, charter, outsider)
    with pytest.raises(ValidationError, match="past"):
        services.review_request_create(
            acting_user=lead,
            document=charter,
            reviewers=[partner],
            due_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    review = ask(lead, charter, partner)
    with pytest.raises(ValidationError, match="already running"):
        ask(lead, charter, partner)
    with pytest.raises(PermissionDenied):
        services.review_decide(acting_user=lead, request=review, approve=True)  # not a reviewer
    with pytest.raises(ValidationError, match="under review"):
        services.document_delete(acting_user=lead, document=charter)
    with pytest.raises(PermissionDenied):
        services.review_withdraw(acting_user=partner, request=review)
    services.review_withdraw(acting_user=lead, request=review)
    with pytest.raises(ValidationError, match="closed"):
        services.review_comment(acting_user=partner, request=review, body="Too late")
    assert ReviewRequest.objects.get().status == "withdrawn"
    assert not DocumentVersion.objects.filter(is_locked=True).exists()


def test_trail_export_and_awaiting_list(client, lead, project, partner, charter):
    review = ask(lead, charter, partner)
    client.force_login(partner)
    page = client.get(reverse("documents:my_reviews"))
    assert charter.title in page.text
    client.post(
        reverse("documents:review_decide", args=[review.pk]),
        {"decision": "changes", "comment": "Please use the new logo"},
    )
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("documents:review_trail", args=[review.pk]), {"format": "csv"}
                ).content.decode()
            )
        )
    )
    assert rows[0] == ["when", "who", "what", "version", "comment"]
    assert rows[2][1:] == [partner.name, "requested changes", "v1", "Please use the new logo"]
    printable = client.get(reverse("documents:review_trail", args=[review.pk]))
    assert "Please use the new logo" in printable.text
    assert (
        charter.title
        not in client.get(reverse("documents:my_reviews")).text.split("My requests")[0]
    )


def test_document_page_query_count_does_not_grow_with_comments(
    client, lead, project, partner, charter
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    review = ask(lead, charter, partner)
    client.force_login(lead)
    url = reverse("documents:detail", args=[charter.pk])
    services.review_comment(acting_user=partner, request=review, body="One")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(5):
        parent = services.review_comment(
            acting_user=partner, request=review, body=f"C{n}", page=n + 1
        )
        services.review_comment(acting_user=lead, request=review, body="Answer", parent=parent)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


def test_reviewers_are_reminded_once_before_the_due_date(
    lead, partner, charter, django_capture_on_commit_callbacks
):
    review = services.review_request_create(
        acting_user=lead,
        document=charter,
        reviewers=[partner],
        due_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    assert services.reviews_remind() == 0  # not yet
    ReviewRequest.objects.filter(pk=review.pk).update(
        due_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reviews_remind() == 1
    assert mail.outbox[-1].to == [partner.email] and "Reminder" in mail.outbox[-1].subject
    assert services.reviews_remind() == 0  # once
    services.review_decide(acting_user=partner, request=review, approve=True)
    assert services.reviews_remind() == 0


def test_the_demo_charter_awaits_julies_review_and_seeding_twice_changes_nothing(client):
    """The README's story: a guest requests changes on the graphic charter."""
    from django.core.management import call_command

    from documents.models import Reviewer
    from portal import demo
    from portal.accounts.models import User

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    review = ReviewRequest.objects.select_related("document").get()
    assert review.document.title == "Graphic charter"
    assert review.status == ReviewRequest.Status.OPEN and review.due_on > timezone.localdate()
    assert review.version == review.document.current_version  # the second version
    julie = User.objects.get(email=demo.JULIE)
    assert list(Reviewer.objects.filter(request=review).values_list("user", flat=True)) == [
        julie.pk
    ]
    client.force_login(julie)
    awaiting = client.get(reverse("documents:my_reviews")).text
    assert "Graphic charter" in awaiting
    services.review_decide(
        acting_user=julie, request=review, approve=False, comment="The logo is too small."
    )
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.CHANGES


def test_the_trail_export_never_hands_a_formula_to_a_spreadsheet(
    client, lead, project, partner, charter
):
    """A guest writes her remarks and her name; a lead opens the export in Excel."""
    partner.display_name = "@SUM(1+1)*cmd|' /C calc'!A0"
    partner.save(update_fields=["display_name"])
    review = ask(lead, charter, partner)
    client.force_login(partner)
    client.post(
        reverse("documents:review_decide", args=[review.pk]),
        {"decision": "changes", "comment": '=HYPERLINK("https://evil.example","Click")'},
    )
    client.force_login(lead)
    export = client.get(reverse("documents:review_trail", args=[review.pk]), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[2][1] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows[2][4] == '\'=HYPERLINK("https://evil.example","Click")'
