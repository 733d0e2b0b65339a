"""Writes on accounts and profiles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

User = get_user_model()

PROFILE_FIELDS = (
    "display_name",
    "organisation",
    "job_title",
    "location",
    "phone",
    "bio",
    "language",
    "timezone",
)


def _default_display_name(email: str) -> str:
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None = None,
    display_name: str = "",
    is_external: bool = False,
    is_staff: bool = False,
    is_superuser: bool = False,
    email_verified: bool = True,
    skills: Iterable[str] = (),
    **profile: str,
) -> User:
    """Create an account with its (verified) e-mail address, as an invitation or an
    administrator would. Sign-up through the site goes through allauth instead."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.create_user(
        email=email,
        password=password,
        display_name=display_name or _default_display_name(email),
        is_external=is_external,
        is_staff=is_staff,
        is_superuser=is_superuser,
        **profile,
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    if skills:
        user.skills.set(_unique_skills(skills))
    return user


@transaction.atomic
def user_profile_update(
    *,
    user: User,
    acting_user: User,
    skills: Iterable[str] | None = None,
    photo: UploadedFile | bool | None = None,
    **fields: str,
) -> User:
    """Update ``user``'s profile. ``photo``: a new file, ``False`` to remove it, ``None`` to
    keep it. Only the given fields are written."""
    if acting_user.pk != user.pk and not acting_user.is_superuser:
        raise PermissionError("Only the owner or an administrator may edit a profile.")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {', '.join(sorted(unknown))}")
    update_fields = []
    for name, value in fields.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
            update_fields.append(name)
    old_photo = user.photo.name if user.photo else ""
    if photo is False and old_photo:
        user.photo = ""
        update_fields.append("photo")
    elif photo:
        user.photo.save(photo.name, photo, save=False)
        update_fields.append("photo")
    if update_fields:
        user.save(update_fields=update_fields)
    if old_photo and "photo" in update_fields:
        storage = user.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    if skills is not None:
        user.skills.set(_unique_skills(skills))
    return user


def _unique_skills(skills: Iterable[str]) -> list[str]:
    """Trimmed, without blanks or case-insensitive repeats, first spelling wins."""
    seen: dict[str, str] = {}
    for skill in skills:
        name = " ".join(skill.split())[:100]
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def welcome_email_send(*, user: User) -> int:
    """The welcome e-mail a newly signed-up person receives (in their language)."""
    from portal.mail import send_templated_email

    return send_templated_email(
        "accounts/email/welcome",
        to=[user],
        context={"user": user, "profile_url": f"{settings.WAGTAILADMIN_BASE_URL}/profile/"},
    )


def welcome_email_enqueue(*, user: User) -> None:
    """Send the welcome e-mail from a worker, once the account is committed."""
    from portal.accounts.tasks import send_welcome_email

    transaction.on_commit(lambda: send_welcome_email.delay(user.pk))


def user_mark_seen(*, user: Any) -> None:
    """Record that ``user`` is on the site now (one UPDATE, no model save), and, the first
    time each day, a ``Connection`` row for the adoption report."""
    from portal.accounts.models import Connection

    now = timezone.now()
    previous = user.last_seen_at
    get_user_model().objects.filter(pk=user.pk).update(last_seen_at=now)
    user.last_seen_at = now
    zone = timezone.get_default_timezone()  # one calendar for the whole organisation
    if previous is None or timezone.localdate(previous, zone) != timezone.localdate(now, zone):
        Connection.objects.bulk_create(
            [Connection(user_id=user.pk, day=timezone.localdate(now, zone))],
            ignore_conflicts=True,
        )
