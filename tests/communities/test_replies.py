"""Reply by e-mail, through django-anymail's real inbound webhooks (Postmark's JSON and
Mailgun's signed raw-MIME form, with the shapes those services post)."""

import base64
import hashlib
import hmac
import time

import pytest
from django.core import mail
from django.urls import reverse

from communities import inbound_mail, notifications, replies
from communities import services as cs
from communities.models import Comment, DigestPreference
from tests.communities.conftest import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DOMAIN = "reply.parvis.example"
MAILGUN_KEY = "mailgun-signing-key-for-tests"
BASIC = "inbound:s3cret-webhook"
AUTH = "Basic " + base64.b64encode(BASIC.encode()).decode()


@pytest.fixture(autouse=True)
def inbound(settings):
    settings.COMMUNITIES_REPLY_DOMAIN = DOMAIN
    settings.ANYMAIL = {"WEBHOOK_SECRET": BASIC, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


@pytest.fixture
def colleague(lead, project):
    person = UserFactory(display_name="Hugo Bernard", email="hugo@parvis.example")
    add_member(project, lead, person)
    return person


@pytest.fixture
def post(lead, project):
    return cs.post_create(acting_user=lead, community=project, body="Steering committee agenda")


def postmark(client, *, sender, to, text, attachments=(), auth=AUTH):
    payload = {
        "FromFull": {"Email": sender, "Name": ""},
        "ToFull": [{"Email": to, "Name": ""}],
        "CcFull": [],
        "BccFull": [],
        "Subject": "Re: Steering committee agenda",
        "MessageID": "8d2b8d2a-postmark",
        "Date": "Thu, 26 Nov 2026 10:00:00 +0100",
        "TextBody": text,
        "HtmlBody": "",
        "Headers": [],
        "Attachments": list(attachments),
    }
    return client.post(
        "/anymail/postmark/inbound/",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )


def mailgun(client, *, sender, to, text, key=MAILGUN_KEY):
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    mime = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: Re: agenda\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}"
    )
    return client.post(
        "/anymail/mailgun/inbound_mime/",
        {
            "body-mime": mime,
            "recipient": to,
            "sender": sender,
            "timestamp": timestamp,
            "token": token,
            "signature": signature,
        },
        HTTP_AUTHORIZATION=AUTH,
    )


QUOTED = (
    "Count me in for Tuesday.\n\nOn Thu, 26 Nov 2026, Parvis wrote:\n> Steering committee agenda\n"
)


def test_a_reply_becomes_a_comment_without_the_quoted_text(client, colleague, post):
    address = replies.reply_address(user=colleague, post_id=post.pk)
    assert len(address.split("@")[0]) <= 64  # a valid local part
    assert (
        postmark(client, sender=colleague.email.upper(), to=address, text=QUOTED).status_code == 200
    )
    comment = Comment.objects.get()
    assert (comment.author, comment.post, comment.body) == (
        colleague,
        post,
        "Count me in for Tuesday.",
    )


def test_mailgun_signed_raw_mime_reply(client, colleague, post):
    address = replies.reply_address(user=colleague, post_id=post.pk)
    assert mailgun(client, sender=colleague.email, to=address, text=QUOTED).status_code == 200
    assert Comment.objects.get().body == "Count me in for Tuesday."


def test_a_bad_signature_is_refused_and_posts_nothing(client, colleague, post):
    address = replies.reply_address(user=colleague, post_id=post.pk)
    response = mailgun(client, sender=colleague.email, to=address, text=QUOTED, key="forged")
    assert response.status_code == 400
    unsigned = postmark(client, sender=colleague.email, to=address, text=QUOTED, auth="")
    assert unsigned.status_code == 400  # anymail refuses a call without the shared secret
    assert not Comment.objects.exists()


def test_someone_else_writing_from_their_own_address_is_dropped(client, colleague, post, caplog):
    address = replies.reply_address(user=colleague, post_id=post.pk)
    postmark(client, sender="intruder@elsewhere.example", to=address, text="Spam")
    assert not Comment.objects.exists()
    assert "is not an allowed account" in caplog.text


def test_forged_old_or_foreign_addresses_are_dropped(client, colleague, post, lead):
    good = replies.reply_address(user=colleague, post_id=post.pk)
    local, domain = good.split("@")
    other_post = local.replace(f".{post.pk}.", f".{post.pk + 1}.")  # the MAC no longer fits
    old = replies.reply_address(user=colleague, post_id=post.pk, now=time.time() - 40 * 86400)
    for address in (f"{other_post}@{domain}", old, f"{local}@elsewhere.example"):
        postmark(client, sender=colleague.email, to=address, text="Hello")
    assert not Comment.objects.exists()


def test_a_deleted_post_or_a_lost_right_to_comment_drops_the_reply(client, colleague, post, lead):
    address = replies.reply_address(user=colleague, post_id=post.pk)
    membership = colleague.memberships.get(community=post.community)
    cs.membership_remove(acting_user=lead, membership=membership)
    postmark(client, sender=colleague.email, to=address, text="Still here?")
    assert not Comment.objects.exists()
    cs.post_delete(acting_user=lead, post=post)
    postmark(
        client, sender=lead.email, to=replies.reply_address(user=lead, post_id=post.pk), text="x"
    )
    assert not Comment.objects.exists()


def test_a_refused_reply_comes_back_to_its_author_with_the_reason(client, colleague, post, lead):
    """Nothing written is lost: the author hears why, in their language, with their text."""
    colleague.language = "fr"
    colleague.save(update_fields=["language"])
    address = replies.reply_address(user=colleague, post_id=post.pk)
    membership = colleague.memberships.get(community=post.community)
    cs.membership_remove(acting_user=lead, membership=membership)
    mail.outbox.clear()
    postmark(client, sender=colleague.email, to=address, text=QUOTED)
    [message] = mail.outbox
    assert message.to == [colleague.email]
    assert message.subject == "Votre réponse n’a pas été publiée"
    assert "vous ne pouvez plus y commenter" in message.body
    assert "Count me in for Tuesday." in message.body
    assert "Steering committee agenda" not in message.body  # their text, not the quote

    mail.outbox.clear()
    lead_address = replies.reply_address(user=lead, post_id=post.pk)
    cs.post_delete(acting_user=lead, post=post)
    text = "I'll bring the maps & the <b>key</b>"
    postmark(client, sender=lead.email, to=lead_address, text=text)
    [message] = mail.outbox
    assert message.to == [lead.email]
    assert message.subject == "Your reply was not posted"
    assert "the post you answered was deleted" in message.body
    assert text in message.body  # as written, not escaped
    assert not Comment.objects.exists()

    mail.outbox.clear()  # someone else writing to the address gets nothing back
    postmark(client, sender="intruder@elsewhere.example", to=lead_address, text="Spam")
    assert mail.outbox == []


def test_an_attachment_bomb_is_refused(client, colleague, post):
    address = replies.reply_address(user=colleague, post_id=post.pk)
    bomb = [
        {
            "Name": f"f{i}.txt",
            "Content": base64.b64encode(b"x").decode(),
            "ContentType": "text/plain",
        }
        for i in range(inbound_mail.MAX_ATTACHMENTS + 1)
    ]
    postmark(client, sender=colleague.email, to=address, text="See attached", attachments=bomb)
    assert not Comment.objects.exists()


def test_nothing_but_quoted_text_posts_nothing(client, colleague, post):
    address = replies.reply_address(user=colleague, post_id=post.pk)
    postmark(client, sender=colleague.email, to=address, text="> just the quote\n")
    assert not Comment.objects.exists()


def test_the_notification_email_carries_the_reply_address(
    lead, project, colleague, django_capture_on_commit_callbacks
):
    notifications.preferences_set(
        acting_user=colleague, account=DigestPreference.Frequency.IMMEDIATE
    )
    with django_capture_on_commit_callbacks(execute=True):
        post = cs.post_create(acting_user=lead, community=project, body="@**Hugo Bernard** look")
    [message] = mail.outbox
    assert replies.read_reply_address(message.extra_headers["Reply-To"]) == (colleague.pk, post.pk)
    assert "your reply is posted as your comment" in message.body


def test_without_a_reply_domain_no_address_is_offered(settings, colleague, post):
    settings.COMMUNITIES_REPLY_DOMAIN = ""
    assert replies.reply_address(user=colleague, post_id=post.pk) == ""


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Yes.\n-- \nHugo, Parvis", "Yes."),
        ("D'accord.\n\nLe jeu. 26 nov. 2026 à 10:00, Parvis a écrit :\n> texte", "D'accord."),
        ("Fine\n-----Original Message-----\nFrom: Parvis", "Fine"),
        ("Two lines\nof text\n\nSent from my phone", "Two lines\nof text"),
    ],
)
def test_quoted_text_and_signatures_are_stripped(text, kept):
    assert inbound_mail.strip_reply(text) == kept


def test_the_post_page_is_where_the_reply_lands(client, colleague, post):
    address = replies.reply_address(user=colleague, post_id=post.pk)
    postmark(client, sender=colleague.email, to=address, text="Seen")
    client.force_login(colleague)
    page = client.get(reverse("communities:post", args=[post.pk])).content.decode()
    assert "Seen" in page


# --- E-mail into a community -------------------------------------------------------------------


def test_mail_to_a_community_from_a_member_becomes_their_post(client, colleague, project):
    address = replies.community_address(project)
    response = postmark(client, sender=colleague.email, to=address, text="Deal signed.\n-- \nHugo")
    assert response.status_code == 200
    [post] = project.posts.all()
    assert post.author == colleague
    assert post.body == "**Re: Steering committee agenda**\n\nDeal signed."


def test_mail_to_a_community_from_anyone_else_is_dropped(client, project, partner, caplog):
    address = replies.community_address(project)
    postmark(client, sender="stranger@elsewhere.example", to=address, text="Buy now")
    outsider = UserFactory(email="outsider@parvis.example")
    postmark(client, sender=outsider.email, to=address, text="Not a member")
    postmark(client, sender=partner.email, to=address, text="Guests read, leads publish")
    assert not project.posts.exists()
    assert "may not post" in caplog.text


def test_a_guessed_community_address_is_dropped(client, colleague, project):
    forged = f"post+{project.pk}.aaaaaaaaaaaaaaaa@{DOMAIN}"
    postmark(client, sender=colleague.email, to=forged, text="Hello")
    assert not project.posts.exists()


def test_leads_find_the_community_address_on_the_integrations_page(client, lead, project):
    client.force_login(lead)
    page = client.get(reverse("integrations:community", args=[project.slug])).content.decode()
    assert replies.community_address(project) in page


# --- Signed addresses (issue 15: key rotation, one spelling per address) ---------------------

OLD_KEY = "the-key-before-rotation-" + "x" * 40
NEW_KEY = "the-key-after-rotation-" + "y" * 40


def legacy_mac(value: str, purpose: str, secret: str) -> str:
    """The hand-made HMAC of the addresses given out before issue 15."""
    key = hashlib.sha256(f"communities.{purpose}:{secret}".encode()).digest()
    digest = hmac.new(key, value.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def test_reply_and_community_addresses_survive_a_key_rotation(
    client, settings, colleague, post, project
):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    reply_to = replies.reply_address(user=colleague, post_id=post.pk)
    community = replies.community_address(project)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert replies.community_address(project) != community  # signed with the new key now
    postmark(client, sender=colleague.email, to=reply_to, text="Still reaches the post")
    assert Comment.objects.get().body == "Still reaches the post"
    postmark(client, sender=colleague.email, to=community, text="Still reaches the community")
    assert project.posts.filter(author=colleague).exists()
    settings.SECRET_KEY_FALLBACKS = []
    assert replies.read_reply_address(reply_to) is None
    assert replies.read_community_address(community) is None


def test_addresses_given_out_before_the_change_keep_working(settings, colleague, post, project):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    now = time.time()
    stamp = replies._base36(int(now) - 86400)
    value = f"{colleague.pk}.{post.pk}.{stamp}"
    legacy = f"reply+{value}.{legacy_mac(value, 'reply', OLD_KEY)}@{DOMAIN}"
    assert replies.read_reply_address(legacy, now=now) == (colleague.pk, post.pk)
    assert replies.read_reply_address(legacy, now=now + 31 * 86400) is None  # they still expire
    community = f"post+{project.pk}.{legacy_mac(f'0.{project.pk}.', 'post', OLD_KEY)}@{DOMAIN}"
    assert replies.read_community_address(community) == project.pk


def test_an_address_has_one_spelling_apart_from_its_case(colleague, post, project):
    good = replies.reply_address(user=colleague, post_id=post.pk)
    assert replies.read_reply_address(good.upper()) == (colleague.pk, post.pk)
    local, domain = good.split("@")
    user_id, post_id, stamp, mac = local.removeprefix("reply+").split(".")
    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    arabic_indic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    for user, item, when in (
        (f"0{user_id}", post_id, stamp),
        (user_id, f"0{post_id}", stamp),
        (user_id, post_id, f"0{stamp}"),
        (user_id.translate(full_width), post_id, stamp),
        (user_id, post_id.translate(arabic_indic), stamp),
    ):
        assert replies.read_reply_address(f"reply+{user}.{item}.{when}.{mac}@{domain}") is None
    community = replies.community_address(project)
    assert replies.read_community_address(community.upper()) == project.pk
    assert replies.read_community_address(community.replace("post+", "post+0")) is None
