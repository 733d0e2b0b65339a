"""Writes on accounts and profiles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from portal.accounts import privacy
from portal.accounts.models import ERASED_EMAIL_DOMAIN
from portal.core import principals
from portal.core.mail import send_templated_email

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
    "theme",
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
def administrator_ensure(*, email: str, password: str | None = None) -> tuple[User, bool]:
    """An administrator who can sign in now: a superuser with staff rights, active, whose
    address is their verified primary sign-in address (allauth's mandatory verification
    would otherwise stop them, as it stops an account made with ``createsuperuser``).
    Creates the account, or puts an existing one right (``password`` replaces theirs when
    given). Returns (user, created). Refused for a guest's address: guests never administer.
    """
    email = User.objects.normalize_email(email).lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    created = user is None
    if user is None:
        if not password:
            raise ValidationError("A new administrator needs a password.")
        user = user_create(email=email, password=password, is_staff=True, is_superuser=True)
    else:
        if user.is_external or user.is_erased:
            raise ValidationError(
                f"{email} is a guest's or an erased account: not an administrator."
            )
        user.is_staff = user.is_superuser = user.is_active = True
        if password:
            user.set_password(password)
        user.save(update_fields=["is_staff", "is_superuser", "is_active", "password"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    elif not (address.primary and address.verified):
        address.primary = address.verified = True
        address.save(update_fields=["primary", "verified"])
    log(instance=user, action="accounts.administrator", user=None)
    return user, created


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


# --- Your data (GDPR) -----------------------------------------------------------------------


def _require_self_or_administrator(*, user: Any, acting_user: Any) -> None:
    if acting_user.pk != user.pk and not principals.is_administrator(acting_user):
        raise PermissionDenied("Only the person or an administrator.")


def account_export_stream(*, user: User, acting_user: User) -> Iterator[bytes]:
    """The zip of everything Parvis holds about ``user`` (one JSON file per kind and the
    files they uploaded), as an iterator of bytes for a ``StreamingHttpResponse``: rows are
    read with ``.iterator()`` and files in chunks while the zip is sent, so memory stays
    flat and the first bytes leave at once. The export is written to the audit log."""
    _require_self_or_administrator(user=user, acting_user=acting_user)
    log(instance=user, action="accounts.export", user=acting_user)
    return privacy.zip_stream(privacy.export_entries(user), now=timezone.now())


def account_export_filename(*, user: User) -> str:
    return f"parvis-data-{user.pk}-{timezone.localdate().isoformat()}.zip"


@transaction.atomic
def account_erase(*, user: User, acting_user: User) -> User:
    """Erase ``user`` (the right to erasure): what they wrote stays in its threads, shown
    as by "Former member"; everything that identifies them goes, with their profile photo.
    Sign-in addresses, two-factor devices, permissions and the password go, so every
    session dies (Django checks the password hash on each request, and the account is
    inactive); each app then removes or anonymises its rows (API tokens, calendar feeds,
    shares, notifications, memberships…, see ``privacy``).

    Refused, changing nothing, with the reasons (``ValidationError``) while an app objects,
    e.g. while ``user`` is the last lead of a community. Erasing twice changes nothing.
    """
    from allauth.mfa.models import Authenticator
    from guardian.models import UserObjectPermission
    from wagtail.users.models import UserProfile

    _require_self_or_administrator(user=user, acting_user=acting_user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_erased:
        return user
    reasons = privacy.erasure_refusals(user)
    if reasons:
        raise ValidationError(reasons)

    former_email = user.email
    files = [user.photo.name] if user.photo else []
    storage = user.photo.storage
    profile = UserProfile.objects.filter(user=user).first()
    admin_files = [profile.avatar.name] if profile is not None and profile.avatar else []
    admin_storage = profile.avatar.storage if admin_files else None

    user.email = f"erased-{user.pk}@{ERASED_EMAIL_DOMAIN}"
    for name in (*PROFILE_FIELDS, "first_name", "last_name"):
        setattr(user, name, User._meta.get_field(name).get_default())
    user.photo = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = user.last_seen_at = None
    user.save()
    user.skills.clear()
    user.groups.clear()
    user.user_permissions.clear()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    UserObjectPermission.objects.filter(user=user).delete()
    if profile is not None:
        profile.delete()

    for contribution in privacy.contributions():
        if contribution.erase is not None:
            contribution.erase(user, email=former_email)

    privacy.relabel_log_entries(User, [user])
    log(instance=user, action="accounts.erase", user=acting_user)

    def delete_files() -> None:
        for name in files:
            storage.delete(name)
        for name in admin_files:
            admin_storage.delete(name)

    transaction.on_commit(delete_files)
    return user


def account_erase_refusals(*, user: User) -> list[str]:
    """Why ``user`` cannot be erased now (empty when they can): shown before anyone asks.
    In a transaction of its own because an app may lock rows to answer (the same check runs
    again, locked, inside ``account_erase``)."""
    with transaction.atomic():
        return privacy.erasure_refusals(user)
