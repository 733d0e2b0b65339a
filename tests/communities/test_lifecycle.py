"""The membership lifecycle (communities/services.py): grant, extend, set_role and end each
write the row, one Activity, one audit log entry, forget the cached roles and tell the
providers the upper apps registered; the guests' flows go through them; nothing else
writes a membership's status, role or end date."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from wagtail.models import ModelLogEntry

from communities import extensions, permissions
from communities import services as cs
from communities.models import Activity, Membership
from documents import services as ds
from documents.models import ReviewRequest
from events import services as es
from events.models import RSVP
from guests import services as gs
from tests.communities.conftest import add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
Verb = Activity.Verb


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def heard():
    """A real provider registered like an upper app's, recording what it hears."""
    changes: list[tuple[str, int, str]] = []

    def hook(changed: extensions.MembershipChanged) -> None:
        changes.append((changed.change, changed.membership.pk, changed.membership.role))

    extensions.register_membership_changed_hook(hook)
    yield changes
    extensions.unregister_membership_changed_hook(hook)


def activities(membership: Membership) -> list[tuple[str, int | None]]:
    return list(
        Activity.objects.filter(target_id=membership.pk, verb__startswith="member.")
        .order_by("pk")
        .values_list("verb", "actor_id")
    )


def log_entries(membership: Membership) -> list[tuple[str, dict, int | None]]:
    return [
        (entry.action, entry.data, entry.user_id)
        for entry in ModelLogEntry.objects.filter(
            content_type__model="membership", object_id=str(membership.pk)
        ).order_by("pk")
    ]


def test_grant_writes_the_row_activity_log_forgets_roles_and_tells_providers(lead, project, heard):
    person = UserFactory()
    assert not permissions.can(person, permissions.POST, project)  # roles now cached on person
    membership = cs.membership_grant(acting_user=lead, user=person, community=project)
    assert permissions.can(person, permissions.POST, project)  # same object, fresh answer
    membership.refresh_from_db()
    assert (membership.status, membership.role) == ("active", "member")
    assert membership.joined_at is not None and membership.expires_at is None
    assert activities(membership) == [(Verb.MEMBER_JOINED, lead.pk)]
    assert log_entries(membership) == [
        (cs.LOG_GRANT, {"role": "member", "expires_at": None}, lead.pk)
    ]
    assert [h for h in heard if h[1] == membership.pk] == [("granted", membership.pk, "member")]


def test_extend_writes_the_row_activity_log_forgets_roles_and_tells_providers(lead, project, heard):
    guest = GuestFactory()
    soon = timezone.now() + datetime.timedelta(days=1)
    membership = cs.membership_grant(
        acting_user=lead, user=guest, community=project, role="guest", expires_at=soon
    )
    cs.membership_end(acting_user=lead, membership=membership, reason="ended")
    person = membership.user
    assert not permissions.can(person, permissions.VIEW, project)
    later = timezone.now() + datetime.timedelta(days=90)
    cs.membership_extend(acting_user=lead, membership=membership, expires_at=later)
    assert permissions.can(person, permissions.VIEW, project)
    membership.refresh_from_db()
    assert membership.status == "active" and membership.expires_at == later
    assert activities(membership)[-1] == (Verb.MEMBER_EXTENDED, lead.pk)
    assert log_entries(membership)[-1] == (
        cs.LOG_EXTEND,
        {"role": "guest", "expires_at": later.isoformat()},
        lead.pk,
    )
    assert heard[-1] == ("extended", membership.pk, "guest")


def test_set_role_writes_the_row_activity_log_forgets_roles_and_tells_providers(
    lead, project, heard
):
    person = UserFactory()
    membership = add_member(project, lead, person)
    person = membership.user
    assert not permissions.can(person, permissions.MANAGE_MEMBERS, project)
    cs.membership_set_role(acting_user=lead, membership=membership, role="lead")
    assert permissions.can(person, permissions.MANAGE_MEMBERS, project)
    membership.refresh_from_db()
    assert membership.role == "lead"
    assert activities(membership)[-1] == (Verb.MEMBER_ROLE_CHANGED, lead.pk)
    assert log_entries(membership)[-1] == (cs.LOG_ROLE, {"role": "lead"}, lead.pk)
    assert heard[-1] == ("role_changed", membership.pk, "lead")


def _open_review_and_answer(lead, project, person):
    """A review waiting for ``person`` and their "yes" to a coming event."""
    charter = ds.document_create(
        acting_user=lead, community=project, upload=SimpleUploadedFile("charter.pdf", PDF)
    )
    review = ds.review_request_create(
        acting_user=lead,
        document=charter,
        reviewers=[person],
        due_on=timezone.localdate() + datetime.timedelta(days=4),
    )
    start = timezone.now() + datetime.timedelta(days=3)
    event = es.event_create(
        acting_user=lead,
        community=project,
        title="Steering",
        schedule=es.Schedule(start=start, end=start + datetime.timedelta(hours=1), tz="UTC"),
    )
    es.rsvp_set(acting_user=person, event=event, answer="yes")
    assert RSVP.objects.filter(user=person, event=event).exists()
    return review


@pytest.mark.parametrize(
    ("reason", "status", "verb"),
    [
        ("left", "left", Verb.MEMBER_LEFT),
        ("removed", "removed", Verb.MEMBER_REMOVED),
        ("ended", "ended", Verb.MEMBER_ENDED),
        ("expired", "expired", Verb.MEMBER_EXPIRED),
    ],
)
def test_end_writes_the_row_activity_log_forgets_roles_and_withdraws_what_was_open(
    lead, project, reason, status, verb
):
    guest = GuestFactory()
    membership = cs.membership_grant(
        acting_user=lead,
        user=guest,
        community=project,
        role="guest",
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    person = membership.user
    review = _open_review_and_answer(lead, project, person)
    assert permissions.can(person, permissions.VIEW, project)
    actor = None if reason == "expired" else (person if reason == "left" else lead)
    cs.membership_end(acting_user=actor, membership=membership, reason=reason)
    assert not permissions.can(person, permissions.VIEW, project)
    membership.refresh_from_db()
    assert membership.status == status
    assert activities(membership)[-1] == (verb, actor.pk if actor else None)
    assert log_entries(membership)[-1] == (
        cs.LOG_END,
        {"reason": reason},
        actor.pk if actor else None,
    )
    # The providers: documents took them off the review (withdrawn: nobody left), events
    # withdrew their answer to the coming event.
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.WITHDRAWN
    assert not review.reviewers.filter(user=person).exists()
    assert not RSVP.objects.filter(user=person).exists()


def test_leaving_forgets_the_roles_cached_on_the_acting_user(lead, project):
    """The person who leaves is a separate object from the row's user: both forget."""
    person = UserFactory()
    add_member(project, lead, person)
    assert permissions.can(person, permissions.POST, project)
    cs.membership_leave(acting_user=person, community=project)
    assert not permissions.can(person, permissions.POST, project)


def test_joining_and_approving_go_through_grant(lead, project):
    town = cs.community_create(acting_user=lead, name="Town", visibility="open")
    person = UserFactory()
    joined = cs.membership_join(acting_user=person, community=town)
    assert [e[0] for e in log_entries(joined)] == [cs.LOG_GRANT]
    asker = UserFactory()
    asked = cs.membership_join(acting_user=asker, community=project)
    assert asked.status == "requested" and log_entries(asked) == []  # nothing granted yet
    approved = cs.membership_decide(acting_user=lead, membership=asked, approve=True)
    assert activities(approved) == [
        (Verb.MEMBER_REQUESTED, asker.pk),
        (Verb.MEMBER_APPROVED, lead.pk),
    ]
    assert [e[0] for e in log_entries(approved)] == [cs.LOG_GRANT]


# --- The guests' flows go through the lifecycle ---------------------------------------------


def _membership_log_count(membership: Membership) -> int:
    return len(log_entries(membership))


def test_guest_accept_extend_end_each_write_one_activity_and_one_log_entry(lead, project):
    invitation, _token = gs.invitation_create(
        acting_user=lead, email="julie@funder.example", communities=[project]
    )
    julie = GuestFactory(email="julie@funder.example")
    [membership] = gs.invitation_accept(invitation=invitation, user=julie)
    assert activities(membership) == [(Verb.MEMBER_JOINED, julie.pk)]
    assert [e[0] for e in log_entries(membership)] == [cs.LOG_GRANT]
    assert membership.sponsorship.sponsor == lead  # the sponsorship stays the guests'

    until = timezone.localdate() + datetime.timedelta(days=120)
    gs.guest_extend(acting_user=lead, membership=membership, until=until)
    assert activities(membership)[1:] == [(Verb.MEMBER_EXTENDED, lead.pk)]
    assert [e[0] for e in log_entries(membership)][1:] == [cs.LOG_EXTEND]

    gs.guest_end(acting_user=lead, membership=membership)
    assert activities(membership)[2:] == [(Verb.MEMBER_ENDED, lead.pk)]
    assert [(e[0], e[1]) for e in log_entries(membership)][2:] == [
        (cs.LOG_END, {"reason": "ended"})
    ]


def test_the_nightly_tidy_ends_expired_guests_through_the_lifecycle(lead, project):
    invitation, _token = gs.invitation_create(
        acting_user=lead, email="julie@funder.example", communities=[project]
    )
    julie = GuestFactory(email="julie@funder.example")
    [membership] = gs.invitation_accept(invitation=invitation, user=julie)
    # The end date passes (time moves; nobody acts).
    Membership.objects.filter(pk=membership.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    gs.guests_tidy()
    membership.refresh_from_db()
    assert membership.status == "expired"
    assert activities(membership)[1:] == [(Verb.MEMBER_EXPIRED, None)]
    assert [(e[0], e[1]) for e in log_entries(membership)][1:] == [
        (cs.LOG_END, {"reason": "expired"})
    ]


# --- Nobody else writes a membership ----------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
APPS = ["communities", "guests", "events", "documents", "integrations", "portal"]
ALLOWED = {Path("communities/services.py")}
WRITES = [
    re.compile(r"Membership(\.objects)?\.(create|bulk_create|get_or_create|update_or_create)\("),
    re.compile(r"Membership\(\s*(user|community)"),
    # an attribute write on something named like a membership: m.status = …, ….role = …
    re.compile(r"membership\w*\.(status|role|expires_at)\s*=[^=]", re.IGNORECASE),
    # a queryset update of those fields on memberships
    re.compile(r"[Mm]embership.*\.update\([^)]*\b(status|role|expires_at)\s*="),
    re.compile(r"memberships\.(create|update|get_or_create|update_or_create)\("),
]


def _python_files(top: str):
    for path in sorted((ROOT / top).rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "migrations" in rel.parts:
            continue  # data migrations run on historical models, once
        yield rel, path.read_text()


def test_no_module_but_the_lifecycle_writes_a_membership():
    offenders = []
    for top in APPS:
        for rel, text in _python_files(top):
            if rel in ALLOWED:
                continue
            for number, line in enumerate(text.splitlines(), 1):
                if any(pattern.search(line) for pattern in WRITES):
                    offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []


def test_the_grep_catches_what_it_looks_for():
    caught = [
        "Membership.objects.create(user=u, community=c)",
        "membership.status = Membership.Status.ACTIVE",
        "membership.expires_at = until",
        "Membership.objects.filter(pk=1).update(status='left')",
        "Membership(user=user, community=community)",
    ]
    missed = ["if membership.status == Status.ACTIVE:", "membership.save(update_fields=['x'])"]
    assert all(any(p.search(line) for p in WRITES) for line in caught)
    assert not any(any(p.search(line) for p in WRITES) for line in missed)


def test_bench_generators_that_bypass_the_lifecycle_say_why():
    """The benchmark data generators may write memberships in bulk (a million rows through
    the services would take hours), if they say so where they do it."""
    for rel, text in _python_files("bench"):
        if re.search(r"communities_membership|Membership\.objects\.bulk_create", text):
            assert "bypasses the membership lifecycle" in text, rel
