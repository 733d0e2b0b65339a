"""Notifications under the bell, the immediate e-mail they drive, and preferences."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from communities import notifications
from communities import services as cs
from communities.models import DigestPreference, Membership, Notification
from tests.communities.conftest import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Frequency = DigestPreference.Frequency


@pytest.fixture
def colleague(lead, project):
    person = UserFactory(display_name="Hugo Bernard")
    add_member(project, lead, person)
    return person


def kinds(user):
    """The kinds of the person's unread notifications."""
    return sorted(
        n.kind for n in notifications.notification_list_visible_to(user=user) if not n.read_at
    )


def test_a_mention_and_a_reply_reach_the_right_people(lead, project, colleague, partner):
    post = cs.post_create(
        acting_user=lead, community=project, body="Welcome @**Hugo Bernard** to the project"
    )
    assert kinds(colleague) == ["mention"]
    comment = cs.comment_create(acting_user=partner, post=post, body="Thanks for the charter")
    assert kinds(lead) == ["reply"]  # the post's author
    cs.comment_create(acting_user=colleague, post=post, body="Agreed", parent=comment)
    assert kinds(partner) == ["reply"]  # the thread's author
    assert kinds(lead) == ["reply", "reply"]
    # Nobody is told about their own words.
    cs.comment_create(acting_user=lead, post=post, body="Noted")
    assert kinds(lead) == ["reply", "reply"]
    note = notifications.notification_list_visible_to(user=colleague)[0]
    assert note.url == reverse("communities:post", args=[post.pk])
    assert note.actor == lead
    assert note.title == "Welcome @Hugo Bernard to the project"  # plain text, not Markdown


def test_a_notification_disappears_with_access(lead, project, partner):
    post = cs.post_create(acting_user=lead, community=project, body="Hello")
    comment = cs.comment_create(acting_user=partner, post=post, body="Hi")
    cs.comment_create(acting_user=lead, post=post, body="Welcome", parent=comment)
    assert notifications.unread_count(user=partner) == 1
    Membership.objects.filter(user=partner, community=project).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    partner = type(partner).objects.get(pk=partner.pk)  # the next request
    assert notifications.unread_count(user=partner) == 0
    assert notifications.notification_list_visible_to(user=partner) == []


def test_opening_marks_read_and_follows_the_link(client, lead, project, colleague):
    post = cs.post_create(acting_user=lead, community=project, body="@**Hugo Bernard** look")
    note = Notification.objects.get(user=colleague, kind="mention")
    client.force_login(colleague)
    bell = client.get(reverse("communities:notification_bell")).content.decode()
    assert "Notifications, 1 unread" in bell  # the invitation was answered by joining
    response = client.get(reverse("communities:notification_open", args=[note.pk]))
    assert response["Location"] == reverse("communities:post", args=[post.pk])
    note.refresh_from_db()
    assert note.read_at is not None
    assert notifications.unread_count(user=colleague) == 0
    # Someone else's notification is a 404, like a missing one.
    client.force_login(lead)
    assert client.get(reverse("communities:notification_open", args=[note.pk])).status_code == 404


def test_mark_all_read(client, lead, project, colleague):
    for n in range(3):
        cs.post_create(acting_user=lead, community=project, body=f"@**Hugo Bernard** {n}")
    client.force_login(colleague)
    client.post(reverse("communities:notifications_read_all"))
    assert notifications.unread_count(user=colleague) == 0


def test_the_notification_page_pages_with_a_cursor(
    client, lead, project, colleague, django_assert_max_num_queries
):
    for n in range(35):
        cs.post_create(acting_user=lead, community=project, body=f"@**Hugo Bernard** {n}")
    client.force_login(colleague)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("communities:notifications"))
    older = first.context["next_before"]
    assert older and len(first.context["items"]) == 30
    second = client.get(reverse("communities:notifications"), {"before": older})
    assert len(second.context["items"]) == 6  # 5 mentions and the (answered) invitation


def test_immediately_means_one_email_per_mention(
    lead, project, colleague, django_capture_on_commit_callbacks
):
    notifications.preferences_set(acting_user=colleague, account=Frequency.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        cs.post_create(acting_user=lead, community=project, body="@**Hugo Bernard** the plan")
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    message = mail.outbox[0]
    assert "Lea Lead mentioned you" in message.subject
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    # A retried task sends nothing twice.
    note = Notification.objects.get(user=colleague, kind="mention")
    assert notifications.notification_emails_send(notification_ids=[note.pk]) == 0
    assert len(mail.outbox) == 1


def test_daily_digest_people_get_no_immediate_mail(
    lead, project, colleague, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cs.post_create(acting_user=lead, community=project, body="@**Hugo Bernard** the plan")
    assert mail.outbox == []
    assert Notification.objects.filter(user=colleague, kind="mention").count() == 1


def test_preferences_per_account_and_community(client, lead, project, colleague):
    other = cs.community_create(acting_user=lead, name="Secret board", visibility="secret")
    client.force_login(colleague)
    response = client.post(
        reverse("communities:notification_settings"),
        {
            "account": "weekly",
            f"community_{project.pk}": "off",
            f"community_{other.pk}": "daily",  # not theirs: ignored
        },
    )
    assert response.status_code == 302
    assert notifications.preferences_of(colleague) == ("weekly", {project.pk: "off"})
    page = client.get(reverse("communities:notification_settings")).content.decode()
    assert "Secret board" not in page
    # Back to "as for my account" removes the override.
    client.post(
        reverse("communities:notification_settings"),
        {"account": "daily", f"community_{project.pk}": ""},
    )
    assert notifications.preferences_of(colleague) == ("daily", {})


def test_a_bad_choice_changes_nothing(client, colleague):
    client.force_login(colleague)
    response = client.post(reverse("communities:notification_settings"), {"account": "hourly"})
    assert response.status_code == 200
    assert not DigestPreference.objects.exists()


def test_guests_get_no_digest_unless_they_consent(partner, colleague):
    assert notifications.frequency_for(partner, None) == Frequency.OFF
    assert notifications.frequency_for(colleague, None) == Frequency.DAILY


def test_join_requests_and_answers_are_notified(lead):
    private = cs.community_create(acting_user=lead, name="Sales", visibility="private")
    asker = UserFactory()
    membership = cs.membership_join(acting_user=asker, community=private)
    assert kinds(lead) == ["join.request"]
    cs.membership_decide(acting_user=lead, membership=membership, approve=False)
    assert kinds(asker) == ["join.answer"]  # shown although they cannot read the community


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("Hello @**Hugo Bernard|12** and *welcome*", "Hello @Hugo Bernard and welcome"),
        (
            "**[Rail and trail: a car\\-free weekend](https://blog.example.org/rail)** #mobility",
            "Rail and trail: a car-free weekend #mobility",
        ),
        ("Two\n\nparagraphs", "Two paragraphs"),
        ("x" * 300, "x" * 139 + "…"),
    ],
)
def test_excerpts_are_one_plain_line(body, line):
    from communities.markup import excerpt

    assert excerpt(body) == line


def test_the_notification_page_costs_the_same_with_three_times_the_notifications(
    client, lead, project, colleague
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = cs.community_create(acting_user=lead, name="Second project", visibility="private")
    add_member(other, lead, colleague)

    def grow(n: int) -> None:
        for i in range(n):  # mentions in two communities, some read, from two people
            community = project if i % 2 else other
            cs.post_create(acting_user=lead, community=community, body=f"@**Hugo Bernard** {i}")

    def count() -> int:
        client.force_login(colleague)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("communities:notifications")).status_code == 200
        return len(queries)

    grow(4)
    small = count()
    grow(12)
    assert count() == small
