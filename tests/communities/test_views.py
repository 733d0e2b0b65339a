import pytest
from django.urls import reverse

from communities import services as cs
from communities.models import Community, Membership, Post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_community_through_the_form(client, lead):
    client.force_login(lead)
    bad = client.post(
        reverse("communities:create"), {"name": "", "kind": "theme", "visibility": "open"}
    )
    assert bad.status_code == 400
    response = client.post(
        reverse("communities:create"),
        {"name": "Mobility", "kind": "theme", "visibility": "open", "description": "Trains"},
    )
    community = Community.objects.get(name="Mobility")
    assert response["Location"] == reverse("communities:detail", args=[community.slug])


def test_a_refused_post_keeps_what_was_written(client, lead, project):
    client.force_login(lead)
    text = "<b>Long</b> " + "x" * 10_100
    response = client.post(reverse("communities:post_create", args=[project.slug]), {"body": text})
    assert response.status_code == 400
    assert "&lt;b&gt;Long&lt;/b&gt;" in response.text  # the text is back, escaped
    assert "10000" in response.text
    assert not Post.objects.exists()


def test_double_click_on_post_creates_one_post(client, lead, project):
    client.force_login(lead)
    url = reverse("communities:post_create", args=[project.slug])
    for _ in range(2):
        client.post(url, {"body": "Hello #team", "client_token": "tok-1"})
    assert Post.objects.count() == 1


def test_like_with_htmx_returns_the_button(client, lead, project):
    post = cs.post_create(acting_user=lead, community=project, body="Like")
    client.force_login(lead)
    url = reverse("communities:post_like", args=[post.pk])
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.text and "<html" not in response.text
    response = client.post(url, headers={"HX-Request": "true"})
    assert 'aria-pressed="false"' in response.text


def test_feed_loads_more_with_htmx(client, lead, project):
    for n in range(25):
        cs.post_create(acting_user=lead, community=project, body=f"Post number {n}")
    client.force_login(lead)
    first = client.get(reverse("communities:detail", args=[project.slug]))
    cursor = first.context["page"].next_cursor
    more = client.get(
        reverse("communities:detail", args=[project.slug]),
        {"cursor": cursor},
        headers={"HX-Request": "true"},
    )
    assert "Post number 0" in more.text and "<html" not in more.text


def test_a_refused_comment_keeps_the_draft(client, lead, project):
    post = cs.post_create(acting_user=lead, community=project, body="Comment me")
    client.force_login(lead)
    client.post(reverse("communities:comment_create", args=[post.pk]), {"body": "   "})
    page = client.get(reverse("communities:post", args=[post.pk]))
    assert "Write something first." in page.text
    client.post(reverse("communities:comment_create", args=[post.pk]), {"body": "x" * 10_001})
    page = client.get(reverse("communities:post", args=[post.pk]))
    assert "x" * 10_001 in page.text


def test_request_and_approval_through_the_pages(client, lead, project):
    asker = UserFactory(display_name="Ann Asker")
    client.force_login(asker)
    client.post(reverse("communities:join", args=[project.slug]))
    page = client.get(reverse("communities:detail", args=[project.slug]))
    assert "Request sent" in page.text
    membership = Membership.objects.get(user=asker, community=project)
    client.force_login(lead)
    members = client.get(reverse("communities:members", args=[project.slug]))
    assert "Ann Asker" in members.text
    url = reverse("communities:member_action", args=[project.slug, membership.pk, "approve"])
    client.post(url)
    client.post(url)  # twice: harmless
    membership.refresh_from_db()
    assert membership.status == "active"


def test_invite_by_email_and_accept(client, lead, project):
    colleague = UserFactory(email="colleague@parvis.example")
    client.force_login(lead)
    client.post(reverse("communities:invite", args=[project.slug]), {"email": "nobody@x.example"})
    assert not Membership.objects.filter(community=project, status="invited").exists()
    client.post(reverse("communities:invite", args=[project.slug]), {"email": colleague.email})
    client.force_login(colleague)
    listing = client.get(reverse("communities:list"))
    assert "Your invitations" in listing.text
    client.post(reverse("communities:invitation", args=[project.slug]), {"accept": "1"})
    assert Membership.objects.get(user=colleague, community=project).status == "active"


def test_archived_community_leaves_the_list_but_members_still_find_and_read_it(
    client, lead, project, partner, settings, tmp_path
):
    """Archived: unlisted for everyone else; its members still see it in their list and on
    their home page, marked archived, and are never told they are in no community."""
    from portal import demo

    settings.MEDIA_ROOT = tmp_path
    demo.seed_pages()  # the home page with its dashboard
    cs.community_archive(acting_user=lead, community=project)
    client.force_login(UserFactory(display_name="Someone Else"))
    assert project.name not in client.get(reverse("communities:list")).text
    for person in (lead, partner):
        client.force_login(person)
        listed = client.get(reverse("communities:list")).text
        assert project.name in listed and "Archived" in listed
        home = client.get("/").text
        assert project.name in home
        assert "no community" not in home
        assert "no community" not in client.get(reverse("communities:feed")).text
    page = client.get(reverse("communities:detail", args=[project.slug]))
    assert page.status_code == 200 and "archived" in page.text
    assert 'name="body"' not in page.text  # read-only


def test_attachments_are_stored_and_served_to_readers_only(
    client, lead, project, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.images import png_bytes

    settings.MEDIA_ROOT = tmp_path
    client.force_login(lead)
    client.post(
        reverse("communities:post_create", args=[project.slug]),
        {
            "body": "The charter",
            "attachments": [
                SimpleUploadedFile("charter.pdf", b"%PDF-1.4 charter", "application/pdf"),
                SimpleUploadedFile("map.png", png_bytes(), "image/png"),
            ],
        },
    )
    post = Post.objects.get()
    pdf, image = post.attachments.order_by("name")
    assert (pdf.name, pdf.is_image, image.is_image) == ("charter.pdf", False, True)
    page = client.get(reverse("communities:detail", args=[project.slug]))
    assert reverse("communities:attachment", args=[image.pk]) in page.text
    response = client.get(reverse("communities:attachment", args=[pdf.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 charter"
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(UserFactory())
    assert client.get(reverse("communities:attachment", args=[pdf.pk])).status_code == 404
    assert client.get(f"/media/{pdf.file.name}").status_code == 404


def test_attachments_and_covers_are_served_as_strictly_as_library_documents(
    client, lead, project, settings, tmp_path
):
    """Issue 15: random storage keys, one hardened response (nosniff, a sandbox CSP of its
    own, a disposition, nothing cacheable once access ends)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.images import png_bytes

    settings.MEDIA_ROOT = tmp_path
    client.force_login(lead)
    client.post(
        reverse("communities:post_create", args=[project.slug]),
        {
            "body": "The charter",
            "attachments": [
                SimpleUploadedFile("Charte graphique.pdf", b"%PDF-1.4 charter", "text/html"),
                SimpleUploadedFile("Plan du site.png", png_bytes(), "image/png"),
            ],
        },
    )
    pdf, image = Post.objects.get().attachments.order_by("name")
    assert "Charte" not in pdf.file.name and "Plan" not in image.file.name
    for item, content_type, disposition in (
        (pdf, "application/pdf", "attachment"),
        (image, "image/png", "inline"),
    ):
        response = client.get(reverse("communities:attachment", args=[item.pk]))
        assert response["Content-Type"] == content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Disposition"].startswith(disposition)
    assert (
        "Charte graphique.pdf"
        in client.get(reverse("communities:attachment", args=[pdf.pk]))["Content-Disposition"]
    )
    cs.community_update(
        acting_user=lead,
        community=project,
        cover=SimpleUploadedFile("Notre équipe.png", png_bytes(), "image/png"),
    )
    project.refresh_from_db()
    assert "quipe" not in project.cover.name
    cover = client.get(reverse("communities:cover", args=[project.slug]))
    assert cover["Cache-Control"] == "private, no-store"
    assert "sandbox" in cover["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.png", b"not really a png", "is not really a .png file"),
        # the right first bytes, and still no image
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "is not a valid image"),
        # markup posing as text, or as an image (issue 15: the library documents' check)
        ("notes.txt", b"<html><script>alert(1)</script>", "is not really a .txt file"),
        ("logo.gif", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is not really a .gif file"),
        ("script.exe", b"MZ", "this kind of file is not accepted"),
        ("big.pdf", b"x" * 2048, "the limit is"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_saved(
    client, lead, project, settings, tmp_path, name, content, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    settings.COMMUNITIES_ATTACHMENT_MAX_BYTES = 1024
    client.force_login(lead)
    response = client.post(
        reverse("communities:post_create", args=[project.slug]),
        {"body": "Keep me", "attachments": [SimpleUploadedFile(name, content)]},
    )
    assert response.status_code == 400
    assert message in response.text
    assert "Keep me" in response.text
    assert not Post.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_comment_edit_by_its_author(client, lead, project):
    post = cs.post_create(acting_user=lead, community=project, body="Post")
    comment = cs.comment_create(acting_user=lead, post=post, body="Frist")
    client.force_login(lead)
    url = reverse("communities:comment_edit", args=[comment.pk])
    assert client.post(url, {"body": ""}).status_code == 400
    client.post(url, {"body": "First #fixed"})
    comment.refresh_from_db()
    assert comment.body == "First #fixed" and comment.edited_at


def test_search_results_show_the_text_a_reader_sees_not_markdown(client, lead, project):
    post = cs.post_create(
        acting_user=lead,
        community=project,
        body="**Trail** map: see [the plan](https://x.example/plan) & `a<b` #signage",
    )
    cs.comment_create(acting_user=lead, post=post, body="> *Trail* looks good\n- yes")
    client.force_login(lead)
    page = client.get(reverse("communities:search"), {"q": "trail"}).text
    assert "Trail map: see the plan &amp; a&lt;b #signage</a>" in page
    assert "Trail looks good yes</a>" in page
    assert "**" not in page and "[the plan]" not in page and "&gt; *Trail*" not in page


def test_comment_reply_and_edit_boxes_suggest_people_to_mention(client, lead, project):
    post = cs.post_create(acting_user=lead, community=project, body="Agenda")
    comment = cs.comment_create(acting_user=lead, post=post, body="First")
    client.force_login(lead)
    suggestions = f'hx-get="{reverse("communities:mentions", args=[project.slug])}"'
    page = client.get(reverse("communities:post", args=[post.pk])).text
    assert page.count(suggestions) == 2  # the comment box and the reply box
    for name, pk in (("communities:comment_edit", comment.pk), ("communities:post_edit", post.pk)):
        assert suggestions in client.get(reverse(name, args=[pk])).text, name
    colleague = UserFactory(display_name="Camille Martin")
    cs.membership_invite(acting_user=lead, community=project, user=colleague)
    cs.membership_accept(
        acting_user=colleague, membership=colleague.memberships.get(community=project)
    )
    options = client.get(
        reverse("communities:mentions", args=[project.slug]), {"body": "Thanks @Ca"}
    ).text
    assert 'data-mention="Camille Martin"' in options and "onclick" not in options


def test_post_form_help_text_is_in_the_readers_language(client, lead, project):
    lead.language = "fr"
    lead.save(update_fields=["language"])
    client.force_login(lead)
    page = client.get(reverse("communities:detail", args=[project.slug]))
    assert "caractères au maximum" in page.text
    assert "10\xa0000 caractères" in page.text  # the number written the French way
    assert "Jusqu’à" in page.text
    assert "characters at most" not in page.text
    lead.language = "en"
    lead.save(update_fields=["language"])
    assert "10,000 characters at most" in client.get(page.request["PATH_INFO"]).text


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Hugo Bernard was removed from Lakeside Trails."),
        ("fr", "Vous avez retiré Hugo Bernard de Lakeside Trails."),
    ],
)
def test_removing_a_member_says_whom_from_where(client, lead, project, language, said):
    hugo = UserFactory(display_name="Hugo Bernard")
    membership = cs.membership_grant(acting_user=None, user=hugo, community=project)
    lead.language = language
    lead.save(update_fields=["language"])
    client.force_login(lead)
    url = reverse("communities:member_action", args=[project.slug, membership.pk, "remove"])
    page = client.post(url, follow=True)
    assert said in page.text
    assert "Done." not in page.text
