import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from communities import markup
from communities import services as cs
from communities.models import Activity, Comment, Community, Membership, Post
from tests.communities.conftest import add_member
from tests.factories import GuestFactory, UserFactory

pytestmark = pytest.mark.django_db
Verb = Activity.Verb


def verbs(community):
    return list(
        Activity.objects.filter(community=community).order_by("id").values_list("verb", flat=True)
    )


def test_creator_becomes_lead_and_creation_is_recorded(lead, project):
    membership = Membership.objects.get(user=lead, community=project)
    assert (membership.role, membership.status) == ("lead", "active")
    assert verbs(project) == [Verb.COMMUNITY_CREATED]
    assert project.slug == "lakeside-trails"
    again = cs.community_create(acting_user=lead, name="Lakeside Trails")
    assert again.slug == "lakeside-trails-2"


def test_guests_cannot_create_communities_and_names_are_required(lead):
    with pytest.raises(PermissionDenied):
        cs.community_create(acting_user=GuestFactory(), name="Mine")
    with pytest.raises(ValidationError):
        cs.community_create(acting_user=lead, name="   ")
    with pytest.raises(ValidationError):
        cs.community_create(acting_user=lead, name="Another general", kind="general")
    assert Community.objects.filter(created_by=lead).count() == 0


def test_join_open_at_once_and_private_on_request(
    lead, project, django_capture_on_commit_callbacks
):
    open_ = cs.community_create(acting_user=lead, name="Open", visibility="open")
    asker = UserFactory(display_name="Ann Asker")
    assert cs.membership_join(acting_user=asker, community=open_).status == "active"
    with django_capture_on_commit_callbacks(execute=True):
        request = cs.membership_join(acting_user=asker, community=project)
    assert request.status == "requested"
    assert mail.outbox[-1].to == [lead.email]
    assert "Ann Asker asks to join Lakeside Trails" in mail.outbox[-1].subject
    # asking twice changes nothing
    assert cs.membership_join(acting_user=asker, community=project).pk == request.pk
    assert Membership.objects.filter(user=asker, community=project).count() == 1


def test_approving_twice_is_harmless_and_the_asker_is_told(
    lead, project, django_capture_on_commit_callbacks
):
    asker = UserFactory()
    request = cs.membership_join(acting_user=asker, community=project)
    with django_capture_on_commit_callbacks(execute=True):
        cs.membership_decide(acting_user=lead, membership=request, approve=True)
    cs.membership_decide(acting_user=lead, membership=request, approve=True)
    assert mail.outbox[-1].to == [asker.email]
    assert len([m for m in mail.outbox if m.to == [asker.email]]) == 1
    assert verbs(project).count(Verb.MEMBER_APPROVED) == 1
    request.refresh_from_db()
    assert request.status == "active"


def test_declined_asker_may_ask_again(lead, project):
    asker = UserFactory()
    request = cs.membership_join(acting_user=asker, community=project)
    cs.membership_decide(acting_user=lead, membership=request, approve=False)
    request.refresh_from_db()
    assert request.status == "left"
    assert cs.membership_join(acting_user=asker, community=project).status == "requested"


def test_only_leads_decide(lead, project):
    member = UserFactory()
    add_member(project, lead, member)
    request = cs.membership_join(acting_user=UserFactory(), community=project)
    with pytest.raises(PermissionDenied):
        cs.membership_decide(acting_user=member, membership=request, approve=True)


def test_a_community_never_loses_its_last_lead(lead, project):
    member = UserFactory()
    membership = add_member(project, lead, member)
    lead_membership = Membership.objects.get(user=lead, community=project)
    with pytest.raises(ValidationError):
        cs.membership_leave(acting_user=lead, community=project)
    with pytest.raises(ValidationError):
        cs.membership_set_role(acting_user=lead, membership=lead_membership, role="member")
    with pytest.raises(ValidationError):
        cs.membership_remove(acting_user=lead, membership=lead_membership)
    cs.membership_set_role(acting_user=lead, membership=membership, role="lead")
    cs.membership_leave(acting_user=lead, community=project)
    lead_membership.refresh_from_db()
    assert lead_membership.status == "left"


def test_removed_member_cannot_rejoin_alone(lead):
    open_ = cs.community_create(acting_user=lead, name="Open", visibility="open")
    member = UserFactory()
    membership = cs.membership_join(acting_user=member, community=open_)
    cs.membership_remove(acting_user=lead, membership=membership)
    with pytest.raises(ValidationError):
        cs.membership_join(acting_user=member, community=open_)


def test_inviting_a_guest_or_a_member_is_refused_with_a_reason(lead, project):
    member = UserFactory()
    add_member(project, lead, member)
    with pytest.raises(ValidationError, match="already a member"):
        cs.membership_invite(acting_user=lead, community=project, user=member)
    with pytest.raises(ValidationError, match="guest"):
        cs.membership_invite(acting_user=lead, community=project, user=GuestFactory())


def test_post_is_rendered_safely_and_recorded(lead, project):
    post = cs.post_create(
        acting_user=lead, community=project, body="<script>alert(1)</script> **Hi** #Charter"
    )
    assert "<script>" not in post.body_html
    assert "&lt;script&gt;" in post.body_html
    assert "<strong>Hi</strong>" in post.body_html
    assert list(post.hashtags.values_list("name", flat=True)) == ["charter"]
    assert verbs(project)[-1] == Verb.POST_CREATED


@pytest.mark.parametrize("body", ["", "   \n  ", "x" * (markup.MAX_LENGTH + 1)])
def test_empty_or_oversize_posts_are_refused_and_nothing_is_saved(lead, project, body):
    with pytest.raises(ValidationError):
        cs.post_create(acting_user=lead, community=project, body=body)
    assert not Post.objects.exists()


def test_double_submitted_post_is_created_once(lead, project):
    first = cs.post_create(acting_user=lead, community=project, body="Once", client_token="abc")
    second = cs.post_create(acting_user=lead, community=project, body="Once", client_token="abc")
    assert first.pk == second.pk
    assert Post.objects.count() == 1


def test_mentions_only_reach_people_who_can_read_the_community(lead, project, partner):
    outsider = UserFactory(display_name="Oscar Outside")
    post = cs.post_create(
        acting_user=lead,
        community=project,
        body="Ping @**Paula Partner** and @**Oscar Outside**",
    )
    assert list(post.mentions.all()) == [partner]
    assert 'class="mention"' in post.body_html and "@Oscar Outside" in post.body_html
    assert post.body_html.count('class="mention"') == 1
    assert outsider not in post.mentions.all()


def test_guests_comment_but_do_not_post(project, partner, lead):
    with pytest.raises(PermissionDenied):
        cs.post_create(acting_user=partner, community=project, body="Hello")
    post = cs.post_create(acting_user=lead, community=project, body="News")
    comment = cs.comment_create(acting_user=partner, post=post, body="Thanks")
    reply = cs.comment_create(acting_user=lead, post=post, body="You're welcome", parent=comment)
    deeper = cs.comment_create(acting_user=partner, post=post, body="!", parent=reply)
    assert deeper.parent_id == comment.pk  # one level of replies
    post.refresh_from_db()
    assert post.comment_count == 3
    cs.comment_delete(acting_user=lead, comment=comment)
    post.refresh_from_db()
    assert post.comment_count == 0
    assert not Comment.objects.exists()


def test_likes_toggle_and_keep_the_counter(lead, project, partner):
    post = cs.post_create(acting_user=lead, community=project, body="Like me")
    assert cs.post_like_toggle(acting_user=partner, post=post) == (True, 1)
    assert cs.post_like_toggle(acting_user=lead, post=post) == (True, 2)
    assert cs.post_like_toggle(acting_user=partner, post=post) == (False, 1)
    comment = cs.comment_create(acting_user=partner, post=post, body="Me too")
    assert cs.comment_like_toggle(acting_user=lead, comment=comment) == (True, 1)
    assert cs.comment_like_toggle(acting_user=lead, comment=comment) == (False, 0)


def test_only_authors_edit_and_leads_moderate(lead, project):
    member = UserFactory()
    add_member(project, lead, member)
    post = cs.post_create(acting_user=member, community=project, body="Draft #one")
    with pytest.raises(PermissionDenied):
        cs.post_update(acting_user=lead, post=post, body="Hijacked")
    cs.post_update(acting_user=member, post=post, body="Final #two")
    post.refresh_from_db()
    assert post.edited_at and list(post.hashtags.values_list("name", flat=True)) == ["two"]
    with pytest.raises(PermissionDenied):
        cs.post_set_pinned(acting_user=member, post=post, pinned=True)
    cs.post_set_pinned(acting_user=lead, post=post, pinned=True)
    cs.post_set_hidden(acting_user=lead, post=post, hidden=True)
    post.refresh_from_db()
    assert post.is_pinned and post.is_hidden
    cs.post_delete(acting_user=lead, post=post)
    assert not Post.objects.exists()


def test_archived_community_refuses_new_content(lead, project):
    cs.community_archive(acting_user=lead, community=project)
    with pytest.raises(PermissionDenied):
        cs.post_create(acting_user=lead, community=project, body="Still here?")
    cs.community_restore(acting_user=lead, community=project)
    assert cs.post_create(acting_user=lead, community=project, body="Back").pk
