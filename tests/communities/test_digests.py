"""Digests: what they hold, for whom, when, and delivery that never sends twice."""

import datetime
import zoneinfo
from collections import Counter

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities import digests, notifications
from communities import services as cs
from communities.app_settings import app_settings
from communities.models import DigestOutbox, DigestPreference, Membership
from documents import services as document_services
from events import services as event_services
from guests import services as guest_services
from tests.communities.conftest import add_guest, add_member
from tests.communities.smtp_server import Mailbox, serving
from tests.factories import GuestFactory, UserFactory
from tests.portal.stack import free_port

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
Frequency = DigestPreference.Frequency


class RefusingBackend:
    """An e-mail service that answers with an HTTP status (anymail's errors carry one)."""

    status = 422

    def __init__(self, *args, **kwargs) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def send_messages(self, messages) -> int:
        error = ConnectionError(f"ESP answered {self.status}")
        error.status_code = self.status
        raise error


class DownBackend(RefusingBackend):
    status = 503


def window():
    end = timezone.now() + datetime.timedelta(minutes=1)
    return end - datetime.timedelta(days=1), end


@pytest.fixture
def reader(lead, project):
    person = UserFactory(display_name="Rita Reader", language="fr")
    add_member(project, lead, person)
    return person


def people(lead, community, n=2):
    """Members who will comment and like (they join the general community too)."""
    others = [UserFactory() for _ in range(n)]
    for person in others:
        add_member(community, lead, person)
    return others


def busy_week(lead, project, n=3, others=None):
    """Posts with comments and likes in the project."""
    others = others or people(lead, project)
    posts = []
    for i in range(n):
        post = cs.post_create(acting_user=lead, community=project, body=f"Steering note {i}")
        for _ in range(i):
            cs.comment_create(acting_user=others[0], post=post, body="Seen")
        cs.post_like_toggle(acting_user=others[1], post=post)
        posts.append(post)
    return posts


def since_now():
    """A period starting now and ending in a minute: only what happens from here on."""
    now = timezone.now()
    return now, now + datetime.timedelta(minutes=1)


def charter_to_review(lead, project, reviewer) -> None:
    """The "Graphic charter", due in three days, waiting for ``reviewer``'s review."""
    charter = document_services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile("charter.pdf", b"%PDF-1.4\n%%EOF\n"),
        title="Graphic charter",
    )
    document_services.review_request_create(
        acting_user=lead,
        document=charter,
        reviewers=[reviewer],
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )


def test_the_digest_holds_top_posts_new_members_reviews_and_the_agenda(lead, project, reader):
    posts = busy_week(lead, project)
    charter_to_review(lead, project, reader)
    start = timezone.now() + datetime.timedelta(days=2)
    event_services.event_create(
        acting_user=lead,
        community=project,
        title="Steering committee",
        schedule=event_services.Schedule(
            start=start, end=start + datetime.timedelta(hours=1), tz="Europe/Paris"
        ),
    )
    starts_at, ends_at = window()
    digest = digests.digest_build(user=reader, starts_at=starts_at, ends_at=ends_at)
    [block] = [c for c in digest.communities if c.community == project]
    sections = {s.heading: s.items for s in block.sections}
    top = sections["Most engaging posts"]
    # The most engaging first: two comments, then one, then none.
    assert [i.title for i in top] == ["Steering note 2", "Steering note 1", "Steering note 0"]
    assert top[0].url == reverse("communities:post", args=[posts[2].pk])
    assert top[0].detail == "Lea Lead · 2 comments · 1 like"
    assert "Rita Reader" in sections["New members"][0].title
    assert [i.title for i in sections["Awaiting your review"]] == ["Graphic charter"]
    assert [i.title for i in sections["Coming up this week"]] == ["Steering committee"]


def test_a_guest_of_one_community_never_reads_another_s(lead, project):
    other = cs.community_create(acting_user=lead, name="Board", visibility="secret")
    cs.post_create(acting_user=lead, community=other, body="Board only")
    cs.post_create(acting_user=lead, community=project, body="For the partners")
    guest = GuestFactory()
    add_guest(project, guest)
    notifications.preferences_set(acting_user=guest, account=Frequency.DAILY)
    digest = digests.digest_build(user=guest, starts_at=window()[0], ends_at=window()[1])
    titles = [i.title for c in digest.communities for s in c.sections for i in s.items]
    assert "For the partners" in titles and "Board only" not in titles


def test_removed_between_enqueue_and_send_means_nothing_from_there(lead, project, reader):
    others = people(lead, project)
    starts_at, ends_at = since_now()
    busy_week(lead, project, others=others)
    DigestOutbox.objects.create(user=reader, period="d-test", starts_at=starts_at, ends_at=ends_at)
    cs.membership_end(
        acting_user=lead,
        membership=Membership.objects.get(user=reader, community=project),
        reason="removed",
    )
    assert digests.digest_send(outbox_id=DigestOutbox.objects.get().pk) == "skipped"
    assert mail.outbox == []


def test_per_community_choice_and_off(lead, project, reader):
    others = people(lead, project)
    starts_at, ends_at = since_now()
    busy_week(lead, project, others=others)
    notifications.preferences_set(
        acting_user=reader, account=Frequency.DAILY, per_community={project.pk: Frequency.OFF}
    )
    digest = digests.digest_build(
        user=reader, starts_at=starts_at, ends_at=ends_at, frequency=Frequency.DAILY
    )
    assert digest.is_empty
    notifications.preferences_set(
        acting_user=reader, account=Frequency.DAILY, per_community={project.pk: Frequency.WEEKLY}
    )
    weekly = digests.digest_build(
        user=reader, starts_at=starts_at, ends_at=ends_at, frequency=Frequency.WEEKLY
    )
    assert [c.community for c in weekly.communities] == [project]


def test_periods_follow_each_persons_time_zone(reader):
    reader.timezone = "America/New_York"
    monday_6 = datetime.datetime(2026, 11, 30, 6, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    assert digests.period_due(reader, Frequency.DAILY, monday_6) is None
    key, start, end = digests.period_due(
        reader, Frequency.DAILY, monday_6 + datetime.timedelta(hours=2)
    )
    assert key == "d2026-11-30" and end - start == datetime.timedelta(days=1)
    assert end.hour == 7 and str(end.tzinfo) == "America/New_York"
    key, start, end = digests.period_due(
        reader, Frequency.WEEKLY, monday_6 + datetime.timedelta(hours=2)
    )
    assert key == "w2026-49" and end - start == datetime.timedelta(days=7)
    tuesday = monday_6 + datetime.timedelta(days=1, hours=2)
    assert digests.period_due(reader, Frequency.WEEKLY, tuesday) is None


def test_enqueue_twice_creates_one_row_per_person_and_period(lead, project, reader, partner):
    at_nine = timezone.now().astimezone(PARIS).replace(hour=9, minute=0)
    first = digests.digests_enqueue(now=at_nine)
    # The next tick creates nothing and hands out nothing: the rows are queued already, and
    # a batch that fails retries itself (a backlog does not grow the queue).
    assert digests.digests_enqueue(now=at_nine + datetime.timedelta(minutes=15)) == []
    people = set(DigestOutbox.objects.values_list("user_id", flat=True))
    assert reader.pk in people and lead.pk in people
    assert partner.pk not in people  # a guest who did not consent
    assert len(first) == DigestOutbox.objects.count()
    # A batch lost with its queue (a broker that lost its data) is handed out again later,
    # as is a digest left "sending" by a worker that died before recording it.
    DigestOutbox.objects.filter(pk=first[0]).update(
        status="sending", claimed_at=at_nine + datetime.timedelta(minutes=16)
    )
    later = at_nine + datetime.timedelta(seconds=app_settings.DIGESTS_REQUEUE_SECONDS + 60)
    assert digests.digests_enqueue(now=later) == first


def test_sending_is_exactly_once_and_in_the_readers_language(lead, project, reader, settings):
    busy_week(lead, project)
    starts_at, ends_at = window()
    row = DigestOutbox.objects.create(
        user=reader, period="d-test", starts_at=starts_at, ends_at=ends_at
    )
    assert digests.digest_send(outbox_id=row.pk) == "sent"
    assert digests.digest_send(outbox_id=row.pk) == ""  # a second trigger: nothing
    [message] = mail.outbox
    assert message.to == [reader.email]
    assert "Votre résumé Parvis" in message.subject  # Rita reads French
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row.refresh_from_db()
    assert row.status == "sent" and row.message_id == message.extra_headers["Message-ID"]
    html = message.alternatives[0][0]
    link = settings.WAGTAILADMIN_BASE_URL + reverse(
        "communities:post", args=[project.posts.first().pk]
    )
    assert link in html and link in message.body  # absolute links, both parts


def test_nothing_new_or_already_on_the_site_sends_nothing(lead, project, reader):
    others = people(lead, project)
    starts_at, ends_at = since_now()
    empty = DigestOutbox.objects.create(
        user=reader, period="d-empty", starts_at=starts_at, ends_at=ends_at
    )
    assert digests.digest_send(outbox_id=empty.pk) == "skipped"
    busy_week(lead, project, others=others)
    reader.last_seen_at = timezone.now()
    reader.save(update_fields=["last_seen_at"])
    seen = DigestOutbox.objects.create(
        user=reader, period="d-seen", starts_at=starts_at, ends_at=ends_at
    )
    assert digests.digest_send(outbox_id=seen.pk) == "skipped"
    assert mail.outbox == []


def test_a_refusing_service_marks_the_digest_failed(lead, project, reader, settings):
    busy_week(lead, project)
    settings.EMAIL_BACKEND = "tests.communities.test_digests.RefusingBackend"
    starts_at, ends_at = window()
    row = DigestOutbox.objects.create(
        user=reader, period="d-test", starts_at=starts_at, ends_at=ends_at
    )
    assert digests.digest_send(outbox_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.attempts == 1 and "422" in row.error
    assert list(digests.digests_failed()) == [row]


def test_a_service_that_is_down_is_retried_then_given_up(lead, project, reader, settings):
    busy_week(lead, project)
    settings.EMAIL_BACKEND = "tests.communities.test_digests.DownBackend"
    starts_at, ends_at = window()
    row = DigestOutbox.objects.create(
        user=reader, period="d-test", starts_at=starts_at, ends_at=ends_at
    )
    for attempt in range(1, app_settings.DIGESTS_MAX_ATTEMPTS):
        assert digests.digest_send(outbox_id=row.pk) == "pending"
        row.refresh_from_db()
        assert (row.status, row.attempts) == ("pending", attempt)
    assert digests.digest_send(outbox_id=row.pk) == "failed"


@pytest.fixture
def smtp_port(settings):
    """Django's SMTP backend, pointed at a loopback port nothing listens on yet."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    return port


def test_smtp_replies_are_read_by_their_code_and_hold_up_no_one(lead, project, smtp_port):
    busy_week(lead, project)
    refused, busy, first, second = people(lead, project, n=4)
    starts_at, ends_at = window()
    ids = [
        DigestOutbox.objects.create(
            user=person, period="d-smtp", starts_at=starts_at, ends_at=ends_at
        ).pk
        for person in (refused, busy, first, second)
    ]
    mailbox = Mailbox(
        refuse={refused.email: "550 5.1.1 User unknown"},
        refuse_once={busy.email: "452 4.2.2 Mailbox full"},
    )
    with serving(mailbox, smtp_port):
        result = digests.digests_send_batch(outbox_ids=ids)
    assert (result.sent, result.retry, result.unreachable) == (2, [ids[1]], False)
    rows = list(DigestOutbox.objects.filter(pk__in=ids).order_by("id"))
    assert [(row.status, row.attempts) for row in rows] == [
        ("failed", 1),  # 5xx: permanent at once
        ("pending", 1),  # 4xx: temporary, the batch retries it
        ("sent", 1),
        ("sent", 1),
    ]
    assert "550" in rows[0].error and "452" in rows[1].error
    assert mailbox.count() == Counter({first.email: 1, second.email: 1})
    [(_to, _mid, peer), (_to2, _mid2, peer2)] = mailbox.messages
    assert peer == peer2  # one SMTP connection for the batch


def test_an_unreachable_mail_server_is_no_attempt_while_the_period_is_current(
    lead, project, reader, smtp_port
):
    busy_week(lead, project)
    starts_at, ends_at = window()
    current = DigestOutbox.objects.create(
        user=reader, period="d-now", starts_at=starts_at, ends_at=ends_at
    )
    gone = datetime.timedelta(days=2)
    late = DigestOutbox.objects.create(
        user=lead, period="d-old", starts_at=starts_at - gone, ends_at=ends_at - gone
    )
    for _ in range(app_settings.DIGESTS_MAX_ATTEMPTS + 1):  # nothing listens on the port
        result = digests.digests_send_batch(outbox_ids=[current.pk, late.pk])
        assert result.unreachable and result.sent == 0
    current.refresh_from_db()
    late.refresh_from_db()
    assert (current.status, current.attempts) == ("pending", 0)
    assert "Connection refused" in current.error
    assert (late.status, late.attempts) == ("failed", 0)  # the next digest is due already
    assert mail.outbox == []


def test_the_broker_gives_the_longest_task_its_time(settings):
    """A batch's retry waits in the worker until its countdown, and a killed worker's batch
    comes back after the visibility timeout, when the digest it held may be claimed again."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > settings.DIGESTS_RETRY_MAX_SECONDS
    assert visibility > settings.DIGESTS_BATCH_SECONDS + settings.DIGESTS_SENDING_LEASE
    # The lease outlasts a hand-off (a few SMTP steps) and the recording of its outcome.
    assert settings.DIGESTS_SENDING_LEASE > 4 * settings.EMAIL_TIMEOUT + digests.RECORD_SECONDS


def test_building_costs_the_same_whatever_the_communities_and_activity(lead, project, reader):
    def cost():
        with CaptureQueriesContext(connection) as queries:
            digests.digest_build(user=reader, starts_at=window()[0], ends_at=window()[1])
        return len(queries)

    busy_week(lead, project, n=2)
    small = cost()
    for name in ("Annecy office", "Trails theme"):
        community = cs.community_create(acting_user=lead, name=name, visibility="open")
        add_member(community, lead, reader)
        busy_week(lead, community, n=4)
    assert cost() == small


def test_unsubscribe_get_changes_nothing_post_works_without_cookies(lead, project, reader):
    from django.test import Client

    url = notifications.unsubscribe_url(reader, project)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    assert page.status_code == 200 and not DigestPreference.objects.exists()
    assert browser.post(url).status_code == 200  # no cookie, no CSRF token: RFC 8058
    assert notifications.frequency_for(reader, project) == Frequency.OFF
    assert notifications.frequency_for(reader, None) == Frequency.DAILY
    everything = notifications.unsubscribe_url(reader)
    browser.post(everything)
    assert notifications.preferences_of(reader) == (Frequency.OFF, {})


def test_a_tampered_unsubscribe_token_is_a_404(client, reader):
    url = notifications.unsubscribe_url(reader)
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = token[:-2] + ("yy" if token.endswith("xx") else "xx")
    assert client.post(url.replace(token, forged)).status_code == 404
    other = f"{reader.pk + 1}.0.{token.rsplit('.', 1)[1]}"  # someone else, same signature
    assert client.post(url.replace(token, other)).status_code == 404
    assert not DigestPreference.objects.exists()


def test_preview_shows_what_the_digest_would_say(client, lead, project, reader):
    busy_week(lead, project)
    client.force_login(reader)
    page = client.get(reverse("communities:digest_preview")).content.decode()
    assert "Steering note 2" in page


@pytest.mark.parametrize("account", [Frequency.OFF, Frequency.IMMEDIATE])
def test_preview_says_there_is_no_digest_to_someone_who_chose_none(client, lead, project, account):
    person = UserFactory(language="en")
    add_member(project, lead, person)
    busy_week(lead, project)
    notifications.preferences_set(acting_user=person, account=account)
    client.force_login(person)
    page = client.get(reverse("communities:digest_preview")).content.decode()
    assert "You receive no digest" in page and "Nothing new" not in page
    assert reverse("communities:notification_settings") in page
    # One community on a weekly digest is a digest again.
    notifications.preferences_set(
        acting_user=person, account=account, per_community={project.pk: Frequency.WEEKLY}
    )
    page = client.get(reverse("communities:digest_preview")).content.decode()
    assert "You receive no digest" not in page and "Steering note 2" in page


def test_administrators_see_failed_digests_in_the_admin(client, staff, reader, lead, project):
    starts_at, ends_at = window()
    DigestOutbox.objects.create(
        user=reader,
        period="d-failed",
        starts_at=starts_at,
        ends_at=ends_at,
        status="failed",
        attempts=5,
        error="SMTPServerDisconnected: gone",
    )
    client.force_login(staff)
    page = client.get(reverse("digests:index"), {"status": "failed"}).content.decode()
    assert "d-failed" in page and "SMTPServerDisconnected" in page
    client.force_login(reader)  # not an administrator
    assert client.get(reverse("digests:index")).status_code in (302, 403)


def test_community_blocks_rendered_once_still_fit_each_reader(lead, project):
    """Blocks are rendered once per content and language (``_render_block``): in one batch
    the author of a top post, a colleague, and a French reader each get their own."""
    author, colleague, french = people(lead, project, n=3)
    french.language = "fr"
    french.save(update_fields=["language"])
    others = people(lead, project)
    mine = cs.post_create(acting_user=author, community=project, body="Author's own note")
    cs.post_like_toggle(acting_user=others[0], post=mine)
    busy_week(lead, project, n=1, others=others)
    starts_at, ends_at = window()
    bodies = {}
    for person in (colleague, author, french):  # the colleague's rendering comes first
        row = DigestOutbox.objects.create(
            user=person, period="d-blocks", starts_at=starts_at, ends_at=ends_at
        )
        assert digests.digest_send(outbox_id=row.pk) == "sent"
        bodies[person.pk] = mail.outbox[-1].body
    assert "Author's own note" in bodies[colleague.pk]
    assert "Author's own note" not in bodies[author.pk]  # my own post is not news to me
    assert "Most engaging posts" in bodies[author.pk]  # the rest of the block is there
    assert "Publications les plus suivies" in bodies[french.pk]
    unsubscribe = [line for line in bodies[colleague.pk].splitlines() if "/unsubscribe/" in line]
    assert unsubscribe and not any(line in bodies[author.pk] for line in unsubscribe)


def test_reviews_read_once_for_a_batch_reach_only_their_reviewers(lead, project):
    reviewer, colleague = people(lead, project)
    charter_to_review(lead, project, reviewer)
    starts_at, ends_at = window()

    def reviews(person) -> list[str]:
        digest = digests.digest_build(user=person, starts_at=starts_at, ends_at=ends_at)
        return [
            item.title
            for block in digest.communities
            for section in block.sections
            if section.heading == "Awaiting your review"
            for item in section.items
        ]

    with CaptureQueriesContext(connection) as first:
        assert reviews(colleague) == []  # the batch's read of the community's reviews
    with CaptureQueriesContext(connection) as second:
        assert reviews(reviewer) == ["Graphic charter"]
    assert len(second) < len(first)  # the reviews (and top posts …) came from the cache


def test_new_members_are_only_those_still_in_the_community(lead, project, reader, client):
    """People who joined in the period and then left, were removed or saw their access end
    are not announced (in the digest and in its preview); one who came back is, once."""
    starts_at, ends_at = since_now()
    hugo, marc, back = (
        UserFactory(display_name=name) for name in ("Hugo Bernard", "Marc Blanc", "Bea Back")
    )
    for person in (hugo, marc, back):
        add_member(project, lead, person)
    invitation, _token = guest_services.invitation_create(
        acting_user=lead, email="julie@funder.example", communities=[project]
    )
    julie = GuestFactory(email="julie@funder.example", display_name="Julie Roux")
    guest_services.invitation_accept(invitation=invitation, user=julie)
    guest_services.guest_end(
        acting_user=lead, membership=Membership.objects.get(user=julie, community=project)
    )
    cs.membership_remove(
        acting_user=lead, membership=Membership.objects.get(user=hugo, community=project)
    )
    cs.membership_leave(acting_user=marc, community=project)
    cs.membership_leave(acting_user=back, community=project)
    add_member(project, lead, back)
    digest = digests.digest_build(user=lead, starts_at=starts_at, ends_at=ends_at)
    [block] = [c for c in digest.communities if c.community == project]
    [item] = {s.heading: s.items for s in block.sections}["New members"]
    assert item.title == "Bea Back"
    client.force_login(lead)
    page = client.get(reverse("communities:digest_preview")).content.decode()
    # (Hugo and Marc are still new in the general community, which they did not leave;
    # the preview covers the last day, when the reader joined too.)
    assert '/members/">Rita Reader, Bea Back</a>' in page and "Julie Roux" not in page


def test_a_request_approved_announces_the_newcomer_not_the_lead(lead, project, reader):
    """Approving a request is the lead's act, but the digest's "New members" names the person
    who joined (it named the lead)."""
    starts_at, ends_at = since_now()
    nora = UserFactory(display_name="Nora Newcomer")
    request = cs.membership_join(acting_user=nora, community=project)
    assert request.status == Membership.Status.REQUESTED
    cs.membership_decide(acting_user=lead, membership=request, approve=True)
    digest = digests.digest_build(user=reader, starts_at=starts_at, ends_at=ends_at)
    [block] = [c for c in digest.communities if c.community == project]
    [item] = {s.heading: s.items for s in block.sections}["New members"]
    assert "Nora Newcomer" in item.title
    assert lead.name not in item.title


def test_an_administrator_sets_a_failed_digest_back_to_pending_as_a_fresh_start(
    client, staff, reader
):
    """Through the admin's outbox screen (its only field): the attempts and error are
    cleared, or the first transient failure would fail it again at once; nobody adds rows."""
    starts_at, ends_at = window()
    row = DigestOutbox.objects.create(
        user=reader,
        period="d-test",
        starts_at=starts_at,
        ends_at=ends_at,
        status=DigestOutbox.Status.FAILED,
        attempts=app_settings.DIGESTS_MAX_ATTEMPTS,
        error="SMTPServerDisconnected: gone",
    )
    client.force_login(staff)
    response = client.post(reverse("digests:edit", args=[row.pk]), {"status": "pending"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == ("pending", 0, "")
    added = client.post(reverse("digests:add"), {"status": "pending"})
    assert added.status_code == 302 and DigestOutbox.objects.count() == 1
