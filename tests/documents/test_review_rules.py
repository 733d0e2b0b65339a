"""Review and sharing rules live once, in documents/permissions.py, registered into the one
policy: the document page offers exactly what the services then accept."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from communities import permissions
from communities import services as cs
from documents import permissions as rules
from documents import selectors, services
from tests.communities.conftest import add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
FRIDAY = timezone.localdate() + datetime.timedelta(days=4)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(user, community, name="charter.pdf"):
    return services.document_create(
        acting_user=user, community=community, upload=SimpleUploadedFile(name, PDF)
    )


def refused(call) -> bool:
    """Whether the service refuses ``call`` as not allowed (a state error is not that)."""
    try:
        call()
    except PermissionDenied:
        return True
    except ValidationError:
        return False
    return False


def test_the_panel_offers_what_the_services_accept(lead, project, partner):
    author = UserFactory(display_name="Ada Author")
    bystander = UserFactory(display_name="Ben Bystander")
    add_member(project, lead, author)
    add_member(project, lead, bystander)
    outsider = GuestFactory(display_name="Olivia Outside")
    charter = upload(author, project)
    services.document_share(acting_user=author, document=charter, user=outsider)
    review = services.review_request_create(
        acting_user=author, document=charter, reviewers=[partner, outsider], due_on=FRIDAY
    )
    expected = {
        # who: (withdraw, comment, decide, share)
        author: (True, True, False, True),
        lead: (True, True, False, True),  # a moderator
        partner: (False, True, True, False),  # a reviewer in the community
        outsider: (False, True, True, False),  # a reviewer it is shared with
        bystander: (False, False, False, False),
    }
    for user, (withdraw, comment, decide, share) in expected.items():
        permissions.forget_roles(user)
        panel = selectors.review_panel(user=user, document=charter)
        flags = selectors.document_panel_flags(user=user, document=charter)
        assert (
            panel.can_withdraw,
            panel.can_comment,
            panel.my_reviewer is not None,
            flags["can_share"],
        ) == (withdraw, comment, decide, share), user
        assert permissions.can(user, rules.WITHDRAW_REVIEW, review) is withdraw
        assert user.has_perm(rules.COMMENT_REVIEW, review) is comment
        # The services refuse exactly what the page does not offer.
        assert (
            refused(
                lambda u=user: services.review_comment(acting_user=u, request=review, body="Hi")
            )
            is not comment
        )
        assert (
            refused(
                lambda u=user: services.review_decide(
                    acting_user=u, request=review, approve=False, comment="Change it"
                )
            )
            is not decide
        )
        assert (
            refused(
                lambda u=user: services.document_unshare(acting_user=u, document=charter, user=lead)
            )
            is not share
        )
    assert not refused(lambda: services.review_withdraw(acting_user=lead, request=review))


def test_an_author_who_left_does_not_see_a_review_button_she_cannot_use(client, lead, project):
    """She reads her document only because it was shared with her: the page offered her a
    review request form, and sending it answered 404."""
    author = UserFactory(display_name="Ada Author")
    add_member(project, lead, author)
    charter = upload(author, project)
    cs.membership_leave(acting_user=author, community=project)
    services.document_share(acting_user=lead, document=charter, user=author)
    reviewer = UserFactory(display_name="Rita Reviewer")
    add_member(project, lead, reviewer)
    permissions.forget_roles(author)
    assert selectors.document_get_for_user(user=author, pk=charter.pk) == charter
    panel = selectors.review_panel(user=author, document=charter)
    assert not panel.can_request
    assert not permissions.can(author, rules.REQUEST_REVIEW, charter)
    with pytest.raises(PermissionDenied):
        services.review_request_create(
            acting_user=author, document=charter, reviewers=[reviewer], due_on=FRIDAY
        )
    client.force_login(author)
    page = client.get(reverse("documents:detail", args=[charter.pk]))
    assert reverse("documents:review_request", args=[charter.pk]) not in page.text
    # Her former colleagues still can.
    assert selectors.review_panel(user=lead, document=charter).can_request
