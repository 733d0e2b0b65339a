from __future__ import annotations

import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from portal.core.files import random_name


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


# An erased account keeps its row (its posts and comments stay in their threads) with an
# address on a reserved, never-deliverable domain (RFC 2606): that address is the mark.
ERASED_EMAIL_DOMAIN = "erased.invalid"


def default_timezone() -> str:
    return settings.TIME_ZONE


class Theme(models.TextChoices):
    """Light or dark pages: ``auto`` follows the device's setting (the CSS ``light-dark()``
    tokens); the others fix it (``<html data-theme>`` in base.html)."""

    AUTO = "auto", _("Same as my device")
    LIGHT = "light", _("Light")
    DARK = "dark", _("Dark")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class UserSkill(TaggedItemBase):
    content_object = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="tagged_skills"
    )


def photo_upload_to(instance: User, filename: str) -> str:
    """A random key: the uploaded file's name is never part of it."""
    return f"profiles/{instance.pk or 'new'}/{random_name(filename)}"


class User(AbstractUser):
    """An account. Signs in with its e-mail address; the profile lives on the same row so the
    directory is one query.

    ``is_external`` marks a guest account (a partner invited into chosen communities): what
    it may see is decided by the policy in ``communities/permissions.py`` and the selectors,
    never by templates.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)

    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    photo = models.ImageField(_("photo"), upload_to=photo_upload_to, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    location = models.CharField(_("location"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    skills = TaggableManager(
        verbose_name=_("skills"),
        through=UserSkill,
        blank=True,
        help_text=_("Comma-separated, for example: tourism, funding, graphic design"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, choices=timezone_choices, default=default_timezone
    )
    # No push notification between these times, in the person's time zone (both set, or
    # neither; start after end spans midnight). What would have been pushed waits until the
    # end (communities/push.py).
    quiet_hours_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    theme = models.CharField(
        _("appearance"), max_length=8, choices=Theme.choices, default=Theme.AUTO
    )
    is_external = models.BooleanField(
        _("external (guest) account"),
        default=False,
        help_text=_("Guests only see the communities they were invited to."),
    )

    # Updated at most every few minutes by a middleware (no write on every request); digests
    # skip people who have been on the site since their period began.
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            # The directory orders by (display_name, id) and pages with a cursor on it.
            models.Index(fields=["display_name", "id"], name="accounts_user_directory"),
            models.Index(Lower("organisation"), name="accounts_user_org_lower"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_full_name(self) -> str:
        if self.is_erased:
            return gettext("Former member")  # in the reader's language, at display time
        return self.display_name or f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.get_full_name() or self.email.split("@")[0]

    @property
    def is_erased(self) -> bool:
        """The person asked for erasure (portal/accounts/privacy.py): shown as "Former
        member", signs in no more."""
        return (self.email or "").endswith(f"@{ERASED_EMAIL_DOMAIN}")

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.replace("-", " ").split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"


class Connection(models.Model):
    """One row per person and day they were on the site (sign-in or a visit): the adoption
    report's connection rate and curve read these, never the sessions. Written at most once
    a day per person, by the same throttled "last seen" update."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="connections")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_connection_a_day")]
        indexes = [models.Index(fields=["day", "user"], name="connection_day_user")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.day}"
