"""Communities (the paper's "groups"), who belongs to them, what they write, and the one
activity stream every change is recorded in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities import extensions


class Community(models.Model):
    class Accent(models.TextChoices):
        """A fixed set of named colours, not free hex: each name is a pair of colours (light
        mode, dark mode) in components/community.css, chosen so that text on it meets AA in
        both modes (tests/communities/test_face.py checks the file). A free colour could not
        be both readable in light and dark mode, and would need an inline style, which the
        Content-Security-Policy forbids."""

        BLUE = "blue", _("Blue")
        TEAL = "teal", _("Teal")
        GREEN = "green", _("Green")
        AMBER = "amber", _("Amber")
        ORANGE = "orange", _("Orange")
        RED = "red", _("Red")
        PINK = "pink", _("Pink")
        PURPLE = "purple", _("Purple")

    class Kind(models.TextChoices):
        PROJECT = "project", _("Project")
        FUNCTION = "function", _("Function / job")
        LOCATION = "location", _("Location / site")
        THEME = "theme", _("Theme")
        PRODUCT = "product", _("Product / service")
        VISIBILITY = "visibility", _("Web visibility")
        GENERAL = "general", _("General")

    class Visibility(models.TextChoices):
        OPEN = "open", _("Open: every internal member can read and join")
        PRIVATE = "private", _("Private: listed, content for members, join on request")
        SECRET = "secret", _("Secret: not listed, by invitation only")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=140, unique=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    cover = models.ImageField(_("cover image"), upload_to="communities/covers/", blank=True)
    # Empty: a colour derived from the id (see ``accent``), so that communities differ
    # before anyone chooses. A default in the database too, for rows written without the
    # ORM (bench/generate.py copies communities in bulk).
    color = models.CharField(
        _("colour"), max_length=12, choices=Accent.choices, blank=True, default="", db_default=""
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PROJECT)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.OPEN
    )
    is_general = models.BooleanField(default=False, editable=False)
    # Leads keep the agenda; with this on, members add events too.
    members_add_events = models.BooleanField(_("members may add events"), default=False)
    archived_at = models.DateTimeField(_("archived on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name", "id"]
        constraints = [
            # Exactly one general community: every internal account is in it.
            models.UniqueConstraint(
                fields=["is_general"], condition=Q(is_general=True), name="one_general_community"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def accent(self) -> str:
        """The name of the community's colour (a CSS class ``accent-<name>``): the one its
        lead chose, else one derived from the id, stable for the community's life."""
        if self.color:
            return self.color
        names = self.Accent.values
        return names[(self.pk or 0) % len(names)]

    @property
    def initial(self) -> str:
        """The first letter of the name, for a badge or a card without a cover."""
        return next((ch for ch in self.name if ch.isalnum()), "#").upper()


class Membership(models.Model):
    """The truth for community access. Only ``status=active`` rows that have not expired
    grant anything; the policy checks both on every request."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        MEMBER = "member", _("Member")
        GUEST = "guest", _("Guest")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REQUESTED = "requested", _("Asked to join")
        INVITED = "invited", _("Invited")
        REMOVED = "removed", _("Removed")
        LEFT = "left", _("Left")
        ENDED = "ended", _("Access ended")  # a guest's access, ended by a lead or sponsor
        EXPIRED = "expired", _("Expired")  # a guest's access, at its end date

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("community"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    joined_at = models.DateTimeField(_("joined on"), null=True, blank=True)
    expires_at = models.DateTimeField(_("access ends"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    # The newest post this member has seen in the community's feed: the home page counts
    # the posts above it as unread (with the (community, id) index of posts).
    last_read_post_id = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="one_membership_per_user"),
        ]
        indexes = [
            # The Exists(...) subqueries of the selectors look memberships up by user.
            models.Index(fields=["user", "status", "community"], name="membership_user_status"),
            models.Index(fields=["community", "status", "role"], name="membership_community"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.community} ({self.role}, {self.status})"

    @property
    def grants_access(self) -> bool:
        return self.status == self.Status.ACTIVE and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    @property
    def state(self) -> str:
        """The status as people read it: an active row past its end date has expired
        (the policy refuses it at once; the nightly tidy-up only writes it down)."""
        if self.status == self.Status.ACTIVE and not self.grants_access:
            return self.Status.EXPIRED
        return self.status

    @property
    def state_label(self) -> str:
        """The one name of each state, on every page, admin screen and export."""
        return str(self.Status(self.state).label)


class Hashtag(models.Model):
    name = models.CharField(max_length=60, unique=True)  # stored lower-case

    def __str__(self) -> str:
        return f"#{self.name}"


class Post(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    body = models.TextField(_("message"))
    body_html = models.TextField(editable=False)
    is_pinned = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    hashtags = models.ManyToManyField(Hashtag, blank=True, related_name="posts")
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_posts"
    )
    comment_count = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    # Makes a double-submitted form create one post, not two.
    client_token = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            # Feeds page with a cursor on id, per community.
            models.Index(fields=["community", "id"], name="post_community_id"),
            # The pinned announcements atop a feed: a handful among 50,000 posts, found
            # without reading the others (bench/RESULTS.md, 2026-11-26).
            models.Index(
                fields=["community", "id"], condition=Q(is_pinned=True), name="post_pinned"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_token"],
                condition=~Q(client_token=""),
                name="post_unique_client_token",
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.community_id}"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    # One level of replies: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(_("comment"))
    body_html = models.TextField(editable=False)
    is_hidden = models.BooleanField(default=False)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_comments"
    )
    like_count = models.PositiveIntegerField(default=0)
    client_token = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["post", "id"], name="comment_post_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_token"],
                condition=~Q(client_token=""),
                name="comment_unique_client_token",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.post_id}"

    def get_absolute_url(self) -> str:
        """The post's page, opened far enough to show this comment's thread, at the comment
        (long threads are paged: ``?comment=`` asks for the page that holds it)."""
        url = reverse("communities:post", args=[self.post_id])
        return f"{url}?comment={self.pk}#comment-{self.pk}"


class PostLike(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="one_like_per_post")]

    def __str__(self) -> str:
        return f"{self.user_id} likes post {self.post_id}"


class CommentLike(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="one_like_per_comment")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes comment {self.comment_id}"


class Activity(models.Model):
    """One row per change of community content, written by the service in the same
    transaction. Feeds, digests and adoption KPIs read this, never the content tables."""

    class Verb(models.TextChoices):
        """The floor's verbs; upper apps register theirs (``extensions.register_activity_verb``)."""

        COMMUNITY_CREATED = "community.created", _("created the community")
        COMMUNITY_UPDATED = "community.updated", _("updated the community")
        COMMUNITY_ARCHIVED = "community.archived", _("archived the community")
        COMMUNITY_RESTORED = "community.restored", _("restored the community")
        MEMBER_JOINED = "member.joined", _("joined")
        MEMBER_REQUESTED = "member.requested", _("asked to join")
        MEMBER_APPROVED = "member.approved", _("was approved")
        MEMBER_DECLINED = "member.declined", _("was declined")
        MEMBER_INVITED = "member.invited", _("was invited")
        MEMBER_LEFT = "member.left", _("left")
        MEMBER_REMOVED = "member.removed", _("was removed")
        MEMBER_ROLE_CHANGED = "member.role_changed", _("changed role")
        MEMBER_EXTENDED = "member.extended", _("had their access extended")
        MEMBER_ENDED = "member.ended", _("had their access ended")
        MEMBER_EXPIRED = "member.expired", _("reached the end of their access")
        POST_CREATED = "post.created", _("posted")
        POST_UPDATED = "post.updated", _("edited a post")
        POST_DELETED = "post.deleted", _("deleted a post")
        POST_PINNED = "post.pinned", _("pinned a post")
        POST_HIDDEN = "post.hidden", _("hid a post")
        COMMENT_CREATED = "comment.created", _("commented")
        COMMENT_DELETED = "comment.deleted", _("deleted a comment")
        POST_LIKED = "post.liked", _("liked a post")
        COMMENT_LIKED = "comment.liked", _("liked a comment")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="activities"
    )
    verb = models.CharField(max_length=40, choices=extensions.activity_verbs)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["community", "id"], name="activity_community_id"),
            models.Index(fields=["actor", "created_at"], name="activity_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} in {self.community_id}"


class PostAttachment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="communities/attachments/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    is_image = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    """How a person hears of something addressed to them, beside the bell (which always
    lists it while they may see it)."""

    PUSH = "push", _("Push notification")
    EMAIL = "email", _("E-mail at once")
    DIGEST = "digest", _("In the digest")
    NONE = "none", _("Only under the bell")


class Notification(models.Model):
    """Something addressed to one person (a mention, a reply, a review request…), shown under
    the bell and, by preference, e-mailed at once. It is shown only while its community is
    readable by that person; ``title`` and ``url`` are kept so the list needs no join."""

    class Kind(models.TextChoices):
        """The floor's kinds; upper apps register theirs (a review requested, an event
        invitation: ``extensions.register_notification_kind``)."""

        MENTION = "mention", _("mentioned you")
        REPLY = "reply", _("replied to you")
        INVITATION = "invitation", _("invited you")
        JOIN_REQUEST = "join.request", _("asks to join")
        JOIN_ANSWER = "join.answer", _("answered your request to join")

    # What is addressed to someone and worth an e-mail at once for "immediately" people.
    ADDRESSED = frozenset({Kind.MENTION, Kind.REPLY})

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=extensions.notification_kinds)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=200)  # what it is about: a post excerpt, a title
    url = models.CharField(max_length=300)  # site path of the object
    post = models.ForeignKey(  # the post to answer by e-mail, when there is one
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # How the person is told, decided once by ``notifications.notify`` from their choices
    # (``NotificationChoice``): push, e-mail at once, the digest, or only the bell. Empty on
    # rows written before the choices existed (they follow the digest frequency).
    channel = models.CharField(max_length=8, choices=Channel.choices, blank=True, default="")
    pushed_at = models.DateTimeField(null=True, blank=True)  # handed to a push service

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The bell counts unread rows of one person; the page pages by (user, -id).
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["user", "-id"], name="notification_user_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class DigestPreference(models.Model):
    """How someone hears about activity: for the whole account (``community`` empty) or for
    one community, overriding the account's choice there."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately (only what is addressed to me)")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")
        OFF = "off", _("Nothing")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preferences"
    )
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(community__isnull=True), name="one_account_preference"
            ),
            models.UniqueConstraint(
                fields=["user", "community"],
                condition=Q(community__isnull=False),
                name="one_preference_per_community",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.community_id}: {self.frequency}"


class NotificationChoice(models.Model):
    """A person's channel for one topic (``communities.notifications.TOPICS``: a direct
    message, a mention, a review request…). Without a row, the topic's default applies
    (``notifications.default_channel``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choices"
    )
    topic = models.CharField(max_length=30)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="one_choice_per_topic")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.topic}: {self.channel}"


class DigestOutbox(models.Model):
    """One digest per person and period. The unique constraint makes a second trigger, a
    second scheduler or a retried task harmless; a worker claims a pending row by committing
    it as "sending", hands the message over, then records the outcome (communities/digests.py
    says what happens in each window)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")  # claimed by a worker: being handed over
        SENT = "sent", _("sent")
        SKIPPED = "skipped", _("skipped")  # nothing new, or already on the site
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digests",
        verbose_name=_("person"),
    )
    period = models.CharField(_("period"), max_length=12)  # "d2026-11-26" or "w2026-48"
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    message_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)  # last handed to the workers
    claimed_at = models.DateTimeField(null=True, blank=True)  # when it became "sending"

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="one_digest_per_period")
        ]
        indexes = [models.Index(fields=["status", "id"], name="digest_status_id")]

    def __str__(self) -> str:
        return f"digest {self.period} for {self.user_id}: {self.status}"


for _value, _label in Activity.Verb.choices:
    extensions.register_activity_verb(_value, _label)
_FLOOR_TOPICS = {Notification.Kind.MENTION: "mention", Notification.Kind.REPLY: "mention"}
for _value, _label in Notification.Kind.choices:
    extensions.register_notification_kind(_value, _label, _FLOOR_TOPICS.get(_value))
