"""The REST API with personal tokens: the same selectors and policy as the site."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from communities import services as cs
from communities.models import Activity, Comment, Membership, Post
from documents import services as document_services
from events import services as event_services
from events.models import RSVP
from integrations import services
from integrations.models import ApiToken
from portal.core.tokens import token_hash
from tests.communities.conftest import add_guest
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def token_for(user, scope="write"):
    return services.api_token_create(acting_user=user, name="script", scope=scope)[1]


def api(client, token, method, name, *args, **kwargs):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    url = reverse(f"api:{name}", args=args)
    return getattr(client, method)(url, **kwargs, **headers)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def space(lead, project, partner):
    """Lakeside Trails (private, led by ``lead``) with a guest, a post, a comment, a document
    and an event; and a second private community the guest is not in."""
    post = cs.post_create(acting_user=lead, community=project, body="Steering committee #plan")
    cs.comment_create(acting_user=partner, post=post, body="Thanks")
    document = document_services.document_create(
        acting_user=lead,
        community=project,
        upload=SimpleUploadedFile("charter.pdf", PDF, "application/pdf"),
    )
    event = event_services.event_create(
        acting_user=lead,
        community=project,
        title="Launch",
        schedule=event_services.schedule_from_local(
            tz="Europe/Paris", start_date=datetime.date(2199, 6, 1), all_day=True
        ),
    )
    other = cs.community_create(acting_user=lead, name="Board", visibility="private")
    hidden = cs.post_create(acting_user=lead, community=other, body="Not for partners")
    return {
        "post": post,
        "document": document,
        "event": event,
        "other": other,
        "hidden": hidden,
    }


def test_a_guest_token_sees_exactly_what_the_guest_sees(client, space, partner, project):
    token = token_for(partner)
    me = api(client, token, "get", "me")
    assert me.status_code == 200 and me.json()["is_guest"] is True
    communities = api(client, token, "get", "communities").json()
    assert [c["slug"] for c in communities] == [project.slug]
    posts = api(client, token, "get", "posts", project.slug).json()
    assert [p["id"] for p in posts["results"]] == [space["post"].pk]
    assert posts["results"][0]["author"]["name"] == "Lea Lead"
    for name, args in (
        ("community", [space["other"].slug]),
        ("posts", [space["other"].slug]),
        ("post", [space["hidden"].pk]),
        ("comments", [space["hidden"].pk]),
        ("documents", [space["other"].slug]),
        ("community", ["no-such-community"]),
        ("post", [999_999]),
    ):
        response = api(client, token, "get", name, *args)
        assert response.status_code == 404, (name, response.status_code)
    # and writes as a guest may: comment yes, post no (404, like what one may not see)
    assert api(client, token, "post", "posts", project.slug, data={"body": "x"}).status_code == 404
    assert not Post.objects.filter(body="x").exists()
    created = api(
        client,
        token,
        "post",
        "comments",
        space["post"].pk,
        data={"body": "From my script"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert Comment.objects.get(pk=created.json()["id"]).author == partner


def test_a_member_posts_through_the_api_and_the_activity_stream_records_it(
    client, space, lead, project
):
    token = token_for(lead)
    response = api(
        client,
        token,
        "post",
        "posts",
        project.slug,
        data={"body": "Posted by a **script**"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert "<strong>script</strong>" in body["body_html"]
    assert body["via"] is None
    assert Activity.objects.filter(verb=Activity.Verb.POST_CREATED, target_id=body["id"]).exists()
    empty = api(client, token, "post", "posts", project.slug, data={"body": "   "})
    assert empty.status_code == 400


def test_a_read_token_does_not_write(client, space, lead, project):
    token = token_for(lead, scope="read")
    assert api(client, token, "get", "posts", project.slug).status_code == 200
    response = api(client, token, "post", "posts", project.slug, data={"body": "no"})
    assert response.status_code == 403
    assert not Post.objects.filter(body="no").exists()


def test_401_without_a_valid_token(client, space, lead, project):
    assert api(client, None, "get", "communities").status_code == 401
    assert api(client, "pvs_not-a-token", "get", "communities").status_code == 401
    response = client.get(reverse("api:communities"), HTTP_AUTHORIZATION="Bearer")
    assert response.status_code == 401
    token = token_for(lead)
    api_token = ApiToken.objects.get(user=lead)
    services.api_token_revoke(acting_user=lead, api_token=api_token)
    assert api(client, token, "get", "communities").status_code == 401


def test_401_at_once_for_a_removed_guest_and_a_deactivated_account(
    client, space, lead, project, partner
):
    token = token_for(partner)
    assert api(client, token, "get", "communities").status_code == 200
    membership = Membership.objects.get(user=partner, community=project)
    cs.membership_remove(acting_user=lead, membership=membership)
    assert api(client, token, "get", "communities").status_code == 401
    assert partner.is_active  # the nightly tidy-up has not run: the token is refused anyway

    expired = GuestFactory()
    add_guest(project, expired, expires_at=timezone.now() + datetime.timedelta(days=1))
    expired_token = token_for(expired)
    assert api(client, expired_token, "get", "me").status_code == 200
    Membership.objects.filter(user=expired).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert api(client, expired_token, "get", "me").status_code == 401

    colleague = UserFactory()
    colleague_token = token_for(colleague)
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    assert api(client, colleague_token, "get", "me").status_code == 401


def test_last_use_is_recorded_without_a_write_per_request(client, space, lead):
    token = token_for(lead)
    api(client, token, "get", "me")
    api_token = ApiToken.objects.get(user=lead)
    first = api_token.last_used_at
    assert first is not None
    api(client, token, "get", "me")
    api_token.refresh_from_db()
    assert api_token.last_used_at == first  # not rewritten within the minute


def test_posts_and_comments_page_with_cursors(client, lead, project, partner):
    for n in range(25):
        cs.post_create(acting_user=lead, community=project, body=f"post {n}")
    token = token_for(partner)
    first = api(client, token, "get", "posts", project.slug).json()
    assert len(first["results"]) == 20 and first["next_cursor"]
    second = api(
        client, token, "get", "posts", project.slug, data={"cursor": first["next_cursor"]}
    ).json()
    assert len(second["results"]) == 5 and second["next_cursor"] is None
    ids = [p["id"] for p in first["results"] + second["results"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 25
    post = Post.objects.filter(community=project).first()
    for n in range(23):
        cs.comment_create(acting_user=partner, post=post, body=f"comment {n}")
    page = api(client, token, "get", "comments", post.pk).json()
    assert len(page["results"]) == 20
    rest = api(client, token, "get", "comments", post.pk, data={"cursor": page["next_cursor"]})
    assert len(rest.json()["results"]) == 3
    # a broken cursor is the first page, not an error
    assert (
        api(client, token, "get", "posts", project.slug, data={"cursor": "%%%"}).status_code == 200
    )


def test_documents_list_download_and_upload(client, space, lead, member, project, partner):
    document = space["document"]
    token = token_for(partner)
    library = api(client, token, "get", "documents", project.slug).json()
    assert [d["id"] for d in library["results"]] == [document.pk]
    version = library["results"][0]["current_version"]
    download = client.get(version["download_url"], HTTP_AUTHORIZATION=f"Bearer {token}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    # a guest reads but does not upload
    upload = SimpleUploadedFile("charter-v2.pdf", PDF + b"% v2\n", "application/pdf")
    refused = api(client, token, "post", "version_upload", document.pk, data={"file": upload})
    assert refused.status_code == 404
    lead_token = token_for(lead)
    upload = SimpleUploadedFile("charter-v2.pdf", PDF + b"% v2\n", "application/pdf")
    added = api(
        client,
        lead_token,
        "post",
        "version_upload",
        document.pk,
        data={"file": upload, "change_note": "Bigger logo"},
    )
    assert added.status_code == 201 and added.json()["number"] == 2
    detail = api(client, token, "get", "document", document.pk).json()
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    hostile = SimpleUploadedFile("x.pdf", b"<html><script>", "application/pdf")
    bad = api(client, lead_token, "post", "version_upload", document.pk, data={"file": hostile})
    assert bad.status_code == 400
    # somebody outside the community: 404 for the download too
    outsider_token = token_for(member)
    response = client.get(version["download_url"], HTTP_AUTHORIZATION=f"Bearer {outsider_token}")
    assert response.status_code == 404


def test_an_upload_over_the_limit_stops_while_streaming(client, space, lead, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1024
    document = space["document"]
    big = SimpleUploadedFile("big.pdf", PDF + b"%" * 4096, "application/pdf")
    response = api(
        client, token_for(lead), "post", "version_upload", document.pk, data={"file": big}
    )
    assert response.status_code == 413
    assert document.versions.count() == 1


def test_events_and_rsvp(client, space, project, partner):
    token = token_for(partner)
    events = api(client, token, "get", "events", project.slug).json()
    assert [e["title"] for e in events["results"]] == ["Launch"]
    response = api(
        client,
        token,
        "post",
        "rsvp",
        space["event"].pk,
        data={"answer": "yes"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["answer"] == "yes"
    assert RSVP.objects.get(user=partner).answer == "yes"
    bad = api(client, token, "post", "rsvp", space["event"].pk, data={"answer": "perhaps"})
    assert bad.status_code == 400


def test_throttled_per_person(client, space, lead, settings):
    settings.INTEGRATIONS_API_RATE = "3/minute"
    token = token_for(lead)
    statuses = [api(client, token, "get", "me").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_token_pages(client, guest):
    client.force_login(guest)
    url = reverse("integrations:api_tokens")
    response = client.post(url, {"name": "My script", "scope": "write"})
    assert response.status_code == 200
    value = response.context["new_token"]["value"]
    assert value.startswith("pvs_") and value in response.content.decode()
    api_token = ApiToken.objects.get(user=guest)
    assert api_token.token_hash == token_hash(value)
    assert api_token.scope == "write"
    listing = client.get(url).content.decode()
    assert "My script" in listing and value not in listing
    assert client.post(url, {"name": "x", "scope": "admin"}).status_code == 400
    response = client.post(reverse("integrations:api_token_revoke", args=[api_token.pk]))
    assert response.status_code == 302
    api_token.refresh_from_db()
    assert api_token.revoked_at is not None
    someone = UserFactory()
    client.force_login(someone)
    other = client.post(reverse("integrations:api_token_revoke", args=[api_token.pk]))
    assert other.status_code == 404


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/communities/{slug}/posts/" in paths
    assert all(path.startswith("/api/v1/") for path in paths)
    docs = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in docs
    for cdn in ("cdn.", "unpkg", "jsdelivr", "cdnjs"):
        assert cdn not in docs
    assert "/static/drf_spectacular_sidecar/" in docs
