"""When a person leaves, is removed, has their access ended or expire, or is erased: what
they left open (reviews waiting for them, answers to coming events) is withdrawn through the
floor's membership-ended hooks, and a guest's sponsor hears of it."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from communities import services as cs
from communities.models import Membership, Post
from documents import services as ds
from documents.models import ReviewEvent, ReviewRequest
from events import services as es
from events.models import RSVP
from guests import services as gs
from portal.accounts import services as accounts
from tests.communities.conftest import add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def julie(lead, project):
    """A guest of the project, sponsored by its lead (invited the usual way)."""
    invitation, _token = gs.invitation_create(
        acting_user=lead, email="julie@funder.example", communities=[project]
    )
    person = GuestFactory(email="julie@funder.example", display_name="Julie Roux")
    gs.invitation_accept(invitation=invitation, user=person)
    return person


def _open_things(lead, project, person):
    """A review waiting for ``person`` and a colleague who already approved; a coming
    event and a past one they answered."""
    colleague = UserFactory(display_name="Colleague")
    add_member(project, lead, colleague)
    charter = ds.document_create(
        acting_user=lead, community=project, upload=SimpleUploadedFile("charter.pdf", PDF)
    )
    review = ds.review_request_create(
        acting_user=lead,
        document=charter,
        reviewers=[person, colleague],
        due_on=timezone.localdate() + datetime.timedelta(days=4),
    )
    ds.review_decide(acting_user=colleague, request=review, approve=True)
    now = timezone.now()
    coming, past = (
        es.event_create(
            acting_user=lead,
            community=project,
            title=title,
            schedule=es.Schedule(start=start, end=start + datetime.timedelta(hours=1), tz="UTC"),
        )
        for title, start in (
            ("Steering", now + datetime.timedelta(days=3)),
            ("Kick-off", now + datetime.timedelta(minutes=1)),
        )
    )
    es.rsvp_set(acting_user=person, event=coming, answer="yes")
    es.rsvp_set(acting_user=person, event=past, answer="yes")
    RSVP.objects.filter(event=past).update(occurrence_start=now - datetime.timedelta(days=1))
    return review, coming, past


def _assert_withdrawn(review, person, coming, past):
    review.refresh_from_db()
    # The colleague's approval is the only decision left: the review completes.
    assert review.status == ReviewRequest.Status.APPROVED
    assert review.reviewers.filter(user=person).count() == 0
    assert ReviewEvent.objects.filter(
        request=review, actor=person, kind=ReviewEvent.Kind.REVIEWER_LEFT
    ).exists()
    assert not RSVP.objects.filter(user=person, event=coming).exists()
    assert RSVP.objects.filter(user=person, event=past).exists()  # the record of who came


def _sponsor_mails(lead):
    return [m for m in mail.outbox if m.to == [lead.email] and "Julie Roux" in m.subject]


def test_a_guest_who_leaves_frees_her_review_and_seats_and_her_sponsor_is_told(
    lead, project, julie, django_capture_on_commit_callbacks
):
    review, coming, past = _open_things(lead, project, julie)
    with django_capture_on_commit_callbacks(execute=True):
        cs.membership_leave(acting_user=julie, community=project)
    _assert_withdrawn(review, julie, coming, past)
    [message] = _sponsor_mails(lead)
    assert message.subject == "Julie Roux left Lakeside Trails"
    assert "taken off the reviews there that still waited for their decision" in message.body


@pytest.mark.parametrize("how", ["removed", "ended", "expired"])
def test_removed_ended_or_expired_guests_leave_nothing_open(
    lead, project, julie, how, django_capture_on_commit_callbacks
):
    review, coming, past = _open_things(lead, project, julie)
    membership = Membership.objects.get(user=julie, community=project)
    other_lead = UserFactory(display_name="Other lead")
    add_member(project, lead, other_lead)
    cs.membership_set_role(
        acting_user=lead,
        membership=Membership.objects.get(user=other_lead, community=project),
        role="lead",
    )
    with django_capture_on_commit_callbacks(execute=True):
        if how == "removed":
            cs.membership_remove(acting_user=other_lead, membership=membership)
        elif how == "ended":
            gs.guest_end(acting_user=other_lead, membership=membership)
        else:
            Membership.objects.filter(pk=membership.pk).update(
                expires_at=timezone.now() - datetime.timedelta(minutes=1)
            )
            gs.guests_tidy()
    _assert_withdrawn(review, julie, coming, past)
    expected = {"removed": 1, "ended": 1, "expired": 0}[how]  # the sponsor, not the actor
    assert len(_sponsor_mails(lead)) == expected
    if how == "removed":
        assert "Other lead removed Julie Roux from Lakeside Trails." in _sponsor_mails(lead)[0].body


def test_the_sponsor_who_ends_the_access_gets_no_mail_about_it(
    lead, project, julie, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(user=julie, community=project)
    with django_capture_on_commit_callbacks(execute=True):
        gs.guest_end(acting_user=lead, membership=membership)
    assert _sponsor_mails(lead) == []


def test_a_member_who_leaves_is_taken_off_reviews_unless_still_a_reader(lead, project):
    member = UserFactory()
    add_member(project, lead, member)
    review, coming, past = _open_things(lead, project, member)
    cs.membership_leave(acting_user=member, community=project)
    _assert_withdrawn(review, member, coming, past)
    # An open community's documents stay readable to every colleague: the review still
    # waits for them (their answers to its events go: only members answer).
    town = cs.community_create(acting_user=lead, name="Town", visibility="open")
    cs.membership_join(acting_user=member, community=town)
    review, coming, _past = _open_things(lead, town, member)
    cs.membership_leave(acting_user=member, community=town)
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.OPEN
    assert review.reviewers.filter(user=member).exists()
    assert not RSVP.objects.filter(user=member, event=coming).exists()


def test_a_review_left_without_reviewers_is_withdrawn(lead, project, julie):
    charter = ds.document_create(
        acting_user=lead, community=project, upload=SimpleUploadedFile("charter.pdf", PDF)
    )
    review = ds.review_request_create(
        acting_user=lead,
        document=charter,
        reviewers=[julie],
        due_on=timezone.localdate() + datetime.timedelta(days=4),
    )
    cs.membership_leave(acting_user=julie, community=project)
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.WITHDRAWN and review.closed_at is not None


def test_an_erased_person_leaves_no_review_or_answer_open(lead, project, julie):
    review, coming, _past = _open_things(lead, project, julie)
    shared = ds.document_create(
        acting_user=lead,
        community=cs.community_create(acting_user=lead, name="Board", visibility="secret"),
        upload=SimpleUploadedFile("board.pdf", PDF),
    )
    ds.document_share(acting_user=lead, document=shared, user=julie)
    shared_review = ds.review_request_create(
        acting_user=lead,
        document=shared,
        reviewers=[julie],
        due_on=timezone.localdate() + datetime.timedelta(days=4),
    )
    accounts.account_erase(user=julie, acting_user=julie)
    review.refresh_from_db()
    shared_review.refresh_from_db()
    assert review.status == ReviewRequest.Status.APPROVED
    assert shared_review.status == ReviewRequest.Status.WITHDRAWN
    assert not RSVP.objects.filter(user=julie, event=coming).exists()


def _form_action(page) -> str:
    """The confirmation page's one form posts to the page's own address."""
    import re

    return re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)


def test_leaving_archiving_removing_and_ending_access_ask_first(client, lead, project, julie):
    """Each destructive action's button opens a page that says what it ends; nothing
    changes until its own button is pressed."""
    detail = reverse("communities:detail", args=[project.slug])
    client.force_login(julie)
    page = client.get(detail)
    leave = reverse("communities:leave", args=[project.slug])
    assert f'href="{leave}"' in page.text
    page = client.get(leave)
    assert "Leave Lakeside Trails?" in page.text
    assert "The reviews you were asked for there are withdrawn" in page.text
    assert "Your sponsor is told" in page.text
    assert Membership.objects.get(user=julie, community=project).status == "active"
    client.post(_form_action(page))
    assert Membership.objects.get(user=julie, community=project).status == "left"

    client.force_login(lead)
    member = UserFactory(display_name="Max Member")
    add_member(project, lead, member)
    membership = Membership.objects.get(user=member, community=project)
    remove = reverse("communities:member_action", args=[project.slug, membership.pk, "remove"])
    assert (
        f'href="{remove}"' in client.get(reverse("communities:members", args=[project.slug])).text
    )
    page = client.get(remove)
    assert "Remove Max Member from Lakeside Trails?" in page.text
    assert "They lose access to its posts, documents and calendar at once." in page.text
    membership.refresh_from_db()
    assert membership.status == "active"
    client.post(_form_action(page))
    membership.refresh_from_db()
    assert membership.status == "removed"

    archive = reverse("communities:archive", args=[project.slug])
    assert f'href="{archive}"' in client.get(detail).text
    page = client.get(archive)
    assert "Archive Lakeside Trails?" in page.text and "A lead can restore it later." in page.text
    project.refresh_from_db()
    assert not project.is_archived
    client.post(_form_action(page))
    project.refresh_from_db()
    assert project.is_archived


def test_ending_a_guests_access_asks_first(client, lead, project, julie):
    membership = Membership.objects.get(user=julie, community=project)
    end = reverse("guests:guest_access", args=[julie.pk, membership.pk, "end"])
    client.force_login(lead)
    assert f'href="{end}"' in client.get(reverse("guests:guest", args=[julie.pk])).text
    page = client.get(end)
    assert "End the access of Julie Roux to Lakeside Trails now?" in page.text
    assert "their account closes" in page.text
    membership.refresh_from_db()
    assert membership.status == "active"
    client.post(_form_action(page))
    membership.refresh_from_db()
    assert membership.status == "ended"


def _review_answered_by(lead, project, person, *, approve: bool):
    """A review of ``person`` and a colleague: ``person`` has decided, the colleague not."""
    colleague = UserFactory(display_name="Colleague")
    add_member(project, lead, colleague)
    charter = ds.document_create(
        acting_user=lead, community=project, upload=SimpleUploadedFile("charter.pdf", PDF)
    )
    review = ds.review_request_create(
        acting_user=lead,
        document=charter,
        reviewers=[person, colleague],
        due_on=timezone.localdate() + datetime.timedelta(days=4),
    )
    ds.review_decide(acting_user=person, request=review, approve=approve, comment="Page 2")
    return review, colleague, charter


def test_a_guest_who_requested_changes_and_then_ends_keeps_her_decision(lead, project, julie):
    review, colleague, _charter = _review_answered_by(lead, project, julie, approve=False)
    gs.guest_end(acting_user=lead, membership=Membership.objects.get(user=julie, community=project))
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.CHANGES
    assert review.reviewers.get(user=julie).decision == "changes_requested"
    assert not ReviewEvent.objects.filter(request=review, actor=julie, kind="reviewer_left")
    # Even when the only one still to decide has gone too: changes were requested.
    cs.membership_leave(acting_user=colleague, community=project)
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.CHANGES
    assert ReviewEvent.objects.filter(request=review, actor=colleague, kind="reviewer_left")


def test_a_decision_kept_by_a_guest_who_ends_counts_towards_approval(lead, project, julie):
    review, colleague, _charter = _review_answered_by(lead, project, julie, approve=True)
    cs.membership_leave(acting_user=julie, community=project)
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.OPEN
    assert review.reviewers.get(user=julie).decision == "approved"
    ds.review_decide(acting_user=colleague, request=review, approve=True)
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.APPROVED


def test_a_new_version_takes_a_departed_reviewer_off(lead, project, julie):
    review, colleague, charter = _review_answered_by(lead, project, julie, approve=False)
    cs.membership_leave(acting_user=julie, community=project)
    ds.version_add(
        acting_user=lead, document=charter, upload=SimpleUploadedFile("charter.pdf", PDF + b"2")
    )
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.OPEN
    assert list(review.reviewers.values_list("user", flat=True)) == [colleague.pk]
    assert ReviewEvent.objects.filter(request=review, actor=julie, kind="reviewer_left")


def test_a_guest_whose_access_ended_is_named_without_a_link_to_her_gone_profile(
    client, lead, project, julie
):
    """Nobody may see a deactivated account's profile: her name on her post and comment and
    the mentions of her read as plain text (also where the page was cached before), and
    link again when she comes back."""
    claire = UserFactory(display_name="Claire Dubois")
    add_member(project, lead, claire)
    post = cs.post_create(acting_user=lead, community=project, body="Your remarks?")
    cs.comment_create(acting_user=julie, post=post, body="One more")
    # (Guests comment; a post of hers written while she could, e.g. as a member before.)
    hers = cs.post_create(acting_user=lead, community=project, body="My remarks")
    Post.objects.filter(pk=hers.pk).update(author=julie)
    mention = cs.post_create(acting_user=lead, community=project, body="Thanks @**Julie Roux**")
    profile = f'href="{reverse("accounts:person", args=[julie.pk])}"'
    client.force_login(claire)
    pages = [
        reverse("communities:post", args=[post.pk]),
        reverse("communities:post", args=[hers.pk]),
        reverse("communities:post", args=[mention.pk]),
        reverse("communities:detail", args=[project.slug]),
    ]
    for url in pages:  # linked while she is here (and the fragments are cached)
        assert profile in client.get(url).text, url
    gs.guest_end(acting_user=lead, membership=Membership.objects.get(user=julie, community=project))
    julie.refresh_from_db()
    assert not julie.is_active
    assert client.get(reverse("accounts:person", args=[julie.pk])).status_code == 404
    for url in pages:
        page = client.get(url).text
        assert profile not in page, url
        assert "Julie Roux" in page
    # Invited again, she is back: so are the links.
    invitation, _token = gs.invitation_create(
        acting_user=lead, email="julie@funder.example", communities=[project]
    )
    gs.invitation_accept(invitation=invitation, user=julie)
    for url in pages:
        assert profile in client.get(url).text, url


def test_a_name_links_only_for_readers_who_may_see_that_profile(client, lead, project, julie):
    """Julie's access to the project ends while she stays in another community: the readers
    she shares nothing with any more read her name as text; those who still share a
    community with her follow the link."""
    board = cs.community_create(acting_user=lead, name="Board", visibility="secret")
    invitation, _token = gs.invitation_create(
        acting_user=lead, email="julie@funder.example", communities=[board]
    )
    gs.invitation_accept(invitation=invitation, user=julie)
    claire = UserFactory(display_name="Claire Dubois")
    add_member(project, lead, claire)
    post = cs.post_create(acting_user=lead, community=project, body="Your remarks?")
    cs.comment_create(acting_user=julie, post=post, body="One more")
    gs.guest_end(acting_user=lead, membership=Membership.objects.get(user=julie, community=project))
    julie.refresh_from_db()
    assert julie.is_active  # still in the board
    profile = f'href="{reverse("accounts:person", args=[julie.pk])}"'
    url = reverse("communities:post", args=[post.pk])
    client.force_login(lead)
    assert profile in client.get(url).text
    assert client.get(reverse("accounts:person", args=[julie.pk])).status_code == 200
    client.force_login(claire)  # the same cached comment, for another reader
    assert profile not in client.get(url).text
    assert client.get(reverse("accounts:person", args=[julie.pk])).status_code == 404
