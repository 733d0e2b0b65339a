"""Notifications under the bell, the immediate e-mail they drive, and preferences."""

import datetime

import pytest
from django.core import mail
from django.http import Http404
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


# --- Unsubscribe tokens (issue 15: key rotation, one spelling per token) -------------------

OLD_KEY = "the-key-before-rotation-" + "x" * 40
NEW_KEY = "the-key-after-rotation-" + "y" * 40


def legacy_unsubscribe_token(user_id: int, community_id: int, secret: str) -> str:
    """The hand-made HMAC the links of digests sent before issue 15 carry."""
    import base64
    import hashlib
    import hmac

    key = hashlib.sha256(f"communities.unsubscribe:{secret}".encode()).digest()
    digest = hmac.new(key, f"{user_id}.{community_id}".encode(), hashlib.sha256).digest()
    mac = base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")
    return f"{user_id}.{community_id}.{mac}"


def unsubscribe_page(client, token: str) -> int:
    return client.get(reverse("communities:unsubscribe", args=[token])).status_code


def test_unsubscribe_links_survive_a_key_rotation(client, settings, colleague, project):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    sent = notifications.unsubscribe_token(colleague, project)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert notifications.unsubscribe_read(sent) == (colleague, project)
    assert client.post(reverse("communities:unsubscribe", args=[sent])).status_code == 200
    assert notifications.frequency_for(colleague, project) == Frequency.OFF
    # once the old key leaves the fallbacks, so do its links
    settings.SECRET_KEY_FALLBACKS = []
    assert unsubscribe_page(client, sent) == 404


def test_unsubscribe_tokens_are_salted_signatures_of_their_own(settings, colleague):
    from django.core import signing

    token = notifications.unsubscribe_token(colleague)
    # the same ids signed for another purpose (another salt) are no unsubscribe token
    other = signing.Signer(salt="something.else", sep=".").sign(f"{colleague.pk}.0")
    assert other != token
    with pytest.raises(Http404):
        notifications.unsubscribe_read(other)


def test_links_sent_before_the_change_keep_working(client, settings, colleague, project):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    old = legacy_unsubscribe_token(colleague.pk, project.pk, OLD_KEY)
    assert notifications.unsubscribe_read(old) == (colleague, project)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert unsubscribe_page(client, old) == 200


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@pytest.mark.parametrize("legacy", [False, True], ids=["signed", "legacy"])
def test_every_other_spelling_of_a_token_is_a_404(client, settings, colleague, legacy):
    token = (
        legacy_unsubscribe_token(colleague.pk, 0, settings.SECRET_KEY)
        if legacy
        else notifications.unsubscribe_token(colleague)
    )
    user_id, community_id, mac = token.split(".", 2)
    assert unsubscribe_page(client, token) == 200
    for variant in (
        f"0{user_id}.{community_id}.{mac}",
        f"{user_id}.00.{mac}",
        f"{user_id}.{community_id}.{mac}=",
        f"+{user_id}.{community_id}.{mac}",
        f"{user_id.translate(FULL_WIDTH)}.{community_id}.{mac}",
        f"{user_id.translate(ARABIC_INDIC)}.{community_id}.{mac}",
        f"{user_id.translate(SUPERSCRIPT)}.{community_id}.{mac}",
        f"{user_id}.{community_id.translate(FULL_WIDTH)}.{mac}",
        "¹.0.x",
        f"{user_id}.{community_id}.{mac[:-1]}é",
        f"{user_id}.{community_id}",
        "...",
    ):
        assert unsubscribe_page(client, variant) == 404, variant
    assert not DigestPreference.objects.exists()
