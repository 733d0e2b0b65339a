"""Your data (GDPR): the export as a streamed zip, and erasure with everything it revokes."""

from __future__ import annotations

import datetime
import io
import json
import tracemalloc
import zipfile
from secrets import token_hex

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from communities import services as cs
from communities.models import (
    Comment,
    DigestOutbox,
    DigestPreference,
    Membership,
    Notification,
    Post,
)
from documents import services as document_services
from documents.models import DocumentUserObjectPermission, DocumentVersion
from events import services as event_services
from events.models import RSVP
from guests import services as guest_services
from guests.models import Invitation
from integrations import services as integration_services
from portal.accounts import privacy, services
from portal.accounts.models import User
from tests.factories import PASSWORD, GuestFactory, UserFactory
from tests.images import png_bytes

pytestmark = pytest.mark.django_db

ATTACHMENT = b"%PDF-1.4 the plan, by Camille"
CHARTER = b"%PDF-1.4 graphic charter v2"


@pytest.fixture
def world(settings, tmp_path, lead, project):
    """Camille, an active member of Lead's private project: a photo, a post with an
    attachment, comments, a like, a document version, a review with a remark, an answer to
    an event, a calendar feed and an API token."""
    settings.MEDIA_ROOT = tmp_path
    camille = UserFactory(
        display_name="Camille Martin",
        phone="+33 4 50 00 00 01",
        bio="Trails and funding",
        skills=["tourism"],
    )
    services.user_profile_update(
        user=camille,
        acting_user=camille,
        photo=SimpleUploadedFile("camille.png", png_bytes(), "image/png"),
    )
    invitation = cs.membership_invite(acting_user=lead, community=project, user=camille)
    cs.membership_accept(acting_user=camille, membership=invitation)
    post = cs.post_create(
        acting_user=camille,
        community=project,
        body="The plan for the **trails**",
        attachments=[SimpleUploadedFile("plan.pdf", ATTACHMENT, "application/pdf")],
    )
    lead_comment = cs.comment_create(acting_user=lead, post=post, body="Thanks @**Camille Martin**")
    reply = cs.comment_create(acting_user=camille, post=post, body="My answer", parent=lead_comment)
    cs.comment_like_toggle(acting_user=camille, comment=lead_comment)
    document = document_services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile("charter.pdf", b"%PDF-1.4 charter v1", "application/pdf"),
    )
    document_services.version_add(
        acting_user=camille,
        document=document,
        upload=SimpleUploadedFile("charter-v2.pdf", CHARTER, "application/pdf"),
    )
    document.refresh_from_db()
    review = document_services.review_request_create(
        acting_user=lead,
        document=document,
        reviewers=[camille],
        due_on=datetime.date(2999, 1, 1),
    )
    document_services.review_comment(
        acting_user=camille, request=review, body="Page 2: the logo is too small", page=2
    )
    document_services.review_decide(acting_user=camille, request=review, approve=True)
    event = event_services.event_create(
        acting_user=lead,
        community=project,
        title="Steering committee",
        schedule=event_services.schedule_from_local(
            tz="Europe/Paris", start_date=datetime.date(2199, 3, 1), all_day=True
        ),
    )
    event_services.rsvp_set(acting_user=camille, event=event, answer="yes")
    feed, feed_token = event_services.feed_create(acting_user=camille)
    _token, api_token = integration_services.api_token_create(
        acting_user=camille, name="script", scope="read"
    )
    return {
        "camille": camille,
        "post": post,
        "reply": reply,
        "document": document,
        "event": event,
        "feed": feed,
        "feed_token": feed_token,
        "api_token": api_token,
    }


def read_zip(response) -> zipfile.ZipFile:
    assert response.streaming
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


# --- Export -----------------------------------------------------------------------------------


def test_a_person_downloads_their_data_as_a_zip(client, world):
    camille = world["camille"]
    client.force_login(camille)
    response = client.get(reverse("accounts:privacy_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="parvis-data-')
    archive = read_zip(response)
    assert archive.testzip() is None
    names = set(archive.namelist())
    for expected in (
        "profile.json",
        "memberships.json",
        "posts.json",
        "comments.json",
        "likes.json",
        "reviews.json",
        "rsvps.json",
        "documents.json",
        "notifications.json",
        "calendar_feeds.json",
        "api_tokens.json",
        "invitations.json",
        "conversations.json",
        "messages.json",
        "index.json",
    ):
        assert expected in names, expected

    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == camille.email
    assert profile["phone"] == "+33 4 50 00 00 01"
    assert profile["skills"] == ["tourism"]
    assert profile["email_addresses"][0]["email"] == camille.email
    assert archive.read(profile["photo"]) == png_bytes()

    posts = json.loads(archive.read("posts.json"))
    assert [p["body"] for p in posts] == ["The plan for the **trails**"]
    assert [c["body"] for c in json.loads(archive.read("comments.json"))] == ["My answer"]
    attachment = next(n for n in names if n.startswith(f"files/posts/{world['post'].pk}/"))
    assert attachment.endswith("plan.pdf")
    assert archive.read(attachment) == ATTACHMENT

    reviews = json.loads(archive.read("reviews.json"))
    assert {r["kind"] for r in reviews} == {"decision", "comment"}
    assert any(r.get("body") == "Page 2: the logo is too small" for r in reviews)
    assert json.loads(archive.read("rsvps.json"))[0]["answer"] == "yes"
    documents = json.loads(archive.read("documents.json"))
    assert [d["file_name"] for d in documents] == ["charter-v2.pdf"]
    assert archive.read(documents[0]["file"]) == CHARTER
    memberships = {m["community"] for m in json.loads(archive.read("memberships.json"))}
    assert "Lakeside Trails" in memberships
    # secrets never leave: tokens are listed by name and prefix only
    tokens = archive.read("api_tokens.json").decode()
    assert "script" in tokens and world["api_token"] not in tokens
    assert world["feed_token"] not in archive.read("calendar_feeds.json").decode()
    # someone else's content is not in my export
    assert "Thanks" not in archive.read("comments.json").decode()
    assert json.loads(archive.read("index.json"))["missing_files"] == []
    entry = ModelLogEntry.objects.get(action="accounts.export")
    assert entry.object_id == str(camille.pk) and entry.user_id == camille.pk


def test_a_file_missing_from_storage_is_listed_not_fatal(client, world):
    camille = world["camille"]
    camille.photo.storage.delete(camille.photo.name)
    client.force_login(camille)
    archive = read_zip(client.get(reverse("accounts:privacy_export")))
    index = json.loads(archive.read("index.json"))
    assert index["missing_files"] == [f"files/profile/{privacy.safe_name(camille.photo.name)}"]
    assert "posts.json" in index["entries"]


def test_names_in_the_zip_cannot_escape_or_hide():
    assert privacy.safe_name("../../etc/passwd") == "passwd"
    assert privacy.safe_name("..") == "file"
    assert privacy.safe_name("report\u202eexe.pdf") == "report_exe.pdf"
    assert privacy.safe_name("a\\b:c.txt") == "b_c.txt"


def _very_active(user, community, n: int) -> None:
    """``n`` posts and ``n`` comments, written in bulk: the services would take minutes."""
    # Random text, so that compression cannot hide what the zip carries.
    posts = Post.objects.bulk_create(
        Post(community=community, author=user, body=f"Post {i} {token_hex(200)}", body_html="-")
        for i in range(n)
    )
    Comment.objects.bulk_create(
        Comment(post=post, author=user, body=f"Comment {i} {token_hex(200)}", body_html="-")
        for i, post in enumerate(posts)
    )


def _peak_while_streaming(user) -> tuple[int, int, zipfile.ZipFile]:
    """Peak memory traced while the zip is produced (the bytes are counted, not kept)."""
    stream = services.account_export_stream(user=user, acting_user=user)
    out = io.BytesIO()
    tracemalloc.start()
    try:
        pieces = 0
        for piece in stream:
            pieces += 1
            out.write(piece)
            if pieces == 1:
                tracemalloc.reset_peak()  # the rest of the test's objects are not the export's
            out.seek(0)
            out.truncate()  # keep nothing: a client would have received it
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    full = io.BytesIO(b"".join(services.account_export_stream(user=user, acting_user=user)))
    return peak, pieces, zipfile.ZipFile(full)


def test_a_very_active_account_streams_with_flat_memory(lead, project):
    small, large = UserFactory(), UserFactory()
    for person in (small, large):
        cs.membership_ensure_general(user=person)
    # Both at least twice the rows fetched per round trip (ITERATOR_CHUNK: a fetch builds the
    # next chunk while the previous one is still referenced), the second ten times more.
    _very_active(small, project, 1000)
    _very_active(large, project, 10000)

    small_peak, _small_pieces, small_zip = _peak_while_streaming(small)
    large_peak, large_pieces, large_zip = _peak_while_streaming(large)

    assert len(json.loads(small_zip.read("posts.json"))) == 1000
    assert len(json.loads(large_zip.read("posts.json"))) == 10000
    assert len(json.loads(large_zip.read("comments.json"))) == 10000
    assert large_zip.testzip() is None
    assert large_pieces > 10  # sent as it is built, not in one piece at the end
    # Ten times the rows, about the same memory: bounded by a chunk of rows, not the total.
    assert large_peak < 1.25 * small_peak + 256 * 1024, (small_peak, large_peak)
    assert large_peak < 8 * 1024 * 1024


def test_only_the_person_or_an_administrator_exports(world, staff, lead):
    camille = world["camille"]
    with pytest.raises(PermissionDenied):
        services.account_export_stream(user=camille, acting_user=lead)
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(services.account_export_stream(user=camille, acting_user=staff)))
    )
    assert json.loads(archive.read("profile.json"))["email"] == camille.email
    with pytest.raises(PermissionDenied):
        services.account_erase(user=camille, acting_user=lead)


# --- Erasure ----------------------------------------------------------------------------------


def test_erasure_anonymises_and_revokes_everything(
    client, world, lead, staff, project, django_capture_on_commit_callbacks
):
    camille = world["camille"]
    old_email, photo = camille.email, camille.photo.name
    storage = camille.photo.storage
    signed_in = Client()
    signed_in.force_login(camille)
    assert signed_in.get(reverse("accounts:profile_edit")).status_code == 200
    api = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {world['api_token']}"}
    assert api.get(reverse("api:me"), **bearer).status_code == 200
    feed_url = reverse("events:feed", args=[world["feed"].pk, world["feed_token"]])
    assert Client().get(feed_url).status_code == 200
    Notification.objects.create(user=camille, kind="mention", title="t", url="/")
    DigestOutbox.objects.create(
        user=camille,
        period="d2999-01-01",
        starts_at=datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2999, 1, 2, tzinfo=datetime.UTC),
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.account_erase(user=camille, acting_user=staff)

    camille.refresh_from_db()
    assert camille.is_erased and not camille.is_active
    assert camille.email == f"erased-{camille.pk}@erased.invalid"
    assert camille.name == "Former member" and str(camille) == "Former member"
    assert not camille.has_usable_password()
    for field in ("display_name", "phone", "bio", "organisation", "job_title", "location"):
        assert getattr(camille, field) == ""
    assert not camille.photo and not storage.exists(photo)
    assert list(camille.skills.all()) == []
    assert not EmailAddress.objects.filter(user=camille).exists()
    assert not User.objects.filter(email=old_email).exists()

    # sessions, API token and calendar feed stop at once
    response = signed_in.get(reverse("accounts:profile_edit"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert api.get(reverse("api:me"), **bearer).status_code == 401
    assert Client().get(feed_url).status_code == 404
    # what was addressed to them is gone; memberships ended; no digest again
    assert not Notification.objects.filter(user=camille).exists()
    assert not DigestOutbox.objects.filter(user=camille).exists()
    preferences = DigestPreference.objects.filter(user=camille)
    assert list(preferences.values_list("frequency", flat=True)) == ["off"]
    assert not RSVP.objects.filter(user=camille).exists()
    assert set(Membership.objects.filter(user=camille).values_list("status", flat=True)) == {"left"}
    # what they wrote stays, in its thread
    assert Post.objects.filter(pk=world["post"].pk, author=camille).exists()
    assert Comment.objects.filter(pk=world["reply"].pk, author=camille).exists()
    assert DocumentVersion.objects.filter(uploaded_by=camille).count() == 1

    # the audit log says who erased whom, without the person's name or address
    entry = ModelLogEntry.objects.get(action="accounts.erase")
    assert entry.user_id == staff.pk and entry.object_id == str(camille.pk)
    for old in ("Camille", old_email):
        assert not ModelLogEntry.objects.filter(label__icontains=old).exists(), old


def test_a_thread_shows_former_member(client, world, lead, staff, project):
    services.account_erase(user=world["camille"], acting_user=staff)
    client.force_login(lead)
    page = client.get(reverse("communities:post", args=[world["post"].pk])).text
    assert "Former member" in page
    assert "The plan for the" in page and "My answer" in page
    assert "Camille Martin</strong>" not in page
    # the author's name links to no profile (there is none any more); a mention written by
    # someone else stays as it was written
    profile_url = reverse("accounts:person", args=[world["camille"].pk])
    assert f'href="{profile_url}"><strong>' not in page
    assert "@Camille Martin" in page
    # nor does that mention: it reads as the plain text that was written
    assert profile_url not in page
    assert not world["camille"].mentioned_in_comments.exists()
    feed = client.get(reverse("communities:detail", args=[project.slug])).text
    assert "Former member" in feed
    document = client.get(reverse("documents:detail", args=[world["document"].pk])).text
    assert "Former member" in document


def test_erasing_a_guest_removes_shares_and_scrubs_invitations(lead, project, staff, settings):
    document = document_services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile("charter.pdf", b"%PDF-1.4 charter", "application/pdf"),
    )
    invitation, _token = guest_services.invitation_create(
        acting_user=lead, email="julie@funder.example", communities=[project], name="Julie Roux"
    )
    julie = GuestFactory(email="julie@funder.example", display_name="Julie Roux")
    guest_services.invitation_accept(invitation=invitation, user=julie)
    reader = GuestFactory(display_name="Hélène Fabre")
    document_services.document_share(acting_user=lead, document=document, user=reader)
    pending, _t = guest_services.invitation_create(
        acting_user=lead, email="helene.other@heritage.example", communities=[project]
    )
    assert DocumentUserObjectPermission.objects.filter(user=reader).exists()

    services.account_erase(user=reader, acting_user=staff)
    services.account_erase(user=julie, acting_user=staff)

    assert not DocumentUserObjectPermission.objects.filter(user=reader).exists()
    reader.refresh_from_db()
    assert not reader.has_perm("documents.view_document", document)
    invitation.refresh_from_db()
    assert invitation.email.endswith("@erased.invalid") and invitation.name == ""
    assert not Invitation.objects.filter(email__iexact="julie@funder.example").exists()
    pending.refresh_from_db()
    assert pending.state == "pending"  # someone else's invitation is not touched
    assert not ModelLogEntry.objects.filter(label__icontains="julie").exists()


def test_pending_invitations_sent_by_an_erased_person_are_revoked(lead, project, staff):
    colead = UserFactory()
    membership = cs.membership_invite(acting_user=lead, community=project, user=colead)
    cs.membership_accept(acting_user=colead, membership=membership)
    cs.membership_set_role(acting_user=lead, membership=membership, role="lead")
    sent, _token = guest_services.invitation_create(
        acting_user=lead, email="x@funder.example", communities=[project]
    )
    services.account_erase(user=lead, acting_user=staff)
    sent.refresh_from_db()
    assert sent.state == "revoked"


def test_the_last_lead_cannot_be_erased_and_nothing_changes(lead, project, staff):
    other = cs.community_create(acting_user=lead, name="Board", visibility="secret")
    with pytest.raises(ValidationError) as refused:
        services.account_erase(user=lead, acting_user=staff)
    message = " ".join(refused.value.messages)
    assert "Lakeside Trails" in message and "Board" in message
    lead.refresh_from_db()
    assert lead.is_active and not lead.is_erased and lead.name == "Lea Lead"
    assert EmailAddress.objects.filter(user=lead).exists()
    assert not ModelLogEntry.objects.filter(action="accounts.erase").exists()

    # with another lead in each, it goes through
    for community in (project, other):
        colead = UserFactory()
        membership = cs.membership_invite(acting_user=lead, community=community, user=colead)
        cs.membership_accept(acting_user=colead, membership=membership)
        cs.membership_set_role(acting_user=lead, membership=membership, role="lead")
    services.account_erase(user=lead, acting_user=staff)
    lead.refresh_from_db()
    assert lead.is_erased


def test_an_archived_community_does_not_block_erasure(lead, project, staff):
    cs.community_archive(acting_user=lead, community=project)
    services.account_erase(user=lead, acting_user=staff)
    lead.refresh_from_db()
    assert lead.is_erased


def test_erasing_twice_changes_nothing(world, staff):
    camille = world["camille"]
    services.account_erase(user=camille, acting_user=staff)
    services.account_erase(user=camille, acting_user=staff)
    assert ModelLogEntry.objects.filter(action="accounts.erase").count() == 1


def test_an_erased_guest_is_never_extended_back(lead, project, staff):
    from tests.communities.conftest import add_guest

    guest = GuestFactory()
    membership = add_guest(project, guest)
    services.account_erase(user=guest, acting_user=staff)
    membership.refresh_from_db()
    with pytest.raises(ValidationError):
        guest_services.guest_extend(
            acting_user=lead, membership=membership, until=datetime.date(2999, 1, 1)
        )
    guest.refresh_from_db()
    assert not guest.is_active


def test_every_app_contributes_its_part():
    assert [c.app for c in privacy.contributions()] == [
        "accounts",
        "communities",
        "push",  # registered by communities (portal.push may not import portal.accounts)
        "guests",
        "events",
        "documents",
        "conversations",
        "integrations",
    ]


# --- The person's pages -----------------------------------------------------------------------


def _reauthenticate(client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content


def test_the_data_page_offers_download_and_erasure(client, world):
    client.force_login(world["camille"])
    page = client.get(reverse("accounts:privacy"))
    assert page.status_code == 200
    assert reverse("accounts:privacy_export") in page.text
    assert 'name="confirmation"' in page.text


def test_the_data_page_of_a_last_lead_explains_why_not(client, lead, project):
    client.force_login(lead)
    page = client.get(reverse("accounts:privacy")).text
    assert "Lakeside Trails" in page and 'name="confirmation"' not in page


def test_a_person_erases_their_account_after_confirming(client, world):
    camille = world["camille"]
    client.force_login(camille)
    url = reverse("accounts:privacy_erase")
    # not re-authenticated lately: asked for the password first, nothing changes yet
    response = client.post(url, {"confirmation": "someone@else.example"})
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    camille.refresh_from_db()
    assert not camille.is_erased
    # allauth then resumes the POST: a wrong confirmation changes nothing
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 400
    assert "not the account" in response.text
    camille.refresh_from_db()
    assert not camille.is_erased
    response = client.post(url, {"confirmation": camille.email.upper()})
    assert response.status_code == 302 and response["Location"] == "/"
    camille.refresh_from_db()
    assert camille.is_erased
    entry = ModelLogEntry.objects.get(action="accounts.erase")
    assert entry.user_id == camille.pk
    response = client.get(reverse("accounts:profile_edit"))
    assert response["Location"].startswith("/accounts/login/")


def test_a_last_lead_posting_erasure_is_refused_with_the_reason(client, lead, project):
    client.force_login(lead)
    _reauthenticate(client)
    response = client.post(reverse("accounts:privacy_erase"), {"confirmation": lead.email})
    assert response.status_code == 400
    assert "Lakeside Trails" in response.text
    lead.refresh_from_db()
    assert not lead.is_erased and lead.is_active


# --- The administrators' screen -------------------------------------------------------------


def test_an_administrator_downloads_and_erases_anyone(client, world, staff):
    camille = world["camille"]
    client.force_login(staff)
    page = client.get(reverse("accounts_admin_privacy", args=[camille.pk]))
    assert page.status_code == 200 and "Camille Martin" in page.text
    archive = read_zip(client.get(reverse("accounts_admin_privacy_export", args=[camille.pk])))
    assert json.loads(archive.read("profile.json"))["email"] == camille.email
    assert ModelLogEntry.objects.get(action="accounts.export").user_id == staff.pk
    erase = reverse("accounts_admin_privacy_erase", args=[camille.pk])
    assert client.post(erase, {"confirmation": "wrong"}).status_code == 400
    response = client.post(erase, {"confirmation": camille.email})
    assert response.status_code == 302
    camille.refresh_from_db()
    assert camille.is_erased
    assert "has been erased" in client.get(response["Location"]).text


def test_the_admin_screen_shows_the_last_lead_refusal(client, lead, project, staff):
    client.force_login(staff)
    response = client.post(
        reverse("accounts_admin_privacy_erase", args=[lead.pk]), {"confirmation": lead.email}
    )
    assert response.status_code == 400
    assert "Lakeside Trails" in response.text
    lead.refresh_from_db()
    assert not lead.is_erased


def test_the_user_list_links_to_personal_data(client, world, staff):
    client.force_login(staff)
    listing = client.get(reverse("wagtailusers_users:index"))
    assert reverse("accounts_admin_privacy", args=[world["camille"].pk]) in listing.text


@pytest.mark.parametrize(
    "name,method",
    [
        ("accounts_admin_privacy", "get"),
        ("accounts_admin_privacy_export", "get"),
        ("accounts_admin_privacy_erase", "post"),
    ],
)
def test_nobody_else_reaches_the_admin_screen(client, world, lead, name, method):
    camille = world["camille"]
    url = reverse(name, args=[camille.pk])
    data = {"confirmation": camille.email}
    response = getattr(client, method)(url, data)
    assert response.status_code == 302 and "/login/" in response["Location"]  # anonymous
    client.force_login(lead)  # a member: "no access" (not a loop through the sign-in page)
    response = getattr(client, method)(url, data)
    assert response.status_code == 403
    editor = UserFactory(is_staff=True)  # in the admin, not an administrator: as if missing
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert getattr(client, method)(url, data).status_code == 404
    missing = reverse(name, args=[999999])
    assert getattr(client, method)(missing, data).status_code == 404
    camille.refresh_from_db()
    assert not camille.is_erased
    assert not ModelLogEntry.objects.filter(action__startswith="accounts.").exists()
